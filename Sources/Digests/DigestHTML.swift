import Catalog

/// The digest's text/html part, written for mail programs rather than browsers: layout in
/// tables, every style inline (many programs drop `<style>` blocks and all external CSS), no
/// scripts, no images, no web fonts. One centred column 600 pixels wide at most that narrows
/// with the screen (`width:100%; max-width:600px`, with a fixed-width table for Outlook on
/// Windows, which ignores max-width), long words allowed to break so nothing pushes a phone's
/// screen sideways. Colours are the site's, with explicit backgrounds so a program's own dark
/// mode cannot leave dark text on a dark ground.
///
/// Every text from the catalog or the subscriber goes through `HTMLText.escape`; every URL was
/// checked to be http(s) before it got here and is escaped as an attribute.
enum DigestHTML {
    // The palette of the site's light theme (Pages/HTML.swift in PaperboyServer).
    static let ink = "#1d1d1f"
    static let muted = "#6b6b73"
    static let body = "#3a3a40"
    static let line = "#e2e2e6"
    static let accent = "#2456c7"
    static let chip = "#eef1f8"
    static let page = "#f3f4f7"
    static let card = "#ffffff"
    static let footer = "#fafafb"
    static let fonts = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"

    static func render(_ content: DigestContent) -> String {
        let e = HTMLText.escape
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="x-apple-disable-message-reformatting">
            <meta name="color-scheme" content="light">
            <meta name="supported-color-schemes" content="light">
            <title>\(e(content.heading)) — \(e(content.periodTitle))</title>
            </head>
            <body style="margin:0;padding:0;background-color:\(page);color:\(ink);-webkit-text-size-adjust:100%;">
            <div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;font-size:1px;line-height:1px;color:\(page);">\(e(content.preview))</div>
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:\(page);">
            <tr><td align="center" style="padding:24px 12px;">
            <!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:\(card);border:1px solid \(line);border-radius:12px;font-family:\(fonts);color:\(ink);">

            """
        // Header: the site, what this is, the period, and the way to the same period on the site.
        html += """
            <tr><td style="padding:28px 24px 22px;">
            <p style="margin:0;font-size:13px;line-height:1.4;font-weight:700;letter-spacing:0.08em;text-transform:uppercase;"><a href="\(e(content.siteURL))" style="color:\(accent);text-decoration:none;">\(e(content.siteName))</a></p>
            <h1 style="margin:6px 0 0;font-size:26px;line-height:1.25;font-weight:700;color:\(ink);">\(e(content.heading))</h1>
            <p style="margin:6px 0 0;font-size:15px;line-height:1.5;color:\(muted);">\(e(content.periodTitle)) · \(e(content.countText))</p>
            <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin-top:18px;"><tr><td style="border-radius:8px;background-color:\(accent);">
            <a href="\(e(content.periodURL))" style="display:inline-block;padding:10px 16px;font-size:14px;line-height:1.2;font-weight:600;color:#ffffff;text-decoration:none;border-radius:8px;">\(e(content.periodLinkText)) →</a>
            </td></tr></table>
            </td></tr>

            """
        for index in content.entries.indices {
            html += content.fragment(index, .html) { paper($0, siteName: content.siteName) }
        }
        // Footer: why this came, and the two ways out of it.
        html += """
            <tr><td style="padding:22px 24px 26px;border-top:1px solid \(line);background-color:\(footer);border-radius:0 0 12px 12px;font-size:13px;line-height:1.6;color:\(muted);word-wrap:break-word;overflow-wrap:anywhere;">
            <p style="margin:0;">\(e(content.reason))</p>
            <p style="margin:10px 0 0;"><a href="\(e(content.preferencesURL))" style="color:\(accent);font-weight:600;">Change topics or frequency</a> · <a href="\(e(content.unsubscribeURL))" style="color:\(accent);font-weight:600;">Unsubscribe</a></p>
            <p style="margin:10px 0 0;">Sent to \(e(content.recipientAddress)) by <a href="\(e(content.siteURL))" style="color:\(muted);">\(e(content.siteName))</a>.</p>
            </td></tr>
            </table>
            <!--[if mso]></td></tr></table><![endif]-->
            </td></tr>
            </table>
            </body>
            </html>

            """
        return html
    }

    /// One paper: its rank in a narrow column, then title, authors, abstract, counts and links.
    static func paper(_ entry: DigestContent.Entry, siteName: String) -> String {
        let e = HTMLText.escape
        // Each separator is bound to the link after it, so a narrow screen never ends a line on "|".
        let links = entry.links.enumerated().map { index, link in
            let anchor = "<a href=\"\(e(link.url))\" style=\"color:\(accent);font-weight:600;text-decoration:none;\">\(e(link.label))</a>"
            let separator = index == 0 ? "" : "<span style=\"color:\(line);\">|</span> "
            return "<span style=\"white-space:nowrap;\">\(separator)\(anchor)</span>"
        }.joined(separator: " ")
        let pill = "display:inline-block;padding:1px 9px;margin:0 6px 4px 0;border-radius:999px;background-color:\(chip);color:\(ink);font-weight:600;white-space:nowrap;"
        var html = """
            <tr><td style="padding:20px 24px;border-top:1px solid \(line);">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;">
            <tr>
            <td width="30" valign="top" style="width:30px;padding-top:1px;font-size:16px;line-height:1.35;font-weight:700;color:\(accent);">\(entry.rank)</td>
            <td valign="top" style="word-wrap:break-word;overflow-wrap:anywhere;">
            <h2 style="margin:0;font-size:17px;line-height:1.35;font-weight:700;"><a href="\(e(entry.pageURL))" style="color:\(ink);text-decoration:none;">\(e(entry.title))</a></h2>

            """
        if let authors = entry.authors {
            html += "<p style=\"margin:4px 0 0;font-size:13px;line-height:1.45;color:\(muted);\">\(e(authors))</p>\n"
        }
        html += """
            <p style="margin:10px 0 0;font-size:14px;line-height:1.55;color:\(body);">\(e(entry.abstract))</p>
            <p style="margin:12px 0 0;font-size:13px;line-height:1.7;color:\(muted);"><span style="\(pill)">▲ \(DigestContent.count(entry.upvotes, "upvote", "upvotes"))</span><span style="\(pill)">\(DigestContent.count(entry.comments, "comment", "comments"))</span> \(links)</p>
            </td>
            </tr>
            </table>
            </td></tr>

            """
        return html
    }
}
