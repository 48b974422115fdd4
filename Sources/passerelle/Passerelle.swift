import ArgumentParser
import Foundation
import Logging
import Storage

/// The `passerelle` command: server, import, migrations, statistics, generators and benchmarks.
@main
struct Passerelle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passerelle",
        abstract: "Passerelle: Québec's open platform for clinical trials and cell & gene therapies.",
        subcommands: [
            ServeCommand.self, ImportCommand.self, MigrateCommand.self, StatsCommand.self, SynthTrialsCommand.self,
            SearchCommand.self, BenchCommand.self, AnalyticsCommand.self, SynthRegistryCommand.self, RegistryCommand.self,
            MatchCommand.self, EvalRunCommand.self, TrecTopicsCommand.self, AlertsCommand.self,
        ]
    )
}

/// `--database`, shared by every command that touches the store.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "SQLite file path or postgres://user:pass@host:port/db URL (env PASSERELLE_DATABASE; default ./passerelle.sqlite).")
    var database: String?

    func location() throws -> StoreLocation {
        do {
            return try StoreLocation.resolve(database)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Opens and migrates the store.
    func openStore(logger: Logger = Logger(label: "passerelle")) async throws -> any PasserelleStore {
        let store = try location().open(logger: logger)
        do {
            try await store.migrate()
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }
}

/// `passerelle migrate`: applies pending migrations and lists the applied versions.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try await database.openStore()
        let versions = try await store.appliedMigrations()
        try await store.close()
        print("\(try database.location()): migrations applied: \(versions.map(String.init).joined(separator: ", "))")
    }
}

/// `passerelle stats`: counts by status, phase, country and CGT type.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Count trials by status, phase, country and CGT type.")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON (keys sorted, so two databases can be compared byte for byte).") var json = false

    func run() async throws {
        let store = try await database.openStore()
        let stats = try await store.stats()
        try await store.close()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return
        }
        print("trials: \(stats.trials)   sites: \(stats.sites)")
        for (title, counts) in [
            ("status", stats.byStatus), ("phase", stats.byPhase), ("CGT type", stats.byCgtType),
            ("country (top 15)", stats.byCountry),
        ] {
            print("\nby \(title):")
            let sorted = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            for (key, value) in sorted.prefix(15) {
                print("  \(key.padding(toLength: 32, withPad: " ", startingAt: 0)) \(value)")
            }
        }
    }
}
