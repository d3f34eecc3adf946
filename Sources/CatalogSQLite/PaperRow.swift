import Catalog
import Foundation
import GRDB

/// Maps `Paper` to and from a row of the `papers` table, column by column, by hand: imports
/// write hundreds of thousands of rows a minute and cannot afford a generic encoder.
enum PaperRow {
    static let columns = [
        "id", "version", "title", "abstract", "authors", "categories", "published", "updated", "comment",
        "journal_ref", "doi", "license", "github_repo", "project_page", "featured_date", "submitted_by",
        "upvotes", "num_comments", "github_stars", "organization", "deleted",
    ]
    static let columnList = columns.joined(separator: ", ")
    static let insertSQL =
        "INSERT INTO papers (\(columnList)) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    static let updateSQL =
        "UPDATE papers SET \(columns.dropFirst().map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"

    /// Values of every column but the id, in `columns` order.
    private static func values(_ p: Paper) -> [(any DatabaseValueConvertible)?] {
        [
            p.version, p.title, p.abstract, JSONStringArray.encode(p.authors), p.categories.joined(separator: " "),
            p.published, p.updated, p.comment, p.journalRef, p.doi, p.license, p.githubRepo, p.projectPage,
            p.featuredDate, p.submittedBy, p.upvotes, p.numComments, p.githubStars, p.organization, p.deleted,
        ]
    }

    /// Arguments for `insertSQL`: the id first.
    static func insertArguments(_ p: Paper) -> StatementArguments { StatementArguments([p.id.value] + values(p)) }

    /// Arguments for `updateSQL`: the id last, in the WHERE clause.
    static func updateArguments(_ p: Paper) -> StatementArguments { StatementArguments(values(p) + [p.id.value]) }

    static func paper(from row: Row) -> Paper {
        Paper(
            id: ArxivID(row[0] as String) ?? ArxivID("0704.0001")!,
            version: row[1],
            title: row[2],
            abstract: row[3],
            authors: JSONStringArray.decode(row[4]),
            categories: (row[5] as String).split(separator: " ").map(String.init),
            published: row[6],
            updated: row[7],
            comment: row[8],
            journalRef: row[9],
            doi: row[10],
            license: row[11],
            githubRepo: row[12],
            projectPage: row[13],
            featuredDate: row[14],
            submittedBy: row[15],
            upvotes: row[16],
            numComments: row[17],
            githubStars: row[18],
            organization: row[19],
            deleted: row[20]
        )
    }
}

/// A JSON array of strings, written and read without Foundation's JSON machinery.
enum JSONStringArray {
    static func encode(_ strings: [String]) -> String {
        var out = "["
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return out + "]"
    }

    static func decode(_ text: String) -> [String] {
        guard let data = text.data(using: .utf8),
              let strings = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return strings
    }
}
