import ArgumentParser
import DemoData
import Foundation
import Storage
import Trials

/// `passerelle synth-trials N`: writes a scale test set recombined from the bundled real API v2 studies.
struct SynthTrialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-trials",
        abstract: "Write N synthetic studies (real fields recombined under NCT9xxxxxxx ids) as gzip JSON-lines.")

    @Argument(help: "Number of studies.") var count: Int
    @Option(name: .shortAndLong, help: "Output file (.jsonl.gz).") var output = "synthetic-trials.jsonl.gz"
    @Option(help: "Random seed.") var seed: UInt64 = 2026

    func validate() throws {
        guard count > 0, count <= 10_000_000 else { throw ValidationError("N must be between 1 and 10,000,000") }
    }

    func run() async throws {
        let written = try Self.write(count: count, seed: seed, to: output)
        print("wrote \(written) studies to \(output)")
    }

    /// Writes the set and returns the number of studies written.
    static func write(count: Int, seed: UInt64, to path: String) throws -> Int {
        var generator = SyntheticTrials(donors: try bundledDonors(), seed: seed)
        let writer = try GzipFileWriter(path: path, level: 1)
        var block = Data()
        for index in 0..<count {
            block.append(generator.study(index))
            block.append(0x0A)
            if block.count > 1 << 20 {
                try writer.write(block)
                block.removeAll(keepingCapacity: true)
            }
        }
        try writer.write(block)
        try writer.close()
        return count
    }

    /// The bundled API v2 studies, one JSON document each.
    static func bundledDonors() throws -> [Data] {
        let file = DemoData.studyFiles[0]
        return try SourceFile.read(file.path).split(separator: 0x0A).map { Data($0) }
    }
}
