import Catalog
import Community
import Hummingbird

/// `/submit`: the form that submits a paper to the daily feed, for signed-in readers (a plain
/// POST with the session's CSRF token; the same checks as the API, in `SubmitHandlers`).
struct SubmitPages: Sendable {
    let handlers: SubmitHandlers

    func form(_ request: Request) -> BufferedResponse {
        guard let viewer = Viewer.current else {
            return HTML.page(
                title: "Submit a paper",
                body: """
                    <h1>Submit a paper</h1>
                    <p><a href="/login?next=/submit">Log in</a> to submit a paper to the daily feed \
                    (no account yet? <a href="/signup">Sign up</a>).</p>
                    """)
        }
        return page(viewer, fields: SubmitHandlers.Fields(), problem: nil)
    }

    func submit(_ request: Request) async throws -> BufferedResponse {
        let viewer: Viewer, form: FormFields
        switch try await SignedInForm.read(request, limit: handlers.configuration.maxFormBytes, anonymous: .seeOther("/login?next=/submit")) {
        case .refused(let answer): return answer
        case .accepted(let signedIn, let checked): (viewer, form) = (signedIn, checked)
        }
        let fields = SubmitHandlers.Fields(paperID: form["paper_id"], comment: form["comment"], override: form["override"])
        switch try await handlers.submit(fields, user: viewer.user) {
        case .success(let paper):
            return .seeOther("/papers/\(paper.id.value)")
        case .failure(let refusal):
            var message = refusal.message
            if let rule = refusal.rule { message += " (rule: \(rule))" }
            var answer = page(viewer, fields: fields, problem: message, status: refusal.status)
            if let seconds = refusal.retryAfter { answer.headers[.retryAfter] = String(seconds) }
            return answer
        }
    }

    private func page(_ viewer: Viewer, fields: SubmitHandlers.Fields, problem: String?, status: HTTPResponse.Status = .ok) -> BufferedResponse {
        let rules = handlers.configuration.submissionRules
        var said: [String] = []
        if let days = rules.maxAgeDays { said.append("its first version is at most \(days) days old") }
        if rules.notFeaturedBefore { said.append("it has not been featured before") }
        if let cap = rules.dailyCapPerUser { said.append("you submit at most \(cap) papers a day (UTC)") }
        var body = "<h1>Submit a paper</h1>"
        body += "<p>A submitted paper is featured on today's feed, with you as its submitter and your upvote.</p>"
        if !said.isEmpty { body += "<p class=\"meta\">A paper can be submitted when \(said.joined(separator: ", ")).</p>" }
        if let problem { body += "<p class=\"notice\" role=\"alert\">\(HTML.escape(problem))</p>" }
        body += """
            <form class="account" method="post" action="/submit">\(CSRF.field(viewer.csrfToken))
            <label>arXiv id or URL <input name="paper_id" required maxlength="300" value="\(HTML.escape(fields.paperID ?? ""))" \
            placeholder="2501.01234 or https://arxiv.org/abs/2501.01234"></label>
            <label>Comment (optional) <textarea name="comment" rows="3" maxlength="\(SubmitHandlers.commentLimit)">\
            \(HTML.escape(fields.comment ?? ""))</textarea></label>
            """
        // Only those who may set the rules aside are offered to.
        if SubmissionRules.mayOverride(viewer.user.role) {
            body += "<label class=\"check\"><input type=\"checkbox\" name=\"override\" value=\"true\"> Override the submission rules (\(HTML.escape(viewer.user.role.rawValue)))</label>"
        }
        body += "<button type=\"submit\">Submit</button></form>"
        return HTML.page(title: "Submit a paper", body: body, status: status)
    }
}
