import Catalog
import Foundation
import Mail

/// The short emails around a subscription: "confirm your address" (double opt-in) and, when
/// someone asks to subscribe an address that already is, "you are already subscribed" with a
/// preferences link, so the form never tells a stranger whether an address is on the list.
public struct SubscriptionNotices: Sendable {
    public let siteName: String
    public let from: EmailAddress

    public init(siteName: String = "Paperboy", from: EmailAddress) {
        self.siteName = siteName
        self.from = from
    }

    public func confirmation(to subscription: Subscription, confirmURL: String, date: Date) throws -> MailMessage {
        let what = Self.describe(subscription)
        let text = """
            Hello,

            Someone, probably you, asked for \(what) from \(siteName) at this address.
            To start receiving it, confirm within three days by opening this link:

            \(confirmURL)

            If you did not ask for it, ignore this email: nothing will be sent.
            """
        let html = page(
            """
            <p>Someone, probably you, asked for <strong>\(HTMLText.escape(what))</strong> from \(HTMLText.escape(siteName)) at this address.</p>
            <p style="margin:24px 0"><a href="\(HTMLText.escape(confirmURL))" style="background:#ff9d00;color:#111;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600">Confirm my subscription</a></p>
            <p style="color:#555">The link works for three days. If you did not ask for this, ignore this email: nothing will be sent.</p>
            """)
        return try MailMessage(
            from: from, to: [EmailAddress(subscription.email)], subject: "Confirm your \(siteName) digest subscription",
            textBody: text, htmlBody: html, date: date, extraHeaders: [MailHeader("Auto-Submitted", "auto-replied")])
    }

    public func alreadySubscribed(_ subscription: Subscription, preferencesURL: String, date: Date) throws -> MailMessage {
        let text = """
            Hello,

            Someone asked to subscribe this address to \(siteName)'s digest, and it already is
            (\(Self.describe(subscription))). Nothing has changed.

            To change how often you hear from us, or what about, or to unsubscribe:
            \(preferencesURL)
            """
        let html = page(
            """
            <p>Someone asked to subscribe this address to \(HTMLText.escape(siteName))'s digest, and it already is \
            (\(HTMLText.escape(Self.describe(subscription)))). Nothing has changed.</p>
            <p><a href="\(HTMLText.escape(preferencesURL))">Change how often, what about, or unsubscribe</a></p>
            """)
        return try MailMessage(
            from: from, to: [EmailAddress(subscription.email)], subject: "You are already subscribed to \(siteName)",
            textBody: text, htmlBody: html, date: date, extraHeaders: [MailHeader("Auto-Submitted", "auto-replied")])
    }

    /// "the daily digest of trending papers (cs.CL, diffusion)".
    public static func describe(_ subscription: Subscription) -> String {
        var text = "the \(subscription.frequency.rawValue) digest of trending papers"
        var about: [String] = []
        if subscription.forMe { about.append("picked for you") }
        if !subscription.topics.isEmpty { about.append(subscription.topics.text) }
        if !about.isEmpty { text += " (\(about.joined(separator: "; ")))" }
        return text
    }

    private func page(_ content: String) -> String {
        """
        <!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>
        <body style="margin:0;padding:24px;font-family:-apple-system,'Segoe UI',Roboto,sans-serif;color:#111;line-height:1.5">
        <div style="max-width:560px;margin:0 auto">
        <p style="font-weight:700;font-size:18px">\(HTMLText.escape(siteName))</p>
        \(content)
        </div></body></html>
        """
    }
}
