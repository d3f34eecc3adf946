import Catalog
import Community
import NIOConcurrencyHelpers

/// The signed-in person a page is being made for, while it is made (a task-local value set by
/// `SessionMiddleware`): the header shows their name, vote buttons their votes, and every form
/// carries their session's CSRF token. Pages made with no viewer are the same for everyone and
/// may be cached; pages made with one never are.
final class Viewer: Sendable {
    @TaskLocal static var current: Viewer?

    let user: User
    let csrfToken: String
    /// The path of the page being made, for forms that come back to it.
    let path: String
    private let store: any CommunityStore
    private let voted = NIOLockedValueBox(Set<ArxivID>())

    init(user: User, csrfToken: String, path: String, store: any CommunityStore) {
        self.user = user
        self.csrfToken = csrfToken
        self.path = path
        self.store = store
    }

    /// Looks up which of these papers the viewer voted for, before their cards are drawn.
    func learnVotes(_ papers: [ArxivID]) async throws {
        let found = try await store.votedPapers(userID: user.id, among: papers)
        voted.withLockedValue { $0.formUnion(found) }
    }

    func hasVoted(_ paper: ArxivID) -> Bool { voted.withLockedValue { $0.contains(paper) } }
}
