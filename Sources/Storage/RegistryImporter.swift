import Foundation
import Registry

/// Reads and writes a directory of registry CSV files (`patients.csv`, `episodes.csv`, … — docs/REGISTRY.md).
public enum RegistryDirectory {
    /// The text of every registry file present in `path`; absent files are `nil`.
    /// - Throws: `RegistryDirectoryError.noFiles` when none of the seven files is there.
    public static func read(_ path: String) throws -> RegistryCSVFiles {
        var files = RegistryCSVFiles()
        var found = 0
        for table in RegistryTable.allCases {
            let file = (path as NSString).appendingPathComponent(table.fileName)
            guard FileManager.default.fileExists(atPath: file) else { continue }
            files[table] = try String(contentsOfFile: file, encoding: .utf8)
            found += 1
        }
        guard found > 0 else { throw RegistryDirectoryError.noFiles(path) }
        return files
    }

    /// Writes all seven files of `data` into `path`, creating it if needed.
    public static func write(_ data: RegistryData, to path: String) throws {
        let files = RegistryCSV.export(data)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for table in RegistryTable.allCases {
            let file = (path as NSString).appendingPathComponent(table.fileName)
            try Data((files[table] ?? "").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        }
    }
}

/// A directory without any registry file.
public enum RegistryDirectoryError: Error, CustomStringConvertible, Equatable {
    case noFiles(String)

    public var description: String {
        switch self {
        case let .noFiles(path): "no registry CSV file (patients.csv, episodes.csv, …) in \(path)"
        }
    }
}

/// What a registry import did.
public struct RegistryImportReport: Sendable, Equatable {
    /// The records that passed validation.
    public var accepted: RegistryCounts
    /// Every rejected row, by file, line, record and field (`RegistryCSV`).
    public var issues: [RegistryIssue]
    /// Whether the registry was replaced. False when some row was rejected and `keepValid` was not asked.
    public var written: Bool
}

/// `passerelle registry import`: validates a directory of CSV files as a whole and replaces the stored registry with
/// it in one transaction.
///
/// All or nothing by default: if any row is rejected, nothing is written and every rejected row is reported. With
/// `keepValid`, the rows that passed are written (still in one transaction) and the rejected ones reported.
public struct RegistryImporter: Sendable {
    public let store: any RegistryStore

    public init(store: any RegistryStore) {
        self.store = store
    }

    public func importFiles(_ files: RegistryCSVFiles, source: String, asOf today: CivilDate, keepValid: Bool = false,
                            at time: Date = Date()) async throws -> RegistryImportReport {
        let result = RegistryCSV.importTables(files, asOf: today)
        let write = result.issues.isEmpty || keepValid
        if write { try await store.replaceRegistry(with: result.data, source: source, at: time) }
        return RegistryImportReport(accepted: RegistryCounts(result.data), issues: result.issues, written: write)
    }

    /// Size and seed of the synthetic cohort `passerelle serve` shows in an empty registry.
    public static let demoPatients = 500
    public static let demoSeed: UInt64 = 2026

    /// Fills an empty registry with the synthetic demo cohort (`SyntheticRegistry`, never real patients) observed on
    /// `today`, so follow-up and survival are current. Returns whether it did; a registry holding anything is left
    /// alone.
    public func loadDemoIfEmpty(asOf today: CivilDate, at time: Date = Date()) async throws -> Bool {
        guard try await store.registryCounts().isEmpty else { return false }
        let cohort = SyntheticRegistry.generate(patients: Self.demoPatients, seed: Self.demoSeed, cutoff: today)
        try await store.replaceRegistry(
            with: cohort, source: "synthetic demo cohort (\(Self.demoPatients) patients, seed \(Self.demoSeed))", at: time)
        return true
    }

    /// Imports the directory at `path` (see `RegistryDirectory.read`).
    public func importDirectory(_ path: String, asOf today: CivilDate, keepValid: Bool = false,
                                at time: Date = Date()) async throws -> RegistryImportReport {
        try await importFiles(RegistryDirectory.read(path), source: path, asOf: today, keepValid: keepValid, at: time)
    }
}
