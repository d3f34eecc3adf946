import Catalog
import Community
import Foundation
import PostgresNIO

/// Submissions (migration `002-community`), behaving as the SQLite backend's do. A submission
/// takes the writers' advisory lock that imports take, then reads the paper and the user's
/// count of the day, checks the rules and writes, in one transaction: two submissions at once,
/// on any servers, cannot both take the last place under the daily cap, nor both feature one
/// paper, nor race an import writing the same paper.
extension PostgresCatalog: SubmissionStore {
    public func submit(_ request: SubmissionRequest, metadata: PaperRecord?, rules: SubmissionRules) async throws -> SubmissionOutcome {
        try await perform("submit \(request.paper.value)") {
            try await self.transaction { db -> SubmissionOutcome in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.paperWriterLock))", logger: self.logger)
                let select: PostgresQuery = """
                    SELECT \(unescaped: PostgresPaperRow.columnList), local_upvotes, local_comments FROM papers WHERE id = \(request.paper.value)
                    """
                var stored: Paper?
                var local = LocalCounts.none
                for try await row in try await db.query(select, logger: self.logger) {
                    let cells = row.makeRandomAccess()
                    stored = try PostgresPaperRow.decode(cells)
                    let after = PostgresPaperRow.columns.count
                    local = LocalCounts(upvotes: try cells[after].decode(Int.self), comments: try cells[after + 1].decode(Int.self))
                }
                guard let found = request.paper(stored: stored, metadata: metadata, local: local) else { return .unknownPaper }
                let submittedToday = try await Self.count(db, logger: self.logger, """
                    SELECT count(*) FROM submissions
                    WHERE user_id = \(request.user.id) AND created_at >= \(request.dayStart) AND created_at < \(request.dayStart + 86_400)
                    """)
                // Nothing has been written yet: a refusal leaves the transaction empty.
                let paper: Paper
                switch request.feature(found, rules: rules, submissionsToday: submittedToday) {
                case .success(let featured): paper = featured
                case .failure(let refusal): return .refused(refusal)
                }
                let write = stored == nil ? PostgresPaperRow.insert([paper][...]) : PostgresPaperRow.update([paper][...])
                try await db.query(write.query, logger: self.logger)
                try await db.query("""
                    INSERT INTO submissions (paper_id, user_id, comment, overridden, created_at)
                    VALUES (\(paper.id.value), \(request.user.id), \(request.comment), \(request.override), \(request.createdAt))
                    """, logger: self.logger)
                try await Self.bumpContentVersion(db, logger: self.logger)
                return .submitted(try await PostgresPaperRow.decodeAll(db.query(
                    "SELECT \(unescaped: PostgresPaperRow.columnList) FROM papers WHERE id = \(paper.id.value)", logger: self.logger)
                ).first ?? paper)
            }
        }
    }

    public func submissions(paper: ArxivID) async throws -> [Submission] {
        try await perform("read the submissions of \(paper.value)") {
            var found: [Submission] = []
            let rows = try await self.client.query("""
                SELECT u.username, s.comment, s.overridden, s.created_at FROM submissions s JOIN users u ON u.id = s.user_id
                WHERE s.paper_id = \(paper.value) ORDER BY s.created_at, s.id
                """, logger: self.logger)
            for try await (username, comment, overridden, created) in rows.decode((String, String?, Bool, Int64).self) {
                found.append(Submission(
                    paper: paper, username: username, comment: comment, overridden: overridden, createdAt: Self.date(created)))
            }
            return found
        }
    }
}
