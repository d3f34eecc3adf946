import GRDB

/// Migration 009: users' collections of papers (issue 5).
enum SQLiteCollectionsSchema {
    static func create(_ db: Database) throws {
    }
}
