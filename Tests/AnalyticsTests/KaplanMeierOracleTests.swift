import Analytics
import Foundation
import Testing

/// Kaplan–Meier, Greenwood, confidence limits, medians, RMST and log-rank against R's survival
/// package (values produced by scripts/r-oracle/km_oracle.R and committed as fixtures).
@Suite struct KaplanMeierOracleTests {
    @Test(arguments: OracleFixtures.datasetNames)
    func matchesCommittedROutput(dataset: String) throws {
        try compareWithR(try OracleFixtures.bundled(), dataset: dataset)
    }

    /// Runs the R script live when `Rscript` is available and compares with its fresh output.
    @Test(.enabled(if: RscriptRunner.hasSurvivalPackage,
                   "Rscript with the survival package not on PATH: live R comparison skipped"))
    func matchesLiveROutput() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-r-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        try RscriptRunner.run(script: RscriptRunner.scriptURL, output: output)
        let fixtures = try OracleFixtures(directory: output)
        for dataset in OracleFixtures.datasetNames {
            try compareWithR(fixtures, dataset: dataset)
        }
    }
}

enum RscriptRunner {
    /// `Rscript` found on PATH, if any.
    static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("Rscript") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Whether `Rscript` exists and can load R's survival package.
    static let hasSurvivalPackage: Bool = {
        guard let executable else { return false }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-e", "suppressPackageStartupMessages(library(survival))"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// scripts/r-oracle/km_oracle.R, found relative to this source file.
    static let scriptURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/r-oracle/km_oracle.R")

    static func run(script: URL, output: URL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = [script.path, output.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Rscript exited with \(process.terminationStatus)")
    }
}
