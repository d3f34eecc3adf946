/// What applying one record to the catalog does.
public enum MergeOutcome: Sendable, Equatable {
    case insert(Paper)
    case update(Paper)
    case unchanged
    /// The record cannot become a paper (a new id without a title, say); the reason says why.
    case rejected(String)
}

/// What this site added on its own to a stored paper's Daily Papers counts: votes cast and
/// comments written here. A paper's `upvotes` and `numComments` are the Hub's counts plus
/// these; records bring the Hub's counts alone, so the merge must compare like with like.
public struct LocalCounts: Sendable, Equatable {
    public var upvotes: Int
    public var comments: Int

    public init(upvotes: Int = 0, comments: Int = 0) {
        self.upvotes = upvotes
        self.comments = comments
    }

    /// A catalog without a community of its own: the counts are the Hub's.
    public static let none = LocalCounts()
}

/// The merge rules, as one pure function so that every backend applies the same ones.
///
/// - arXiv metadata follow the version: a record of a newer version replaces the fields it
///   carries; one of the same version (or a source that knows no version) only fills fields the
///   catalog lacks; an older one never changes them.
/// - Daily Papers fields merge so that the order of imports does not matter: the earliest
///   featured date, the highest Hub upvote and comment counts, the first known submitter.
///   `local` is the part of the stored counts that came from this site; the Hub's part is
///   compared with the record's and the local part is added back, so votes and comments made
///   here are never lost and every change of the Hub's count shows.
/// - A GitHub repository or project page missing from every record is looked for in the
///   abstract and the comment.
///
/// Because each rule is idempotent, applying the same record twice changes nothing.
public func merge(stored: Paper?, with record: PaperRecord, local: LocalCounts = .none) -> MergeOutcome {
    guard let stored else {
        guard let title = record.title.nonEmpty else { return .rejected("no title for new paper \(record.id)") }
        var paper = Paper(id: record.id, version: record.version ?? 0, title: title, abstract: record.abstract ?? "")
        paper.authors = record.authors
        paper.categories = record.categories
        paper.published = record.published
        paper.updated = record.updated
        paper.comment = record.comment.nonEmpty
        paper.journalRef = record.journalRef.nonEmpty
        paper.doi = record.doi.nonEmpty
        paper.license = record.license.nonEmpty
        paper.githubRepo = record.githubRepo.nonEmpty
        paper.projectPage = record.projectPage.nonEmpty
        mergeDailyPapersFields(into: &paper, from: record, local: .none)
        fillLinksFromText(&paper)
        return .insert(paper)
    }

    var paper = stored
    let relation = versionRelation(stored: stored, record: record)
    if relation == .newer {
        paper.version = max(stored.version, record.version ?? 0)
        replace(&paper.title, with: record.title)
        replace(&paper.abstract, with: record.abstract)
        if !record.authors.isEmpty { paper.authors = record.authors }
        if !record.categories.isEmpty { paper.categories = record.categories }
        replace(&paper.published, with: record.published)
        replace(&paper.updated, with: record.updated)
        replace(&paper.comment, with: record.comment)
        replace(&paper.journalRef, with: record.journalRef)
        replace(&paper.doi, with: record.doi)
        replace(&paper.license, with: record.license)
        paper.deleted = false
    } else if relation == .same {
        if paper.title.isEmpty, let title = record.title.nonEmpty { paper.title = title }
        if paper.abstract.isEmpty, let abstract = record.abstract.nonEmpty { paper.abstract = abstract }
        if paper.authors.isEmpty { paper.authors = record.authors }
        if paper.categories.isEmpty { paper.categories = record.categories }
        fill(&paper.published, with: record.published)
        fill(&paper.updated, with: record.updated)
        fill(&paper.comment, with: record.comment)
        fill(&paper.journalRef, with: record.journalRef)
        fill(&paper.doi, with: record.doi)
        fill(&paper.license, with: record.license)
    }
    // Links named by a record outrank links guessed from the text, whatever the version.
    if let repo = record.githubRepo.nonEmpty, paper.githubRepo != repo, !stored.linksAreExplicit(repo: repo) {
        paper.githubRepo = repo
    }
    fill(&paper.projectPage, with: record.projectPage)
    mergeDailyPapersFields(into: &paper, from: record, local: local)
    fillLinksFromText(&paper)
    return paper == stored ? .unchanged : .update(paper)
}

enum VersionRelation { case newer, same, older }

/// Compares the record's arXiv version with the stored one: by version number when both are
/// known, else by last-updated date (the OAI `arXiv` format gives dates but no numbers), else
/// they count as the same version.
func versionRelation(stored: Paper, record: PaperRecord) -> VersionRelation {
    if let incoming = record.version, stored.version > 0 {
        return incoming > stored.version ? .newer : incoming == stored.version ? .same : .older
    }
    if let incoming = record.updated, let current = stored.updated {
        return incoming > current ? .newer : incoming == current ? .same : .older
    }
    if let incoming = record.version, incoming > 0, stored.version == 0 { return .newer }
    return .same
}

/// Applies an OAI-PMH deletion.
public func mergeDeletion(stored: Paper?) -> MergeOutcome {
    guard var paper = stored, !paper.deleted else { return .unchanged }
    paper.deleted = true
    return .update(paper)
}

private func mergeDailyPapersFields(into paper: inout Paper, from record: PaperRecord, local: LocalCounts) {
    if let day = record.featuredDate.nonEmpty {
        if let current = paper.featuredDate { paper.featuredDate = min(current, day) } else { paper.featuredDate = day }
    }
    fill(&paper.submittedBy, with: record.submittedBy)
    // Compared with the Hub's part of the stored total: against the total, a Hub count that
    // grew but stayed below it (the local votes making up the rest) would be ignored.
    if let upvotes = record.upvotes { paper.upvotes = max(paper.upvotes - local.upvotes, upvotes) + local.upvotes }
    if let comments = record.numComments { paper.numComments = max(paper.numComments - local.comments, comments) + local.comments }
    if let stars = record.githubStars { paper.githubStars = max(paper.githubStars ?? 0, stars) }
    fill(&paper.organization, with: record.organization)
}

private func fillLinksFromText(_ paper: inout Paper) {
    for text in [paper.comment ?? "", paper.abstract] where paper.githubRepo == nil || paper.projectPage == nil {
        let found = LinkFinder.links(in: text)
        if paper.githubRepo == nil { paper.githubRepo = found.githubRepository }
        if paper.projectPage == nil { paper.projectPage = found.projectPage }
    }
}

extension Paper {
    /// A stored repository that equals the one guessed from the text was itself a guess, which an
    /// explicit record may replace; any other stored repository came from a record and stays.
    fileprivate func linksAreExplicit(repo: String) -> Bool {
        guard let current = githubRepo else { return false }
        let guessed = LinkFinder.githubRepository(in: comment ?? "") ?? LinkFinder.githubRepository(in: abstract)
        return current != guessed
    }
}

private func replace(_ field: inout String, with value: String?) {
    if let value = value.nonEmpty { field = value }
}

private func replace(_ field: inout String?, with value: String?) {
    if let value = value.nonEmpty { field = value }
}

private func fill(_ field: inout String?, with value: String?) {
    if field == nil, let value = value.nonEmpty { field = value }
}

extension Optional where Wrapped == String {
    /// The string, unless it is nil or blank.
    var nonEmpty: String? {
        guard let self, !self.isEmpty, self.contains(where: { !$0.isWhitespace }) else { return nil }
        return self
    }
}
