import ArgumentParser
import DemoData
import Foundation
import Storage
import Trials

/// `passerelle import PATH...`: reads ClinicalTrials.gov files into the store.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import ClinicalTrials.gov studies (API v2 JSON or legacy XML; plain or gzip).",
        discussion: """
            Accepts one API v2 study, an array of studies, a {"studies": [...]} page, JSON-lines (API v2 objects or \
            {"nct_id","xml"} objects), or a clinical_study XML document. Records are upserted by NCT id: a record \
            replaces the stored one only when its last-update date is newer. Malformed records are named and skipped.

            Exit status: 0 when every record was read, 3 when some were rejected, 1 on any other error.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Files to import.") var paths: [String] = []
    @Flag(help: "Import the bundled demo data (real public ClinicalTrials.gov records).") var demo = false
    @Option(help: "Records per transaction.") var batchSize = 1000
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Read and check the files without writing anything.") var check = false

    func validate() throws {
        guard demo || !paths.isEmpty else { throw ValidationError("give at least one file, or --demo") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let store: (any TrialStore)? = check ? nil : try await database.openStore()
        let files = (demo ? DemoData.studyFiles.map(\.path) : []) + paths
        let bar = ProgressBar.forStandardError()
        let started = ContinuousClock.now
        let report: ImportReport
        do {
            report = try await TrialImporter(store: store, batchSize: batchSize).importFiles(files) { bar?.update($0) }
        } catch {
            bar?.finish()
            try? await store?.close()
            throw error
        }
        bar?.finish()
        try await store?.close()
        let seconds = (ContinuousClock.now - started).elapsedSeconds
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for rejection in report.rejections { FileHandle.standardError.write(Data("rejected: \(rejection)\n".utf8)) }
            let rate = seconds > 0 ? Int(Double(report.total) / seconds) : report.total
            let summary = check ? "valid \(report.imported), rejected \(report.rejected)" : report.summary
            print("\(summary) (\(report.files) files, \(String(format: "%.2f", seconds)) s, \(rate) records/s)")
        }
        if report.rejected > 0 { throw ExitCode(3) }
    }
}

/// A one-line progress bar on standard error, shown only when standard error is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = ContinuousClock.now - .seconds(1)

    static func forStandardError() -> ProgressBar? {
        isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
    }

    func update(_ progress: ImportProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        guard now - lastDraw > .milliseconds(100) || progress.bytesRead >= progress.bytesTotal else { return }
        lastDraw = now
        let fraction = progress.bytesTotal > 0 ? min(1, Double(progress.bytesRead) / Double(progress.bytesTotal)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let name = URL(fileURLWithPath: progress.file).lastPathComponent
        let line = "\r[\(progress.fileIndex + 1)/\(progress.fileCount)] \(bar) \(Int(fraction * 100))% \(progress.records) records  \(name)"
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
