import Catalog
import Community
import Foundation
import Hummingbird
import NIOCore

/// Moderation through the JSON API, for curators and admins with a personal API token: hide a
/// comment for a reason or show it again (`POST`/`DELETE /api/comments/{id}/hide`), ban an
/// account or lift its ban (`PUT`/`DELETE /api/users/{name}/ban`). The forms under a paper
/// (`CommentHandlers.formHide`, `formBan`) do the same from a browser.
///
/// Refusals, in the order they are checked: 401 (no token, or an unknown or revoked one), 403
/// (the token's account is no moderator), 400 (a malformed id or body), 422 (a reason that
/// cannot be used; for hiding, the message lists those that can), 404 (no such comment or
/// account), 403 again from the store (an account whose role is as high as the moderator's).
/// A refusal stores nothing; the store checks the role again inside its transaction.
struct ModerationHandlers: Sendable {
    let comments: any CommentStore
    let community: any CommunityStore
    let configuration: CommunityConfiguration

    /// `POST /api/comments/{id}/hide` with `{"reason": "spam"}`: the comment's text goes from
    /// everyone but moderators, the reason shows in its place, and it leaves `numComments`.
    func apiHide(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let moderator: User, given: String?
        switch try await moderatorRequest(request, example: "{\"reason\": \"spam\"}") {
        case .refused(let answer): return answer
        case .accepted(let user, let reason): moderator = user; given = reason
        }
        guard let id = CommentHandlers.commentID(text) else { return Self.badCommentID(text) }
        guard let reason = given.flatMap(HideReason.init(rawValue:)) else {
            let choices = HideReason.allCases.map(\.rawValue).joined(separator: ", ")
            let what = given.map { "'\($0.prefix(40))' is not one of" } ?? "give one of"
            return DailyPapersAPI.error("reason: \(what) \(choices).", status: .unprocessableContent)
        }
        return try await moderate(id: id, by: moderator, reason: reason)
    }

    /// `DELETE /api/comments/{id}/hide`: shows a hidden comment again (a visible one stays so).
    func apiUnhide(_ request: Request, comment text: String) async throws -> BufferedResponse {
        let moderator: User
        switch try await moderatorRequest(request, example: nil) {
        case .refused(let answer): return answer
        case .accepted(let user, _): moderator = user
        }
        guard let id = CommentHandlers.commentID(text) else { return Self.badCommentID(text) }
        return try await moderate(id: id, by: moderator, reason: nil)
    }

    private func moderate(id: Int64, by moderator: User, reason: HideReason?) async throws -> BufferedResponse {
        do {
            let comment = try await comments.moderateComment(id: id, moderatorID: moderator.id, reason: reason, at: Date())
            return CommentHandlers.json(comment, status: .ok)
        } catch let error as CommentError {
            return DailyPapersAPI.error(error.description, status: CommentHandlers.status(error))
        }
    }

    /// `PUT /api/users/{name}/ban` with `{"reason": "..."}`, which the banned user is shown: no
    /// more comments or votes. Banning again replaces the reason.
    func apiBan(_ request: Request, user name: String) async throws -> BufferedResponse {
        let moderator: User, given: String?
        switch try await moderatorRequest(request, example: "{\"reason\": \"repeated spam\"}") {
        case .refused(let answer): return answer
        case .accepted(let user, let reason): moderator = user; given = reason
        }
        guard let reason = given.flatMap(Self.banReason) else {
            return DailyPapersAPI.error(Self.banReasonRule, status: .unprocessableContent)
        }
        return try await setBan(name, by: moderator, reason: reason)
    }

    /// `DELETE /api/users/{name}/ban`: lifts the ban (an account not banned stays so).
    func apiUnban(_ request: Request, user name: String) async throws -> BufferedResponse {
        let moderator: User
        switch try await moderatorRequest(request, example: nil) {
        case .refused(let answer): return answer
        case .accepted(let user, _): moderator = user
        }
        return try await setBan(name, by: moderator, reason: nil)
    }

    private func setBan(_ name: String, by moderator: User, reason: String?) async throws -> BufferedResponse {
        // Usernames are at most 32 characters; a longer name cannot be an account.
        guard name.count <= 100, let target = try await community.user(username: name) else {
            return DailyPapersAPI.error("There is no account named '\(name.prefix(100))'.", status: .notFound)
        }
        do {
            try await comments.setBan(userID: target.id, moderatorID: moderator.id, reason: reason, at: Date())
        } catch let error as CommentError {
            return DailyPapersAPI.error(error.description, status: CommentHandlers.status(error))
        }
        let ban = try await comments.ban(userID: target.id)
        var json = JSONWriter(capacity: 256)
        json.object { o in
            o.key("user")
            o.object { $0.field("name", target.username) }
            o.field("banned", ban != nil)
            if let ban {
                o.field("reason", ban.reason)
                o.field("moderator", ban.moderator)
                o.field("bannedAt", CommentPages.iso(ban.at))
            }
        }
        var answer = DailyPapersAPI.json(json.bytes)
        answer.headers[.cacheControl] = "no-store"
        return answer
    }

    // MARK: Shared with the ban form

    /// What a ban's reason must be, in words a moderator can act on.
    static let banReasonRule = "reason: say why, in 1 to \(CommentPages.maxBanReason) characters on one line; the user is shown it."

    /// The reason as stored (trimmed), or nil when it is empty, too long or spans lines.
    static func banReason(_ raw: String) -> String? {
        let reason = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...CommentPages.maxBanReason).contains(reason.count),
              !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        return reason
    }

    // MARK: Requests

    /// What a moderation body may hold.
    private struct Input: Decodable {
        var reason: String?
    }

    private enum ModeratorRequest {
        /// The moderator and, when the route takes a body, the reason it gives.
        case accepted(User, reason: String?)
        case refused(BufferedResponse)
    }

    /// The token's owner, who must be a curator or an admin, and the body's reason when
    /// `example` says what the body should look like (nil: the route takes none; it is not read).
    private func moderatorRequest(_ request: Request, example: String?) async throws -> ModeratorRequest {
        guard let user = try await SubmitHandlers.bearerUser(request, store: community) else {
            return .refused(VoteHandlers.unauthorized(
                request.headers[.authorization] == nil
                    ? "Send a personal API token: Authorization: Bearer TOKEN (make one on /account)."
                    : "The API token is unknown or has been revoked."))
        }
        guard user.role >= .curator else {
            return .refused(DailyPapersAPI.error(
                "Only curators and admins moderate; this token's account, \(user.username), is a \(user.role.rawValue).", status: .forbidden))
        }
        guard let example else { return .accepted(user, reason: nil) }
        var request = request
        let bytes: ByteBuffer
        do { bytes = try await request.collectBody(upTo: configuration.maxFormBytes) } catch is NIOTooManyBytesError {
            return .refused(DailyPapersAPI.error("The body is larger than \(configuration.maxFormBytes) bytes.", status: .contentTooLarge))
        }
        guard let input = try? JSONDecoder().decode(Input.self, from: Data(bytes.readableBytesView)) else {
            return .refused(DailyPapersAPI.error("The body must be a JSON object: \(example).", status: .badRequest))
        }
        return .accepted(user, reason: input.reason)
    }

    private static func badCommentID(_ text: String) -> BufferedResponse {
        DailyPapersAPI.error("id: '\(text.prefix(40))' is not a comment number", status: .badRequest)
    }
}
