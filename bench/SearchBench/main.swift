// search-bench: the measurements of issue 4 that need Paperboy's own search code in process.
//
//   search-bench eval --database D --queries Q.jsonl
//       Known-item retrieval quality: each line of Q is {"id": …, "query": …}, a paper's title;
//       the catalog D holds the papers with their titles removed. Reports Recall@10 and MRR@10
//       for keyword, semantic and hybrid search as served, and for semantic search over the
//       exact Float32 vectors, which tells what quantising the in-memory index costs.
//   search-bench latency --database D --queries Q.jsonl [--synthetic N]
//       Query latency of PaperSearch per mode (p50, p99), plus the index's memory. With
//       --synthetic, the index holds N vectors made from the stored ones plus noise, assigned
//       to the first N papers of D (the 1M-paper measurement), instead of the stored vectors.
//
// Run by bench/search_benchmark.sh, which prepares the catalogs and queries.
import Catalog
import CatalogSQLite
import Embeddings
import Foundation
import GRDB
import SemanticSearch

struct Query: Decodable { let id: String; let query: String }

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("search-bench: \(message)\n".utf8))
    exit(2)
}

func loadQueries(_ path: String) -> [Query] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    return text.split(separator: "\n").map { line in
        guard let q = try? JSONDecoder().decode(Query.self, from: Data(line.utf8)) else { fail("bad query line: \(line.prefix(80))") }
        return q
    }
}

func residentMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}

