import Community
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix

/// Sign-up, log-in, log-out and the account page with its API tokens: plain HTML forms that
/// work without JavaScript, each protected by a CSRF token, each refusal saying which field is
/// wrong and storing nothing.
struct AccountPages: Sendable {
    let store: any CommunityStore
    let sessions: SessionCookies
    let configuration: CommunityConfiguration
    let hasher: PasswordHasher
    let signUpLimiter: RateLimiter
    let logInLimiter: RateLimiter

    init(store: any CommunityStore, sessions: SessionCookies, configuration: CommunityConfiguration) {
        self.store = store
        self.sessions = sessions
        self.configuration = configuration
        hasher = PasswordHasher(cost: configuration.passwordCost)
        signUpLimiter = RateLimiter(configuration.signUpLimit)
        logInLimiter = RateLimiter(configuration.logInLimit)
    }

    // MARK: Sign-up

    func signUpForm(_ request: Request) -> BufferedResponse {
        if Viewer.current != nil { return .redirect(to: "/account") }
        return sessions.withCSRFCookie(request) { token in signUpPage(token: token, username: "", email: "", problem: nil) }
    }

    func signUp(_ request: Request, _ context: PaperboyRequestContext) async throws -> BufferedResponse {
        if let wait = signUpLimiter.admit(ClientAddress.of(request, context, trustForwardedFor: configuration.trustForwardedFor)) {
            return Self.tooManyRequests(wait, what: "sign-ups from this address")
        }
        let form: FormFields
        switch try await CheckedForm.read(request, limit: configuration.maxFormBytes) {
        case .refused(let answer): return answer
        case .accepted(let checked): form = checked
        }
        let username = form["username"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let email = form["email"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let password = form["password"] ?? ""
        let token = form[CSRF.fieldName] ?? ""
        do {
            try Credentials.checkUsername(username)
            try Credentials.checkEmail(email)
            try Credentials.checkPassword(password, username: username)
        } catch {
            return signUpPage(token: token, username: username, email: email, problem: error.description, status: .badRequest)
        }
        let hash = try await hashOffTheEventLoop(password)
        let user: User
        do {
            user = try await store.createUser(NewUser(username: username, email: email, passwordHash: hash), at: Date())
        } catch let taken as CommunityError {
            return signUpPage(token: token, username: username, email: email, problem: taken.description, status: .conflict)
        }
        var answer = BufferedResponse.seeOther("/papers")
        answer.setCookie(try await sessions.start(for: user))
        return answer
    }

    private func signUpPage(token: String, username: String, email: String, problem: String?, status: HTTPResponse.Status = .ok) -> BufferedResponse {
        var body = "<h1>Sign up</h1>"
        if let problem { body += "<p class=\"notice\" role=\"alert\">\(HTML.escape(problem))</p>" }
        body += """
            <form class="account" method="post" action="/signup">\(CSRF.field(token))
            <label>Username <input name="username" required minlength="3" maxlength="32" pattern="[A-Za-z0-9][A-Za-z0-9_\\-]*" \
            value="\(HTML.escape(username))" autocomplete="username"></label>
            <label>Email <input type="email" name="email" required maxlength="254" value="\(HTML.escape(email))" autocomplete="email"></label>
            <label>Password <input type="password" name="password" required minlength="\(Credentials.passwordMinimum)" autocomplete="new-password"></label>
            <p class="meta">At least \(Credentials.passwordMinimum) characters; a few unrelated words work well.</p>
            <button type="submit">Create account</button>
            </form>
            <p>Already have an account? <a href="/login">Log in</a>.</p>
            """
        return HTML.page(title: "Sign up", body: body, status: status)
    }

    // MARK: Log-in and log-out

    func logInForm(_ request: Request) -> BufferedResponse {
        if Viewer.current != nil { return .redirect(to: "/account") }
        let next = Self.localPath(QueryString(request)["next"]) ?? "/papers"
        return sessions.withCSRFCookie(request) { token in logInPage(token: token, login: "", next: next, problem: nil) }
    }

    func logIn(_ request: Request, _ context: PaperboyRequestContext) async throws -> BufferedResponse {
        if let wait = logInLimiter.admit(ClientAddress.of(request, context, trustForwardedFor: configuration.trustForwardedFor)) {
            return Self.tooManyRequests(wait, what: "log-in attempts from this address")
        }
        let form: FormFields
        switch try await CheckedForm.read(request, limit: configuration.maxFormBytes) {
        case .refused(let answer): return answer
        case .accepted(let checked): form = checked
        }
        let login = form["login"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let password = form["password"] ?? ""
        let next = Self.localPath(form["next"]) ?? "/papers"
        let token = form[CSRF.fieldName] ?? ""
        guard !login.isEmpty, login.utf8.count <= Credentials.emailMaxLength else {
            return logInPage(token: token, login: login, next: next, problem: "login: give your username or email address.", status: .badRequest)
        }
        let account = try await store.userForLogin(login)
        // A missing account costs the same bcrypt work as a wrong password, so response times
        // do not tell which usernames exist.
        let hash = account?.passwordHash ?? hasher.decoyHash()
        let matches = try await NIOThreadPool.singleton.runIfActive { [hasher] in hasher.verify(password, against: hash) }
        guard let account, matches else {
            return logInPage(token: token, login: login, next: next, problem: "Wrong username, email or password.", status: .unauthorized)
        }
        var answer = BufferedResponse.seeOther(next)
        answer.setCookie(try await sessions.start(for: account.user))
        return answer
    }

    private func logInPage(token: String, login: String, next: String, problem: String?, status: HTTPResponse.Status = .ok) -> BufferedResponse {
        var body = "<h1>Log in</h1>"
        if let problem { body += "<p class=\"notice\" role=\"alert\">\(HTML.escape(problem))</p>" }
        body += """
            <form class="account" method="post" action="/login">\(CSRF.field(token))
            <input type="hidden" name="next" value="\(HTML.escape(next))">
            <label>Username or email <input name="login" required maxlength="254" value="\(HTML.escape(login))" autocomplete="username"></label>
            <label>Password <input type="password" name="password" required autocomplete="current-password"></label>
            <button type="submit">Log in</button>
            </form>
            <p>No account yet? <a href="/signup">Sign up</a>.</p>
            """
        return HTML.page(title: "Log in", body: body, status: status)
    }

    func logOut(_ request: Request) async throws -> BufferedResponse {
        if case .refused(let answer) = try await SignedInForm.read(request, limit: configuration.maxFormBytes, anonymous: .seeOther("/papers")) {
            return answer
        }
        if let token = request.cookies[SessionCookies.sessionName]?.value {
            try await store.deleteSession(tokenDigest: SecretToken.digest(token))
        }
        var answer = BufferedResponse.seeOther("/papers")
        answer.setCookie(sessions.ended())
        return answer
    }

    // MARK: The account page and API tokens

    func account(_ request: Request) async throws -> BufferedResponse {
        guard let viewer = Viewer.current else { return .redirect(to: "/login?next=/account") }
        return try await accountPage(viewer, newToken: nil, problem: nil)
    }

    func createToken(_ request: Request) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await SignedInForm.read(request, limit: configuration.maxFormBytes, anonymous: .seeOther("/login?next=/account")) {
        case .refused(let answer): return answer
        case .accepted(let signedIn, let checked): (viewer, form) = (signedIn, checked)
        }
        let name = form["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard (1...60).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return try await accountPage(viewer, newToken: nil, problem: "name: give the token a name of 1 to 60 characters (e.g. 'laptop script').", status: .badRequest)
        }
        let token = NewAPIToken()
        _ = try await store.createAPIToken(userID: viewer.user.id, name: name, tokenDigest: token.digest, prefix: token.prefix, at: Date())
        return try await accountPage(viewer, newToken: token.token, problem: nil, status: .created)
    }

    func revokeToken(_ request: Request, id text: String) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await SignedInForm.read(request, limit: configuration.maxFormBytes, anonymous: .seeOther("/login?next=/account")) {
        case .refused(let answer): return answer
        case .accepted(let signedIn, let checked): (viewer, form) = (signedIn, checked)
        }
        guard let id = Int64(text), id > 0 else {
            return try await accountPage(viewer, newToken: nil, problem: "id: '\(text.prefix(40))' is not a token number.", status: .badRequest)
        }
        guard try await store.revokeAPIToken(id: id, userID: viewer.user.id, at: Date()) else {
            return try await accountPage(viewer, newToken: nil, problem: "id: you have no live token number \(id).", status: .notFound)
        }
        return .seeOther("/account")
    }

    private func accountPage(_ viewer: Viewer, newToken: String?, problem: String?, status: HTTPResponse.Status = .ok) async throws -> BufferedResponse {
        let user = viewer.user
        var body = "<h1>Your account</h1>"
        if let problem { body += "<p class=\"notice\" role=\"alert\">\(HTML.escape(problem))</p>" }
        body += "<dl class=\"facts\"><dt>Username</dt><dd>\(HTML.escape(user.username))</dd>"
        body += "<dt>Email</dt><dd>\(HTML.escape(user.email))</dd><dt>Role</dt><dd>\(HTML.escape(user.role.rawValue))</dd></dl>"
        body += "<h2>API tokens</h2>"
        body += "<p class=\"meta\">For scripts that vote through the API: <code>Authorization: Bearer TOKEN</code>. See <a href=\"/openapi.json\">the API description</a>.</p>"
        if let newToken {
            body += "<p class=\"notice\" role=\"status\">Your new token, shown this once: copy it now.<br><code class=\"token\">\(HTML.escape(newToken))</code></p>"
        }
        let tokens = try await store.apiTokens(userID: user.id)
        if tokens.isEmpty { body += "<p>You have no API tokens.</p>" }
        for token in tokens {
            let created = String(ISO8601DateFormatter().string(from: token.createdAt).prefix(10))
            body += "<div class=\"card\"><div class=\"body\"><p><strong>\(HTML.escape(token.name))</strong> <code>\(HTML.escape(token.prefix))…</code></p>"
            body += "<p class=\"meta\">Created \(created)"
            if let revoked = token.revokedAt {
                body += " · revoked \(ISO8601DateFormatter().string(from: revoked).prefix(10))</p>"
            } else {
                body += "</p><form method=\"post\" action=\"/account/tokens/\(token.id)/revoke\">\(CSRF.field(viewer.csrfToken))<button type=\"submit\">Revoke</button></form>"
            }
            body += "</div></div>"
        }
        body += """
            <form class="account" method="post" action="/account/tokens">\(CSRF.field(viewer.csrfToken))
            <label>New token's name <input name="name" required maxlength="60" placeholder="laptop script"></label>
            <button type="submit">Create token</button>
            </form>
            """
        return HTML.page(title: "Your account", body: body, status: status)
    }

    // MARK: Helpers

    /// The page made with the browser's CSRF cookie token, setting the cookie if it has none.
    private func hashOffTheEventLoop(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { [hasher] in hasher.hash(password) }
    }

    static func tooManyRequests(_ wait: Duration, what: String) -> BufferedResponse {
        let seconds = RateLimiter.seconds(wait)
        var answer = HTML.page(
            title: "Too many requests",
            body: "<h1>Too many requests</h1><p>Too many \(HTML.escape(what)). Nothing was saved. Try again in \(seconds) seconds.</p>",
            status: .tooManyRequests)
        answer.headers[.retryAfter] = String(seconds)
        return answer
    }

    static func tooLarge(_ error: FormFields.TooLarge) -> BufferedResponse {
        HTML.page(
            title: "Form too large",
            body: "<h1>Form too large</h1><p>The form sent more than \(error.limit) bytes. Nothing was saved.</p>",
            status: .contentTooLarge)
    }

    /// A path on this site to return to after logging in; anything else (another host,
    /// `//host`, a scheme) is ignored, so the form cannot send people elsewhere.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.utf8.count <= 300,
              !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else { return nil }
        return text
    }
}

/// Where a request comes from, for rate limits.
enum ClientAddress {
    static func of(_ request: Request, _ context: PaperboyRequestContext, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = request.headers[.xForwardedFor],
           let first = forwarded.split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty {
            return first
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

extension BufferedResponse {
    /// After a POST: the browser fetches `location` with a GET.
    static func seeOther(_ location: String) -> BufferedResponse {
        var answer = BufferedResponse(status: .seeOther, contentType: "text/plain; charset=utf-8", body: ByteBuffer())
        answer.headers[.location] = location
        return answer
    }

    mutating func setCookie(_ cookie: Cookie) {
        headers[values: .setCookie].append(cookie.description)
    }
}
