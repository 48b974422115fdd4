import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// The databases the store suite runs on. SQLite always; PostgreSQL when `PASSERELLE_TEST_POSTGRES` names a server
/// (`scripts/test` starts a throw-away one). Under CI the PostgreSQL URL is required.
enum TestDatabases {
    static let postgresURL = ProcessInfo.processInfo.environment["PASSERELLE_TEST_POSTGRES"]
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The kinds to run each store test on.
    static var kinds: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A fresh, empty, migrated store of `kind`, dropped by `body`'s end.
    static func withStore<T>(_ kind: StoreKind, _ body: (any PasserelleStore) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteTrialStore(path: directory.appendingPathComponent("test.sqlite").path)
            try await store.migrate()
            do {
                let result = try await body(store)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        case .postgres:
            let url = try #require(postgresURL, "PASSERELLE_TEST_POSTGRES is not set")
            let name = "passerelle_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
            try await admin(url, "CREATE DATABASE \(name)")
            var components = URLComponents(string: url)!
            components.path = "/\(name)"
            let store = try PostgresTrialStore(url: components.string!)
            do {
                try await store.migrate()
                let result = try await body(store)
                try await store.close()
                try await admin(url, "DROP DATABASE \(name)")
                return result
            } catch {
                try? await store.close()
                try? await admin(url, "DROP DATABASE \(name)")
                throw error
            }
        }
    }

    /// Runs one statement on the server's maintenance database.
    private static func admin(_ url: String, _ sql: String) async throws {
        var components = URLComponents(string: url)!
        components.path = "/postgres"
        let configuration = PostgresClient.Configuration(
            host: components.host!, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: "postgres", tls: .disable)
        var logger = Logger(label: "test-admin")
        logger.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
            group.cancelAll()
        }
    }
}

/// Files the tests read.
enum Fixtures {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    /// `../shared/data` beside the repository, when present (it is in CI).
    static var sharedData: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
    }
}
