// swift-tools-version:6.1
import PackageDescription

// Strict Swift 6 concurrency everywhere, plus the upcoming features the Hummingbird
// project turns on: they keep `any` explicit and imports honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The embedder's forward pass and the vector scan are arithmetic loops that run 15 times slower
// unoptimised: these targets are optimised in debug builds too, so tests and `swift run` embed
// at a usable speed. (Release builds are optimised anyway.)
let optimisedAlways: [SwiftSetting] = swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Paperboy",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "paperboy", targets: ["paperboy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The thin executable: parses the command line and hands over to PaperboyCLI.
        .executableTarget(
            name: "paperboy",
            dependencies: ["PaperboyCLI"],
            swiftSettings: swiftSettings
        ),
        // Subcommands (import, ingest, papers, db, serve): wiring only, no business logic.
        .target(
            name: "PaperboyCLI",
            dependencies: [
                "Catalog", "CatalogSQLite", "Importers", "ArxivClient", "PaperboyServer", "Embeddings", "SemanticSearch", "Community",
                "Digests", "Mail", "CatalogPostgres", "DatabaseCopy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The domain: arXiv ids, paper records, merge rules, the storage protocol.
        .target(name: "Catalog", swiftSettings: swiftSettings),
        // Accounts, sessions, API tokens and upvotes (issue 5): the rules and the storage protocol.
        .target(
            name: "Community",
            dependencies: [
                "Catalog",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded default backend: one SQLite file through GRDB.
        .target(
            name: "CatalogSQLite",
            dependencies: [
                "Catalog", "Community", "Digests",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Streaming readers and the parsers of every wire format, plus the import runner.
        .target(name: "Importers", dependencies: ["Catalog", "CZlib"], swiftSettings: swiftSettings),
        // zlib, for reading .gz files as a stream.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Live harvesting from the arXiv API and OAI-PMH: polite rate limit, retries.
        .target(
            name: "ArxivClient",
            dependencies: [
                "Catalog", "Importers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web site, feeds and JSON API (Hummingbird), with metrics and access logs.
        .target(
            name: "PaperboyServer",
            dependencies: [
                "Catalog", "SemanticSearch", "Community", "ArxivClient", "Importers", "Digests", "Mail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sentence embeddings in-process: WordPiece tokenizer, safetensors reader, BERT forward pass.
        .target(name: "Embeddings", dependencies: ["COpenBLAS", "CMatrixKernels"], swiftSettings: optimisedAlways),
        // OpenBLAS, as a system library, for the embedder's matrix multiplies.
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        // The embedder's linear layers in bfloat16 (AVX512-BF16), with the weights packed once.
        .target(name: "CMatrixKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // Keyword, semantic and hybrid search over the catalog; the in-memory vector index.
        .target(
            name: "SemanticSearch",
            dependencies: ["Catalog", "Embeddings", "CVectorKernels"],
            swiftSettings: optimisedAlways
        ),
        // The vector index's scoring loop in C, built for several instruction sets.
        .target(name: "CVectorKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // Issue 4's search measurements (retrieval quality, latency, memory); run by
        // bench/search_benchmark.sh, not part of the product.
        .executableTarget(
            name: "search-bench",
            dependencies: [
                "Catalog", "CatalogSQLite", "Embeddings", "SemanticSearch",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "bench/SearchBench",
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets (paths to ../shared, scratch catalogs).
        .target(
            name: "TestSupport",
            dependencies: ["CatalogSQLite", "CatalogPostgres", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "CatalogTests",
            dependencies: ["Catalog", "CatalogSQLite", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImportersTests",
            dependencies: ["Importers", "Catalog", "CatalogSQLite", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArxivClientTests",
            dependencies: [
                "ArxivClient", "Importers", "Catalog", "CatalogSQLite", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "PaperboyServer", "Catalog", "CatalogSQLite", "CatalogPostgres", "Importers", "TestSupport", "SemanticSearch", "Embeddings",
                "Community", "Digests", "Mail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "EmbeddingsTests", dependencies: ["Embeddings"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SemanticSearchTests",
            dependencies: ["SemanticSearch", "Catalog", "CatalogSQLite", "Embeddings", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CommunityTests",
            dependencies: ["Community", "Catalog", "CatalogSQLite", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        // Mail delivery (issue 6): Paperboy's own SMTP client on SwiftNIO, the MIME writer, retries.
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailTests",
            dependencies: [
                "Mail",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The real SMTP server the tests start, and the reader of what it received.
            exclude: ["smtp_server.py", "read_messages.py"],
            swiftSettings: swiftSettings
        ),
        // Email digests (issue 6): subscriptions, signed links, the digest itself, and the
        // ledger-driven sender that delivers each (subscriber, period) exactly once.
        .target(
            name: "Digests",
            dependencies: [
                "Catalog", "Mail", "Community",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DigestsTests",
            dependencies: ["Digests", "Mail", "Catalog", "CatalogSQLite", "TestSupport"],
            // The golden files the composer's snapshot tests compare with, read by path.
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL backend (issue 7): the same storage protocols on PostgresNIO, for
        // many instances on one database.
        .target(
            name: "CatalogPostgres",
            dependencies: [
                "Catalog", "Community", "Digests",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // `paperboy db copy`: an installation's SQLite file moved to PostgreSQL, resumably.
        .target(
            name: "DatabaseCopy",
            dependencies: ["Catalog", "CatalogSQLite", "CatalogPostgres"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CatalogPostgresTests",
            dependencies: [
                "CatalogPostgres", "Catalog", "CatalogSQLite", "Community", "Digests", "TestSupport", "DatabaseCopy",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
