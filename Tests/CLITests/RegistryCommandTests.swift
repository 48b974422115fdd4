import Foundation
import Testing

/// `passerelle registry import|export` and `passerelle analytics psa` as a user runs them.
@Suite("Registry and PSA commands", .serialized)
struct RegistryCommandTests {
    typealias CLI = CommandLineTests

    @Test("registry import stores a directory, export writes the same files, a bad row writes nothing")
    func importExport() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-registry-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let database = CLI.temporaryDatabase()
        let cohort = base + "/cohort", exported = base + "/exported"
        #expect(try CLI.run(["synth-registry", "--patients", "80", "--seed", "4", "--output", cohort]).status == 0)
        let imported = try CLI.run(["registry", "import", cohort, "--database", database, "--as-of", "2026-11-25"])
        #expect(imported.status == 0)
        #expect(imported.output.hasPrefix("imported: 80 patients, 80 episodes"))
        let export = try CLI.run(["registry", "export", exported, "--database", database])
        #expect(export.status == 0)
        for file in ["patients.csv", "episodes.csv", "toxicities.csv", "responses.csv", "visits.csv", "deaths.csv", "costs.csv"] {
            #expect(FileManager.default.contents(atPath: "\(cohort)/\(file)") == FileManager.default.contents(atPath: "\(exported)/\(file)"), "\(file)")
        }
        // A second directory with one bad row: nothing is written, the row is named, exit 3.
        let costs = "\(exported)/costs.csv"
        try (String(contentsOfFile: costs, encoding: .utf8) + "C-BAD,SYN-E000001,acquisition,-5,2024-01-01\n")
            .write(toFile: costs, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: "\(exported)/visits.csv")
        let rejected = try CLI.run(["registry", "import", exported, "--database", database, "--as-of", "2026-11-25"])
        #expect(rejected.status == 3)
        #expect(rejected.output.hasPrefix("nothing written"))
        #expect(rejected.error.contains("costs.csv line"))
        #expect(rejected.error.contains("(C-BAD): amountCAD"))
        let again = try CLI.run(["registry", "export", exported, "--database", database])
        #expect(again.status == 0)
        #expect(FileManager.default.contents(atPath: "\(cohort)/visits.csv") == FileManager.default.contents(atPath: "\(exported)/visits.csv"))
    }

    @Test("analytics psa runs the worked example of docs/ANALYTICS.md and gives the numbers it states")
    func psaWorkedExample() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/ANALYTICS.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let section = try #require(text.range(of: "### `passerelle analytics psa"))
        let start = try #require(text.range(of: "```json\n", range: section.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("psa-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try String(text[start.upperBound..<end.lowerBound]).write(to: file, atomically: true, encoding: .utf8)
        let run = try CLI.run(["analytics", "psa", "--json", file.path])
        #expect(run.status == 0, "\(run.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let means = try #require(report["means"] as? [[String: Any]])
        #expect((means[0]["cost"] as? Double).map { Int($0.rounded()) } == 114_794)
        #expect((means[1]["cost"] as? Double).map { Int($0.rounded()) } == 670_410)
        let frontier = try #require(report["incremental"] as? [[String: Any]])
        #expect((frontier[1]["icer"] as? Double).map { Int($0.rounded()) } == 275_943)
        let curve = try #require(report["acceptability"] as? [[String: Any]])
        #expect((curve.last?["probabilities"] as? [Double]) == [0.32, 0.68])
        let bad = try CLI.run(["analytics", "psa", "--json", file.path, "--iterations", "0"])
        #expect(bad.status == 1)
        #expect(bad.error.contains("iterations"))
    }
}
