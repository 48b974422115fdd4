import ArgumentParser
import Foundation
import Registry
import Storage

/// `passerelle synth-registry`: a synthetic CAR-T cohort as the registry's CSV files (never real patients).
struct SynthRegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-registry",
        abstract: "Write a synthetic CAR-T registry cohort (patients, episodes, toxicities, …) as CSV files.",
        discussion: "Distributions and their sources: docs/REGISTRY.md. Same seed, same cohort.")

    @Option(help: "Number of patients.") var patients = 500
    @Option(help: "Random seed.") var seed: UInt64 = 2026
    @Option(name: .shortAndLong, help: "Output directory (created if needed).") var output = "synthetic-registry"
    @Option(help: "Last date any record may carry (YYYY-MM-DD).") var cutoff: String?

    func validate() throws {
        guard (1...5_000_000).contains(patients) else { throw ValidationError("--patients must be between 1 and 5,000,000") }
    }

    func run() throws {
        let last: CivilDate
        do {
            last = try cutoff.map { try CivilDate(iso: $0, field: "--cutoff") } ?? SyntheticRegistry.defaultCutoff
        } catch {
            throw ValidationError("\(error)")
        }
        let data = SyntheticRegistry.generate(patients: patients, seed: seed, cutoff: last)
        try RegistryDirectory.write(data, to: output)
        print("wrote \(data.patients.count) patients, \(data.episodes.count) episodes to \(output)/")
    }
}

/// `passerelle registry check|import|export`: the outcomes registry's CSV files and its store.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Outcomes registry: check, import and export CSV files.",
        subcommands: [RegistryCheckCommand.self, RegistryImportCommand.self, RegistryExportCommand.self])
}

/// `--as-of`, shared by the registry commands that check dates.
struct AsOfOption: ParsableArguments {
    @Option(help: "Today's date for date checks (YYYY-MM-DD; default: today, UTC).") var asOf: String?

    func date() throws -> CivilDate {
        do {
            return try CivilDate(iso: asOf ?? String(Date().formatted(.iso8601.year().month().day())), field: "--as-of")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Reads a registry directory, turning "no file" into a usage error.
func readRegistryDirectory(_ directory: String) throws -> RegistryCSVFiles {
    do {
        return try RegistryDirectory.read(directory)
    } catch let error as RegistryDirectoryError {
        throw ValidationError("\(error)")
    }
}

/// Prints rejected rows on standard error, one per line.
func reportRegistryIssues(_ issues: [RegistryIssue]) {
    for issue in issues { FileHandle.standardError.write(Data("rejected: \(issue)\n".utf8)) }
}

extension RegistryCounts {
    /// "12 patients, 12 episodes, …".
    var sentence: String {
        "\(patients) patients, \(episodes) episodes, \(toxicities) toxicity assessments, \(responses) responses, \(visits) visits, \(deaths) deaths, \(costs) costs"
    }
}

/// `passerelle registry import DIR`: validates the directory and replaces the stored registry with it.
struct RegistryImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate registry CSV files and replace the stored registry with them, in one transaction.",
        discussion: """
            The directory is the whole registry (export, correct, import). All or nothing: if any row is rejected, \
            nothing is written (exit status 3) unless --keep-valid is given, which writes the valid rows.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Directory holding the CSV files (missing files are treated as empty).") var directory: String
    @OptionGroup var asOf: AsOfOption
    @Flag(help: "Write the valid rows even when some rows are rejected.") var keepValid = false

    func run() async throws {
        let files = try readRegistryDirectory(directory)
        let today = try asOf.date()
        let store = try await database.openStore()
        let report: RegistryImportReport
        do {
            report = try await RegistryImporter(store: store).importFiles(
                files, source: directory, asOf: today, keepValid: keepValid)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        reportRegistryIssues(report.issues)
        let outcome = report.written ? "imported" : "nothing written"
        print("\(outcome): \(report.accepted.sentence) valid; \(report.issues.count) rejected rows")
        if !report.issues.isEmpty { throw ExitCode(3) }
    }
}

/// `passerelle registry export DIR`: writes the stored registry as CSV files.
struct RegistryExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the stored registry as CSV files (the format registry import reads).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Output directory (created if needed; existing registry files are replaced).") var directory: String

    func run() async throws {
        let store = try await database.openStore()
        let data: RegistryData
        do {
            data = try await store.registryData()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        try RegistryDirectory.write(data, to: directory)
        print("exported \(RegistryCounts(data).sentence) to \(directory)/")
    }
}

struct RegistryCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate registry CSV files (patients.csv, episodes.csv, …) without storing anything.",
        discussion: "Exit status 0 when every row is valid, 3 when some rows are rejected.")

    @Argument(help: "Directory holding the CSV files (missing files are treated as empty).") var directory: String
    @OptionGroup var asOf: AsOfOption

    func run() throws {
        let result = RegistryCSV.importTables(try readRegistryDirectory(directory), asOf: try asOf.date())
        reportRegistryIssues(result.issues)
        print("valid: \(RegistryCounts(result.data).sentence); \(result.issues.count) problems")
        if !result.issues.isEmpty { throw ExitCode(3) }
    }
}