func progress(_ label: String, _ done: Int, _ total: Int) {
    if done % max(1, total / 20) == 0 || done == total {
        FileHandle.standardError.write(Data("\r\(label): \(done)/\(total)".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

guard CommandLine.arguments.count > 1 else { fail("usage: search-bench eval|latency --database D --queries Q.jsonl [--synthetic N]") }
guard let database = argument("--database"), let queriesPath = argument("--queries") else { fail("--database and --queries are required") }
let modelFolder = argument("--model") ?? ProcessInfo.processInfo.environment["PAPERBOY_MODEL_DIR"] ?? "models/all-MiniLM-L6-v2"
let catalog = try SQLiteCatalog(path: database)
try await catalog.migrate()
let embedder = try SentenceEmbedder(modelFolder: modelFolder, threads: 1)
let modelName = URL(fileURLWithPath: modelFolder).standardizedFileURL.lastPathComponent
let index = SemanticIndex(catalog: catalog, embedder: embedder, modelName: modelName)
var search = PaperSearch(catalog: catalog, semantic: index)
if let weight = argument("--keyword-weight").flatMap(Double.init) { search.keywordWeight = weight }
let queries = loadQueries(queriesPath)

switch CommandLine.arguments[1] {
case "eval":
    try await index.refresh()
    guard index.vectors.count > 0 else { fail("no vectors in \(database): run paperboy embed first") }
    // The exact Float32 vectors, for the unquantised reference.
    var exactIDs: [ArxivID] = []
    var exact: [Float] = []
    var position: VectorPosition?
    while case let page = try await catalog.embeddings(model: modelName, after: position, limit: 10_000), let last = page.last {
        for v in page { exactIDs.append(v.id); exact += v.vector }
        position = last.position
    }
    let dimension = embedder.dimension
    func exactTop10(_ q: [Float]) -> [ArxivID] {
        var scored: [(Float, Int)] = []
        scored.reserveCapacity(exactIDs.count)
        exact.withUnsafeBufferPointer { v in
            for row in 0..<exactIDs.count {
                var dot: Float = 0
                for i in 0..<dimension { dot += v[row * dimension + i] * q[i] }
                scored.append((dot, row))
            }
        }
        return scored.sorted { $0.0 > $1.0 }.prefix(10).map { exactIDs[$0.1] }
    }

    let dump = argument("--dump").map { path -> FileHandle in
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)!
    }
    let methods = ["keyword", "semantic", "hybrid", "semantic, exact Float32"]
    var found = [Int](repeating: 0, count: methods.count)
    var reciprocal = [Double](repeating: 0, count: methods.count)
    var overlap = 0
    for (n, q) in queries.enumerated() {
        var lists: [[ArxivID]] = []
        for mode in [SearchMode.keyword, .semantic, .hybrid] {
            let results = try await search.search(q.query, mode: mode, limit: 10)
            if results.mode != mode { fail("\(mode) ran as \(results.mode): \(results.notice ?? "")") }
            lists.append(results.hits.map(\.paper.id))
        }
        if let dump {
            // The two lists hybrid fuses, 100 deep, with their scores (BM25, cosine), for
            // studying fusion offline.
            let words = try await search.search(q.query, mode: .keyword, limit: 100).hits.map { [$0.paper.id.value, $0.score] as [Any] }
            let meaning = index.search(SearchQuery(parsing: q.query).semanticText, k: 100).map { [$0.id.value, Double($0.score)] as [Any] }
            let line = try JSONSerialization.data(withJSONObject: ["id": q.id, "keyword": words, "semantic": meaning])
            dump.write(line + Data("\n".utf8))
        }
        let exactList = exactTop10(embedder.embed(SearchQuery(parsing: q.query).semanticText))
        lists.append(exactList)
        overlap += Set(lists[1]).intersection(exactList).count
        for (m, list) in lists.enumerated() {
            if let rank = list.firstIndex(where: { $0.value == q.id }) {
                found[m] += 1
                reciprocal[m] += 1 / Double(rank + 1)
            }
        }
        progress("eval", n + 1, queries.count)
    }
    print("Known-item search: \(queries.count) queries (titles) over \(index.vectors.count) papers indexed without their titles\n")
    print("| method | Recall@10 | MRR@10 |")
    print("|---|---|---|")
    for (m, name) in methods.enumerated() {
        print("| \(name) | \(String(format: "%.3f", Double(found[m]) / Double(queries.count))) | \(String(format: "%.3f", reciprocal[m] / Double(queries.count))) |")
    }
    print("\nint8 index vs exact Float32: \(String(format: "%.1f", 100 * Double(overlap) / Double(queries.count * 10)))% of the exact top 10 found")

case "latency":
    let before = residentMegabytes()
    let started = Date()
    if let synthetic = argument("--synthetic").flatMap(Int.init) {
        // Stored vectors as seeds: synthetic ones are seeds plus noise, so queries find
        // neighbours above the similarity floor as they would in a real catalog.
        let seeds = try await seedVectors()
        guard !seeds.isEmpty else { fail("no stored vectors to seed synthetic ones") }
        let ids = try await readIDs(path: database, limit: synthetic)
        index.vectors.reserveCapacity(ids.count)
        addSynthetic(ids: ids, seeds: seeds, to: index.vectors)
    } else {
        try await index.refresh()
    }
    let loadSeconds = Date().timeIntervalSince(started)
    let after = residentMegabytes()
    print("Index: \(index.vectors.count) vectors, \(index.vectors.memoryBytes / 1_048_576) MiB held by the index; process RSS \(Int(before)) MiB before, \(Int(after)) MiB after (\(Int(after - before)) MiB for the vectors); built in \(String(format: "%.1f", loadSeconds)) s\n")
    if index.vectors.count >= index.vectors.prefilterFrom, let synthetic = argument("--synthetic").flatMap(Int.init) {
        // What the sign-code prefilter costs: its top 10 and top 100 against a full int8 scan
        // of the same vectors, for the first 100 queries.
        let full = VectorIndex(dimension: embedder.dimension, prefilterFrom: .max)
        full.reserveCapacity(synthetic)
        addSynthetic(ids: try await readIDs(path: database, limit: synthetic), seeds: try await seedVectors(), to: full)
        var kept10 = 0, kept100 = 0, fullTimes: [Double] = [], filteredTimes: [Double] = []
        let clock = ContinuousClock()
        for q in queries.prefix(100) {
            let vector = embedder.embed(SearchQuery(parsing: q.query).semanticText)
            var exact: [(id: ArxivID, score: Float)] = [], found: [(id: ArxivID, score: Float)] = []
            fullTimes.append(milliseconds(clock.measure { exact = full.nearest(to: vector, k: 100) }))
            filteredTimes.append(milliseconds(clock.measure { found = index.vectors.nearest(to: vector, k: 100) }))
            kept10 += Set(found.prefix(10).map(\.id)).intersection(exact.prefix(10).map(\.id)).count
            kept100 += Set(found.map(\.id)).intersection(exact.map(\.id)).count
        }
        fullTimes.sort(); filteredTimes.sort()
        let n = Double(min(100, queries.count))
        print("Sign-code prefilter (\(VectorIndex.candidateCount(k: 100, count: index.vectors.count)) candidates for k = 100): "
            + "\(String(format: "%.1f", Double(kept10) / n * 10))% of the full int8 scan's top 10 and \(String(format: "%.1f", Double(kept100) / n))% of its top 100; "
            + "scan p50 \(String(format: "%.1f", percentile(filteredTimes, 0.5))) ms against \(String(format: "%.1f", percentile(fullTimes, 0.5))) ms for the full scan\n")
    }
    let papers = try await catalog.paperCount()
    print("Query latency over \(papers) papers, \(queries.count) queries per mode, limit 30 (one page), in process, after one warm-up pass:\n")
    print("| mode | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|")
    let clock = ContinuousClock()
    var embedTimes: [Double] = [], scanTimes: [Double] = []
    for q in queries.prefix(100) {
        var vector: [Float] = []
        embedTimes.append(milliseconds(clock.measure { vector = embedder.embed(q.query) }))
        scanTimes.append(milliseconds(clock.measure { _ = index.vectors.nearest(to: vector, k: 100) }))
    }
    embedTimes.sort(); scanTimes.sort()
    print("Parts of a semantic query (p50): embedding the query \(String(format: "%.1f", percentile(embedTimes, 0.5))) ms, scanning the vectors \(String(format: "%.1f", percentile(scanTimes, 0.5))) ms\n")
    for mode in SearchMode.allCases {
        for q in queries.prefix(20) { _ = try await search.search(q.query, mode: mode, limit: 30) }
        var times: [Double] = []
        for (n, q) in queries.enumerated() {
            let elapsed = try await clock.measure { _ = try await search.search(q.query, mode: mode, limit: 30) }
            times.append(milliseconds(elapsed))
            progress(mode.rawValue, n + 1, queries.count)
        }
        times.sort()
        let mean = times.reduce(0, +) / Double(times.count)
        print("| \(mode.rawValue) | \(String(format: "%.1f", percentile(times, 0.5))) | \(String(format: "%.1f", percentile(times, 0.99))) | \(String(format: "%.1f", mean)) |")
    }
default:
    fail("unknown command \(CommandLine.arguments[1]): eval or latency")
}

/// The ids of the first `limit` papers of the catalog file at `path`, in storage order (the
/// synthetic vectors are given to these), read through a connection of its own.
func readIDs(path: String, limit: Int) async throws -> [ArxivID] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    return try await queue.read { db in
        try String.fetchAll(db, sql: "SELECT id FROM papers WHERE deleted = 0 ORDER BY rowid LIMIT ?", arguments: [limit]).compactMap(ArxivID.init)
    }
}

func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }

/// Up to 20,000 stored vectors: the seeds of synthetic ones, which are seeds plus noise, so
/// queries find neighbours above the similarity floor as they would in a real catalog.
func seedVectors() async throws -> [[Float]] {
    var seeds: [[Float]] = []
    var position: VectorPosition?
    while seeds.count < 20_000, case let page = try await catalog.embeddings(model: modelName, after: position, limit: 10_000), let last = page.last {
        seeds += page.map(\.vector)
        position = last.position
    }
    return seeds
}

/// One synthetic vector per id, the same ones every run: seed `n % seeds` plus noise.
func addSynthetic(ids: [ArxivID], seeds: [[Float]], to index: VectorIndex) {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15  // xorshift: fast, and the same vectors every run
    func noise() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23) * 0.05
    }
    var batch: [(id: ArxivID, vector: [Float])] = []
    for (n, id) in ids.enumerated() {
        var v = seeds[n % seeds.count].map { $0 + noise() }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in v.indices { v[i] /= norm }
        batch.append((id, v))
        if batch.count == 10_000 { index.add(batch); batch.removeAll(keepingCapacity: true) }
        progress("synthetic vectors", n + 1, ids.count)
    }
    index.add(batch)
}
