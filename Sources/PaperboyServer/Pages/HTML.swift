import Catalog
import Community
import Foundation
import Hummingbird

/// HTML building: every piece of text that reaches a page goes through `escape`, every value
/// in a URL through `queryValue`.
enum HTML {
    /// `HTMLText.escape`, which the digest emails share.
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// Escapes text in which search matches are marked (`SearchHit.markStart`/`markEnd`), then
    /// turns the marks into `<mark>` elements.
    static func escapeMarked(_ text: String) -> String {
        var out = ""
        for ch in escape(text) {
            switch ch {
            case SearchHit.markStart: out += "<mark>"
            case SearchHit.markEnd: out += "</mark>"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Percent-encodes a value for a URL query string (RFC 3986 unreserved characters pass).
    static func queryValue(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    /// A feed a page offers to feed readers (autodiscovery `<link>`s in its head).
    struct FeedLink {
        let title: String
        /// The path of the RSS version; the Atom version is the same with `.atom`.
        let rssPath: String

        var atomPath: String {
            if let q = rssPath.firstIndex(of: "?") {
                return rssPath[..<q].replacingOccurrences(of: ".rss", with: ".atom") + rssPath[q...]
            }
            return rssPath.replacingOccurrences(of: ".rss", with: ".atom")
        }

        static let daily = FeedLink(title: "Daily Papers", rssPath: "/feeds/daily.rss")
        static let trending = FeedLink(title: "Trending papers", rssPath: "/feeds/trending.rss")
    }

    /// A whole page: header with navigation and search, the body, and the subscribe box.
    /// Light or dark follows the reader's system; the layout is one column on a phone.
    static func page(
        title: String, body: String, status: HTTPResponse.Status = .ok, feeds: [FeedLink] = [.daily, .trending],
        searchText: String = ""
    ) -> BufferedResponse {
        var head = ""
        for feed in feeds {
            head += "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"\(escape(feed.title)) (RSS)\" href=\"\(escape(feed.rssPath))\">\n"
            head += "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"\(escape(feed.title)) (Atom)\" href=\"\(escape(feed.atomPath))\">\n"
        }
        let feedLinks = feeds.map {
            "\(escape($0.title)): <a href=\"\(escape($0.rssPath))\">RSS</a> · <a href=\"\(escape($0.atomPath))\">Atom</a>"
        }.joined(separator: "<br>")
        let html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(escape(title)) · Paperboy</title>
            <link rel="icon" href="/favicon.svg" type="image/svg+xml">
            \(head)<style>\(stylesheet)</style>
            </head>
            <body>
            <header class="top">
            <a class="brand" href="/papers"><img src="/favicon.svg" alt="" width="28" height="28">Paperboy</a>
            <nav><a href="/papers">Daily</a><a href="/papers/week">Weekly</a><a href="/papers/month">Monthly</a><a href="/papers/trending">Trending</a></nav>
            <form class="search" action="/search" method="get" role="search">
            <input type="search" name="q" value="\(escape(searchText))" placeholder="Search papers, authors, topics" aria-label="Search papers">
            <button type="submit">Search</button>
            </form>
            \(accountLinks())
            </header>
            <main>
            \(body)
            </main>
            <footer>
            <form class="subscribe" action="/subscribe" method="get">
            <label for="subscribe-email">Get trending papers in your email inbox</label>
            <div><input id="subscribe-email" type="email" name="email" required placeholder="you@example.org" autocomplete="email">
            <button type="submit">Subscribe</button></div>
            </form>
            <p class="feeds">\(feedLinks)</p>
            <p class="meta">Paperboy, a self-hosted Daily Papers. Data from arXiv and Hugging Face Daily Papers.</p>
            </footer>
            \(Viewer.current == nil ? "" : "<script>\(voteScript)</script>")
            </body>
            </html>
            """
        var response = BufferedResponse(status: status, contentType: "text/html; charset=utf-8", body: ByteBuffer(string: html))
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// The header's account corner: log-in and sign-up links, or the signed-in name and a
    /// log-out button (a form, since logging out changes state).
    private static func accountLinks() -> String {
        guard let viewer = Viewer.current else {
            return "<nav class=\"account\"><a href=\"/login\">Log in</a><a href=\"/signup\">Sign up</a></nav>"
        }
        return """
            <nav class="account"><a href="/submit">Submit a paper</a><a href="/collections">Collections</a><a href="/account">\(escape(viewer.user.username))</a>\
            <form method="post" action="/logout">\(CSRF.field(viewer.csrfToken))<button type="submit">Log out</button></form></nav>
            """
    }

    /// A paper's upvote count; for a signed-in viewer, a button that adds or withdraws their
    /// vote. The button is a form that works without JavaScript (it posts and comes back to the
    /// page); `voteScript` sends it with fetch instead and updates the count in place.
    static func votes(_ p: Paper) -> String {
        guard let viewer = Viewer.current else { return "<div class=\"votes\">\(p.upvotes)<small>upvotes</small></div>" }
        let voted = viewer.hasVoted(p.id)
        return """
            <form class="votes vote" method="post" action="/papers/\(escape(p.id.value))/upvote">\(CSRF.field(viewer.csrfToken))\
            <input type="hidden" name="vote" value="\(voted ? "0" : "1")"><input type="hidden" name="return" value="\(escape(viewer.path))">\
            <button type="submit" aria-pressed="\(voted)" title="\(voted ? "Withdraw your upvote" : "Upvote")">▲</button>\
            <span class="count">\(p.upvotes)</span><small>upvotes</small></form>
            """
    }

    /// Sends vote forms with fetch and updates the count from the JSON answer. On any failure
    /// the form is sent the plain way, so the server's page says what went wrong.
    static let voteScript = """
        document.addEventListener('submit',async e=>{const f=e.target;if(!f.classList.contains('vote'))return;e.preventDefault();\
        const b=f.querySelector('button');b.disabled=true;\
        try{const r=await fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f)),headers:{Accept:'application/json'},credentials:'same-origin'});\
        if(!r.ok)throw new Error(r.status);const v=await r.json();\
        f.querySelector('.count').textContent=v.upvotes;f.elements.vote.value=v.voted?'0':'1';\
        b.setAttribute('aria-pressed',String(v.voted));b.title=v.voted?'Withdraw your upvote':'Upvote';}\
        catch(_){HTMLFormElement.prototype.submit.call(f);}finally{b.disabled=false;}});
        """

    static func notFound(_ message: String) -> BufferedResponse {
        page(title: "Not found", body: "<h1>Not found</h1><p>\(escape(message))</p><p><a href=\"/papers\">Back to the daily papers</a></p>", status: .notFound)
    }

    static func badRequest(_ message: String) -> BufferedResponse {
        page(title: "Bad request", body: "<h1>That address is not quite right</h1><p>\(escape(message))</p><p><a href=\"/papers\">Back to the daily papers</a></p>", status: .badRequest)
    }

    /// The site's one stylesheet, inline: pages need no second request to render.
    static let stylesheet = """
        :root{--fg:#1d1d1f;--bg:#fff;--muted:#6b6b73;--line:#e2e2e6;--card:#fafafb;--accent:#2456c7;--mark:#ffe58a;--chip:#eef1f8}
        @media (prefers-color-scheme:dark){:root{--fg:#e8e8ea;--bg:#121214;--muted:#a0a0a8;--line:#2c2c31;--card:#1a1a1e;--accent:#8ab4f8;--mark:#6b5a12;--chip:#23262f}}
        *{box-sizing:border-box}
        body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:56rem;padding:0 1rem;color:var(--fg);background:var(--bg)}
        a{color:var(--accent)}
        mark{background:var(--mark);color:inherit;padding:0 .1em;border-radius:.2em}
        header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.8rem 0;border-bottom:1px solid var(--line)}
        .brand{display:flex;align-items:center;gap:.4rem;font-weight:700;font-size:1.2rem;text-decoration:none;color:var(--fg)}
        header nav{display:flex;gap:.8rem;flex-wrap:wrap}
        header nav a{text-decoration:none}
        form.search{display:flex;gap:.4rem;flex:1 1 16rem;min-width:0}
        input,button,select{font:inherit;color:inherit}
        input[type=search],input[type=email]{flex:1;min-width:0;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card)}
        button{padding:.4rem .8rem;border:1px solid var(--line);border-radius:.5rem;background:var(--chip);cursor:pointer}
        h1{font-size:1.5rem;margin:1rem 0 .5rem;overflow-wrap:anywhere}
        .card{display:flex;gap:.8rem;border:1px solid var(--line);border-radius:.7rem;padding:.8rem 1rem;margin:.8rem 0;background:var(--card)}
        .card .body{flex:1;min-width:0}
        .card h2{font-size:1.05rem;margin:0 0 .3rem;overflow-wrap:anywhere}
        .card h2 a{text-decoration:none;color:var(--fg)}
        .card p{margin:.2rem 0;overflow-wrap:anywhere}
        .votes{flex:none;min-width:3.6rem;text-align:center;font-weight:700;border:1px solid var(--line);border-radius:.5rem;padding:.3rem .25rem;height:fit-content}
        .votes small{display:block;font-weight:400;font-size:.7rem;color:var(--muted)}
        .meta{color:var(--muted);font-size:.9rem}
        .chip{display:inline-block;background:var(--chip);border-radius:1rem;padding:0 .5rem;margin:0 .2rem .2rem 0;font-size:.85rem}
        nav.pager{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0;flex-wrap:wrap}
        .sorts{display:flex;gap:.4rem;flex-wrap:wrap;margin:.5rem 0}
        .sorts a,.sorts strong{padding:.15rem .7rem;border:1px solid var(--line);border-radius:1rem;text-decoration:none;font-size:.9rem}
        .sorts strong{background:var(--chip)}
        .notice{border-left:4px solid var(--accent);padding:.4rem .8rem;background:var(--chip)}
        svg.chart{width:100%;height:auto;max-height:9rem;display:block;margin:.5rem 0}
        svg.chart rect{fill:var(--accent);opacity:.8}
        svg.chart text{fill:var(--muted);font-size:10px}
        .abstract{font-size:1.02rem}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:1rem 0}
        dl.facts dt{color:var(--muted)}
        dl.facts dd{margin:0;overflow-wrap:anywhere}
        .links a{margin-right:.8rem}
        footer{border-top:1px solid var(--line);margin-top:2rem;padding:1rem 0 2rem}
        form.subscribe{display:flex;flex-direction:column;gap:.4rem;max-width:30rem}
        form.subscribe label{font-weight:600}
        form.subscribe div{display:flex;gap:.4rem}
        nav.account{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
        nav.account form{margin:0}
        form.vote button{display:block;margin:0 auto;padding:0 .5rem;line-height:1.2}
        form.vote button[aria-pressed=true]{background:var(--accent);color:var(--bg);border-color:var(--accent)}
        form.vote .count{display:block}
        form.account{display:flex;flex-direction:column;gap:.6rem;max-width:24rem}
        form.account label{display:flex;flex-direction:column;font-weight:600}
        form.account input{padding:.4rem .6rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card);font-weight:400}
        code.token{overflow-wrap:anywhere}
        section.comments ol.thread{list-style:none;padding:0;margin:0}
        li.comment{border-left:2px solid var(--line);padding:.2rem 0 .4rem .8rem;margin:.6rem 0}
        li.comment.d1{margin-left:1.2rem}li.comment.d2{margin-left:2.4rem}li.comment.d3{margin-left:3.6rem}
        li.comment.d4{margin-left:4.8rem}li.comment.d5{margin-left:6rem}li.comment.d6{margin-left:7.2rem}
        li.comment p{margin:.2rem 0}
        li.comment .text{overflow-wrap:anywhere}
        li.comment .text.moderated{opacity:.7;border-left:3px dashed var(--muted);padding-left:.5rem}
        .hidden-note{font-style:italic;color:var(--muted)}
        .comment-actions{display:flex;flex-wrap:wrap;gap:.3rem .8rem;align-items:flex-start;font-size:.9rem}
        .comment-actions form{margin:0}
        .comment-actions summary{cursor:pointer;color:var(--accent)}
        form.comment-form{display:flex;flex-direction:column;gap:.4rem;max-width:40rem;margin:.6rem 0}
        textarea{font:inherit;color:inherit;width:100%;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card)}
        form.comment-form button{align-self:flex-start}
        @media (max-width:40rem){li.comment.d4,li.comment.d5,li.comment.d6{margin-left:3.6rem}body{padding:0 .7rem}.card{padding:.7rem;gap:.6rem}.votes{min-width:3.2rem}h1{font-size:1.3rem}}
        """

    /// The logo: a rolled newspaper.
    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="6" y="10" width="52" height="44" rx="6" fill="#2456c7"/>\
        <rect x="14" y="18" width="36" height="6" rx="2" fill="#fff"/><rect x="14" y="30" width="16" height="16" rx="2" fill="#ffe58a"/>\
        <rect x="34" y="30" width="16" height="4" rx="2" fill="#fff"/><rect x="34" y="38" width="16" height="4" rx="2" fill="#fff"/>\
        <rect x="34" y="46" width="10" height="2" rx="1" fill="#fff"/></svg>
        """
}
