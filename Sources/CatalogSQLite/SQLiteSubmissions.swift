import Catalog
import Community
import Foundation
import GRDB

/// Submissions in the catalog's SQLite file (migration `008-submissions`). A submission reads
/// the paper and the user's count of the day, checks the rules and writes in one write
/// transaction: SQLite runs those one at a time, so two submissions at once cannot both take
/// the last place under the daily cap, nor both feature the same paper.
extension SQLiteCatalog: SubmissionStore {
    public func submit(_ request: SubmissionRequest, metadata: PaperRecord?, rules: SubmissionRules) async throws -> SubmissionOutcome {
        try await pool.write { db in
            let select = try db.cachedStatement(sql: "SELECT \(PaperRow.columnList) FROM papers WHERE id = ?")
            let stored = try PaperRow.fetch(request.paper, with: select, in: db)
            guard let found = request.paper(stored: stored, metadata: metadata) else { return .unknownPaper }
            let submittedToday = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM submissions WHERE user_id = ? AND created_at >= ? AND created_at < ?",
                arguments: [request.user.id, request.dayStart, request.dayStart + 86_400]) ?? 0
            // Nothing has been written yet: a refusal leaves the transaction empty.
            let paper: Paper
            switch request.feature(found, rules: rules, submissionsToday: submittedToday) {
            case .success(let featured): paper = featured
            case .failure(let refusal): return .refused(refusal)
            }
            if stored == nil {
                try PaperRow.insert(paper, with: try db.cachedStatement(sql: PaperRow.insertSQL), in: db)
            } else {
                try PaperRow.update(paper, with: try db.cachedStatement(sql: PaperRow.updateSQL), in: db)
            }
            try db.execute(
                sql: "INSERT INTO submissions (paper_id, user_id, comment, overridden, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [paper.id.value, request.user.id, request.comment, request.override ? 1 : 0, request.createdAt])
            try db.execute(sql: """
                INSERT INTO catalog_state (key, value) VALUES ('content_version', '1')
                ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                """)
            // Read back: triggers may have adjusted counts on the way in.
            return .submitted(try PaperRow.fetch(paper.id, with: select, in: db) ?? paper)
        }
    }

    public func submissions(paper: ArxivID) async throws -> [Submission] {
        try readNow { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT u.username, s.comment, s.overridden, s.created_at FROM submissions s JOIN users u ON u.id = s.user_id
                    WHERE s.paper_id = ? ORDER BY s.created_at, s.id
                    """,
                arguments: [paper.value]
            ).map { row in
                Submission(
                    paper: paper, username: row["username"], comment: row["comment"], overridden: row["overridden"] as Bool,
                    createdAt: Date(timeIntervalSince1970: TimeInterval(row["created_at"] as Int64)))
            }
        }
    }
}
