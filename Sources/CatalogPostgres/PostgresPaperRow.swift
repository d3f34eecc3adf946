import Catalog
import PostgresNIO

/// Maps `Paper` to and from a row of the `papers` table, column by column.
enum PostgresPaperRow {
    /// Column names with the SQL type each parameter is cast to: a batch's `VALUES` rows are
    /// typed from their parameters, and a NULL parameter carries no type of its own.
    static let typedColumns: [(name: String, type: String)] = [
        ("id", "text"), ("version", "integer"), ("title", "text"), ("abstract", "text"), ("authors", "text[]"),
        ("categories", "text[]"), ("published", "text"), ("updated", "text"), ("comment", "text"),
        ("journal_ref", "text"), ("doi", "text"), ("license", "text"), ("github_repo", "text"), ("project_page", "text"),
        ("featured_date", "text"), ("submitted_by", "text"), ("upvotes", "integer"), ("num_comments", "integer"),
        ("github_stars", "integer"), ("organization", "text"), ("deleted", "boolean"),
    ]
    static let columns = typedColumns.map(\.name)
    static let columnList = columns.joined(separator: ", ")

    /// `columnList` with every column prefixed, for joins.
    static func columnList(prefix: String) -> String { columns.map { "\(prefix).\($0)" }.joined(separator: ", ") }

    /// Rows per multi-row statement: 21 parameters a paper stays well under PostgreSQL's 65,535
    /// parameters a statement, and a batch of 2,000 papers goes in two round trips.
    static let rowsPerStatement = 1_000

    /// Appends one `(…)` row of `VALUES` for `paper`, its parameters cast to the columns' types.
    static func appendValues(_ p: Paper, to sql: inout SQLStatement) {
        var values: [String] = []
        values.reserveCapacity(typedColumns.count)
        func add(_ placeholder: String) { values.append("\(placeholder)::\(typedColumns[values.count].type)") }
        add(sql.bind(p.id.value))
        add(sql.bind(p.version))
        add(sql.bind(p.title))
        add(sql.bind(p.abstract))
        add(sql.bind(p.authors))
        add(sql.bind(p.categories))
        add(sql.bind(p.published))
        add(sql.bind(p.updated))
        add(sql.bind(p.comment))
        add(sql.bind(p.journalRef))
        add(sql.bind(p.doi))
        add(sql.bind(p.license))
        add(sql.bind(p.githubRepo))
        add(sql.bind(p.projectPage))
        add(sql.bind(p.featuredDate))
        add(sql.bind(p.submittedBy))
        add(sql.bind(p.upvotes))
        add(sql.bind(p.numComments))
        add(sql.bind(p.githubStars))
        add(sql.bind(p.organization))
        add(sql.bind(p.deleted))
        sql.text += "(" + values.joined(separator: ", ") + ")"
    }

    /// `INSERT` of new papers, in one statement.
    static func insert(_ papers: ArraySlice<Paper>) -> SQLStatement {
        var sql = SQLStatement("INSERT INTO papers (\(columnList)) VALUES ")
        for (i, paper) in papers.enumerated() {
            if i > 0 { sql.text += ", " }
            appendValues(paper, to: &sql)
        }
        return sql
    }

    /// `UPDATE` of stored papers from one `VALUES` list, in one statement.
    static func update(_ papers: ArraySlice<Paper>) -> SQLStatement {
        var sql = SQLStatement("UPDATE papers AS p SET \(columns.dropFirst().map { "\($0) = v.\($0)" }.joined(separator: ", ")) FROM (VALUES ")
        for (i, paper) in papers.enumerated() {
            if i > 0 { sql.text += ", " }
            appendValues(paper, to: &sql)
        }
        sql.text += ") AS v (\(columnList)) WHERE p.id = v.id"
        return sql
    }

    /// Reads `columns`, in order, from column `first` of `row` on.
    static func decode(_ row: PostgresRandomAccessRow, from first: Int = 0) throws -> Paper {
        func cell(_ i: Int) -> PostgresCell { row[first + i] }
        let idText = try cell(0).decode(String.self)
        // Ids are validated before they are stored; one that no longer parses was written by
        // something else, which is worth an error rather than a made-up paper.
        guard let id = ArxivID(idText) else { throw InvalidStoredID(text: idText) }
        return Paper(
            id: id, version: try cell(1).decode(Int.self), title: try cell(2).decode(String.self),
            abstract: try cell(3).decode(String.self), authors: try cell(4).decode([String].self),
            categories: try cell(5).decode([String].self), published: try cell(6).decode(String?.self),
            updated: try cell(7).decode(String?.self), comment: try cell(8).decode(String?.self),
            journalRef: try cell(9).decode(String?.self), doi: try cell(10).decode(String?.self),
            license: try cell(11).decode(String?.self), githubRepo: try cell(12).decode(String?.self),
            projectPage: try cell(13).decode(String?.self), featuredDate: try cell(14).decode(String?.self),
            submittedBy: try cell(15).decode(String?.self), upvotes: try cell(16).decode(Int.self),
            numComments: try cell(17).decode(Int.self), githubStars: try cell(18).decode(Int?.self),
            organization: try cell(19).decode(String?.self), deleted: try cell(20).decode(Bool.self))
    }

    /// Every row of `rows`, which select `columnList` first.
    static func decodeAll(_ rows: PostgresRowSequence) async throws -> [Paper] {
        var papers: [Paper] = []
        for try await row in rows { papers.append(try decode(row.makeRandomAccess())) }
        return papers
    }

    struct InvalidStoredID: Error, CustomStringConvertible {
        var text: String
        var description: String { "papers.id '\(text)' is not an arXiv id" }
    }
}

/// SQL text with its bound parameters, for statements whose shape depends on the input
/// (filters, batch sizes). Every value goes in as a parameter (`bind` answers its `$n`), never
/// as text: nothing a user types or an input file holds is read as SQL or as tsquery syntax.
struct SQLStatement {
    var text: String
    var binds = PostgresBindings()

    init(_ text: String = "") { self.text = text }

    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}
