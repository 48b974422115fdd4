// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Passerelle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "passerelle", targets: ["passerelle"]),
        .library(name: "Trials", targets: ["Trials"]),
        .library(name: "Search", targets: ["Search"]),
        .library(name: "Matching", targets: ["Matching"]),
        .library(name: "Analytics", targets: ["Analytics"]),
        .library(name: "Registry", targets: ["Registry"]),
        .library(name: "Charts", targets: ["Charts"]),
        .library(name: "Alerts", targets: ["Alerts"]),
        .library(name: "Access", targets: ["Access"]),
        .library(name: "Navigation", targets: ["Navigation"]),
        .library(name: "Mail", targets: ["Mail"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
    ],
    targets: [
        // zlib, for gzip input files and compressed raw documents.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Zstandard, for the stored source documents: several times faster than zlib at a better ratio.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"])]),

        // Domain: the trial record, its ClinicalTrials.gov readers and the CGT classification. No I/O.
        .target(name: "Trials"),

        // Domain: the bilingual search engine (analyzers, synonym lexicon, BM25F index, facets, distance). No I/O.
        .target(name: "Search", dependencies: ["Trials"]),

        // Domain: patient → ranked trials with each criterion met / not met / unknown (criteria parser, patient
        // profile, eligibility, ranking, TREC evaluation). No I/O.
        .target(name: "Matching", dependencies: ["Trials", "Search"]),

        // Domain: survival, cost-effectiveness, budget impact and payment schedules. No I/O.
        .target(name: "Analytics"),

        // Domain: the CGT outcomes registry (episodes, toxicities and their ASTCT grades, follow-up schedule). No I/O.
        .target(name: "Registry", dependencies: ["Analytics"]),

        // Domain: accessible SVG charts (survival curves, cost-effectiveness plane, bars). No I/O.
        .target(name: "Charts", dependencies: ["Analytics"]),

        // Domain: saved searches, the percolator (which saved searches a new or changed trial matches), alert rules
        // and digests. No I/O.
        .target(name: "Alerts", dependencies: ["Trials", "Search"]),

        // Domain: roles and the role × route policy (deny by default), e-mail and password rules. No I/O.
        .target(name: "Access"),

        // Domain: navigation (Onco+) help requests, their statuses and service level. No I/O.
        .target(name: "Navigation"),

        // Real public data shipped with the product: demo studies and Canadian geography tables.
        .target(name: "DemoData", resources: [.copy("Files")]),

        // Edge: the store protocol, SQLite (GRDB) and PostgreSQL (PostgresNIO) stores, file import.
        .target(
            name: "Storage",
            dependencies: [
                "Trials", "Registry", "Navigation", "CZlib", "CZstd",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Migrations")]
        ),

        // The JSON API's types and server stubs, generated from openapi.yaml by scripts/generate-api (committed, so
        // builds do not need the generator).
        .target(
            name: "API",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            exclude: ["openapi-generator-config.yaml", "Generated/openapi.sha256"],
            resources: [.copy("openapi.yaml")]
        ),

        // Edge: the HTTP server (Hummingbird 2), pages and API.
        .target(
            name: "Web",
            dependencies: [
                "Trials", "Storage", "DemoData", "Search", "Charts", "API", "Registry", "Analytics", "Matching", "Access",
                "Navigation", "Mail", "Alerts",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Templates")]
        ),

        // Edge: e-mail messages (RFC 5322/2047, MIME) and an SMTP client on SwiftNIO (STARTTLS, AUTH PLAIN/LOGIN).
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Edge: the `passerelle` command line.
        .executableTarget(
            name: "passerelle",
            dependencies: [
                "Trials", "Storage", "Web", "DemoData", "Analytics", "Registry", "Search", "Matching", "Alerts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "TrialsTests", dependencies: ["Trials"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Trials"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "MatchingTests", dependencies: ["Matching", "Search", "Trials", "DemoData", "Storage"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["passerelle", "Storage", "TestSupport"]),
        .testTarget(name: "AnalyticsTests", dependencies: ["Analytics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Analytics"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "Analytics"]),
        .testTarget(name: "AlertsTests", dependencies: ["Alerts", "Search", "Trials", "DemoData", "Storage"]),
        .testTarget(name: "AccessTests", dependencies: ["Access", "Navigation"]),
        // Test support: a real SMTP server (aiosmtpd, Tests/TestSupport/smtp_sink.py) started by the tests that need one, and
        // variants of real study records (another id, status or date) to import.
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["smtp_sink.py"]),
        .testTarget(
            name: "MailTests", dependencies: ["Mail", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "Trials", "DemoData", "Registry", "Navigation",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "Storage", "DemoData", "Search", "Trials", "Analytics", "API", "Registry", "Access", "Navigation",
                "Mail", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
