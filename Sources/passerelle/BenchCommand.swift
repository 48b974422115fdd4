import ArgumentParser
import Foundation
import Storage
import Trials

/// `passerelle bench`: measured speed, compared with a baseline in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (results go to docs/BENCHMARKS.md).",
        subcommands: [ImportBench.self, SearchBench.self, MatchBench.self, AlertsBench.self])
}

/// Import throughput on SQLite and PostgreSQL for real files and a generated scale set, against the parse-only
/// baseline (read + decompress + parse + classify, nothing stored) of the same files in the same run.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import throughput: parse-only baseline, SQLite, PostgreSQL.")

    @Argument(help: "Real study files (e.g. ../shared/data/ctgov/studies_v2.jsonl.gz ../shared/data/ctgov-xml/*.gz).")
    var files: [String] = []
    @Option(help: "Size of the generated scale set (0 to skip).") var synthetic = 100_000
    @Option(
        help: "PostgreSQL URL of a scratch database whose name contains 'bench' or 'test' (its trial tables are emptied). Env PASSERELLE_BENCH_POSTGRES.")
    var postgres: String?
    @Option(help: "Scratch directory.") var workDirectory = NSTemporaryDirectory()

    func run() async throws {
        let postgresURL = postgres ?? ProcessInfo.processInfo.environment["PASSERELLE_BENCH_POSTGRES"]
        if let postgresURL {
            guard let name = URLComponents(string: postgresURL)?.path, name.contains("bench") || name.contains("test")
            else { throw ValidationError("the PostgreSQL database name must contain 'bench' or 'test': it is emptied") }
        }
        var sets: [(name: String, files: [String])] = []
        if !files.isEmpty { sets.append(("real", files)) }
        if synthetic > 0 {
            let path = (workDirectory as NSString).appendingPathComponent("bench-synthetic-\(synthetic).jsonl.gz")
            if !FileManager.default.fileExists(atPath: path) {
                _ = try SynthTrialsCommand.write(count: synthetic, seed: 2026, to: path)
            }
            sets.append(("synthetic \(synthetic / 1000)k", [path]))
        }
        print("| set | target | studies | seconds | studies/s | vs parse-only |")
        print("|---|---|---:|---:|---:|---:|")
        for set in sets {
            let baseline = try await measure(set.files, store: nil)
            row(set.name, "parse only (baseline)", baseline, baseline: baseline.rate)
            let sqlitePath = (workDirectory as NSString).appendingPathComponent("bench-\(UUID().uuidString).sqlite")
            let sqlite = try SQLiteTrialStore(path: sqlitePath)
            try await sqlite.migrate()
            let first = try await measure(set.files, store: sqlite)
            row(set.name, "SQLite, empty store", first, baseline: baseline.rate)
            let again = try await measure(set.files, store: sqlite)
            row(set.name, "SQLite, re-import (all unchanged)", again, baseline: baseline.rate)
            try await sqlite.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
            if let postgresURL {
                let store = try PostgresTrialStore(url: postgresURL)
                try await store.migrate()
                try await store.removeAllTrials()
                let first = try await measure(set.files, store: store)
                row(set.name, "PostgreSQL, empty store", first, baseline: baseline.rate)
                let again = try await measure(set.files, store: store)
                row(set.name, "PostgreSQL, re-import (all unchanged)", again, baseline: baseline.rate)
                try await store.removeAllTrials()
                try await store.close()
            }
        }
    }

    struct Measurement {
        var studies: Int
        var seconds: Double
        var rate: Double { Double(studies) / seconds }
    }

    func measure(_ files: [String], store: (any TrialStore)?) async throws -> Measurement {
        let start = ContinuousClock.now
        let report = try await TrialImporter(store: store).importFiles(files)
        let seconds = (ContinuousClock.now - start).elapsedSeconds
        return Measurement(studies: report.total - report.rejected, seconds: seconds)
    }

    func row(_ set: String, _ target: String, _ m: Measurement, baseline: Double) {
        print(
            "| \(set) | \(target) | \(m.studies) | \(String(format: "%.2f", m.seconds)) | \(Int(m.rate)) | \(String(format: "%.2f", m.rate / baseline)) |"
        )
    }
}
