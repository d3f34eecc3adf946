import Hummingbird

/// HTML building: every piece of text that reaches a page goes through `escape`.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A whole page: the shared header and the given body, light or dark as the reader's system is.
    static func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(escape(title)) · Paperboy</title>
            <style>
            body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:0 1rem;color:#1d1d1f;background:#fff}
            @media (prefers-color-scheme:dark){body{color:#e8e8ea;background:#141416}a{color:#8ab4f8}.card{border-color:#333}}
            header{display:flex;gap:1rem;align-items:baseline;padding:1rem 0;border-bottom:1px solid #8884}
            header a{font-weight:700;text-decoration:none;font-size:1.2rem}
            .card{border:1px solid #ddd;border-radius:.6rem;padding:.8rem 1rem;margin:.8rem 0}
            .card h2{font-size:1.05rem;margin:0 0 .3rem}
            .meta{color:#888;font-size:.9rem}
            .votes{float:right;font-weight:700;text-align:center;min-width:3rem}
            nav.days{display:flex;justify-content:space-between;margin:1rem 0}
            </style>
            </head>
            <body>
            <header><a href="/papers">Paperboy</a><span class="meta">Daily Papers, self-hosted</span></header>
            <main>
            \(body)
            </main>
            </body>
            </html>
            """
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    static func notFound(_ message: String) -> Response {
        page(title: "Not found", body: "<h1>Not found</h1><p>\(escape(message))</p>", status: .notFound)
    }
}
