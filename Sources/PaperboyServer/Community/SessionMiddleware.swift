import Community
import Foundation
import Hummingbird

/// Recognises a signed-in browser by its session cookie and makes every handler of the request
/// see it as `Viewer.current`. An unknown or expired cookie counts as no cookie.
struct SessionMiddleware<Context: RequestContext>: RouterMiddleware {
    let sessions: SessionCookies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let session = try await sessions.session(request) else { return try await next(request, context) }
        let viewer = Viewer(user: session.user, csrfToken: session.csrfToken, path: request.uri.path, store: sessions.store)
        var response = try await Viewer.$current.withValue(viewer) { try await next(request, context) }
        // What a signed-in person sees is theirs alone: no shared cache may keep it.
        if response.headers[.contentType]?.hasPrefix("text/html") == true { response.headers[.cacheControl] = "private, no-cache" }
        return response
    }
}

/// The session cookie and the anonymous CSRF cookie: names, attributes, and the session
/// lookup. Cookies are HttpOnly (no script reads them) and SameSite=Lax (other sites' forms
/// do not carry them), Secure when the site is served over HTTPS.
struct SessionCookies: Sendable {
    static let sessionName = "paperboy_session"
    /// Before signing in there is no session to hold the CSRF token: the log-in and sign-up
    /// forms use this cookie's value instead (the form field must repeat it).
    static let csrfName = "paperboy_csrf"

    let store: any CommunityStore
    let lifetime: Duration
    let secure: Bool

    func session(_ request: Request) async throws -> Session? {
        guard let token = request.cookies[Self.sessionName]?.value, token.utf8.count == 64 else { return nil }
        return try await store.session(tokenDigest: SecretToken.digest(token), now: Date())
    }

    /// Starts a session for `user`; answers the cookie that carries it.
    func start(for user: User) async throws -> Cookie {
        let token = SecretToken.make()
        let now = Date()
        let seconds = Int(lifetime.components.seconds)
        try await store.createSession(
            userID: user.id, tokenDigest: SecretToken.digest(token), csrfToken: SecretToken.make(),
            expiresAt: now.addingTimeInterval(TimeInterval(seconds)), at: now)
        return Cookie(name: Self.sessionName, value: token, maxAge: seconds, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func ended() -> Cookie {
        Cookie(name: Self.sessionName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func csrfCookie(_ token: String) -> Cookie {
        Cookie(name: Self.csrfName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// A page with a form for a reader who may not be signed in: the form repeats the token of
    /// the browser's CSRF cookie, which is set here when the browser has none yet.
    func withCSRFCookie(_ request: Request, _ make: (String) -> BufferedResponse) -> BufferedResponse {
        if let existing = request.cookies[Self.csrfName]?.value, existing.utf8.count == 64 { return make(existing) }
        let token = SecretToken.make()
        var answer = make(token)
        answer.setCookie(csrfCookie(token))
        return answer
    }
}
