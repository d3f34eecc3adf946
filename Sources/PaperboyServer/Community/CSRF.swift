import Community
import Hummingbird

/// Cross-site request forgery protection for every form: each form carries a token in a
/// hidden field, and a POST counts only when the field repeats the token of the browser's
/// session (signed in) or of its CSRF cookie (signing in or up). Another site can make a
/// browser post to Paperboy, but cannot read the token to put in the form.
enum CSRF {
    static let fieldName = "csrf_token"

    /// The hidden field a form of the current viewer carries.
    static func field(_ token: String) -> String {
        "<input type=\"hidden\" name=\"\(fieldName)\" value=\"\(HTML.escape(token))\">"
    }

    /// Whether the form's token is the one expected for this browser.
    static func accepts(_ form: FormFields, _ request: Request) -> Bool {
        guard let sent = form[fieldName], !sent.isEmpty else { return false }
        let expected = Viewer.current?.csrfToken ?? request.cookies[SessionCookies.csrfName]?.value
        guard let expected, !expected.isEmpty else { return false }
        return SecretToken.equal(sent, expected)
    }

    static var refused: BufferedResponse {
        HTML.page(
            title: "Form expired",
            body: """
                <h1>This form could not be accepted</h1>
                <p>It did not carry this browser's security token (csrf_token), or the token has changed since the \
                page was loaded, for example after logging in or out elsewhere. Nothing was saved. Go back, reload \
                the page and send the form again.</p>
                """,
            status: .forbidden)
    }
}
