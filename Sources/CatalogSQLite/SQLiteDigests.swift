import GRDB

/// Migration 010: email subscriptions and the digest delivery ledger (issue 6).
enum SQLiteDigestsSchema {
    static func create(_ db: Database) throws {
    }
}
