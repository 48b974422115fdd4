import ArgumentParser
import Foundation
import Registry

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
        let files = RegistryCSV.export(data)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        for table in RegistryTable.allCases {
            let path = (output as NSString).appendingPathComponent(table.fileName)
            try Data((files[table] ?? "").utf8).write(to: URL(fileURLWithPath: path))
        }
        print("wrote \(data.patients.count) patients, \(data.episodes.count) episodes to \(output)/")
    }
}

/// `passerelle registry check DIR`: validates registry CSV files and names every problem by file, line and field.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Outcomes registry files.", subcommands: [RegistryCheckCommand.self])
}

struct RegistryCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate registry CSV files (patients.csv, episodes.csv, …) without storing anything.",
        discussion: "Exit status 0 when every row is valid, 3 when some rows are rejected.")

    @Argument(help: "Directory holding the CSV files (missing files are treated as empty).") var directory: String
    @Option(help: "Today's date for date checks (YYYY-MM-DD; default: today, UTC).") var asOf: String?

    func run() throws {
        var files = RegistryCSVFiles()
        var found = 0
        for table in RegistryTable.allCases {
            let path = (directory as NSString).appendingPathComponent(table.fileName)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            found += 1
            switch table {
            case .patients: files.patients = text
            case .episodes: files.episodes = text
            case .toxicities: files.toxicities = text
            case .responses: files.responses = text
            case .visits: files.visits = text
            case .deaths: files.deaths = text
            case .costs: files.costs = text
            }
        }
        guard found > 0 else { throw ValidationError("no registry CSV file (patients.csv, episodes.csv, …) in \(directory)") }
        let today: CivilDate
        do {
            let iso = asOf ?? String(Date().formatted(.iso8601.year().month().day()))
            today = try CivilDate(iso: iso, field: "--as-of")
        } catch {
            throw ValidationError("\(error)")
        }
        let result = RegistryCSV.importTables(files, asOf: today)
        for issue in result.issues { FileHandle.standardError.write(Data("rejected: \(issue)\n".utf8)) }
        let data = result.data
        print(
            "valid: \(data.patients.count) patients, \(data.episodes.count) episodes, \(data.toxicities.count) toxicity assessments, \(data.responses.count) responses, \(data.visits.count) visits, \(data.deaths.count) deaths, \(data.costs.count) costs; \(result.issues.count) problems"
        )
        if !result.issues.isEmpty { throw ExitCode(3) }
    }
}
