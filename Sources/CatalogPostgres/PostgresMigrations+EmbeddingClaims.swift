extension PostgresMigrations {
    /// Several servers embed the backlog at once: a paper handed to one of them is claimed until
    /// `claimed_until` (seconds since 1970), so the others take the next ones instead of
    /// computing the same vectors. A claim that runs out (its server died) is taken again.
    static let embeddingClaims = Migration(name: "004-embedding-claims", statements: [
        "ALTER TABLE embedding_pending ADD COLUMN claimed_until bigint",
    ])
}
