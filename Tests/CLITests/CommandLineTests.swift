import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `passerelle` executable as a user runs it: exit codes, messages, and the server's life cycle.
@Suite("Command line", .serialized)
struct CommandLineTests {
    /// The built `passerelle`, in the build products directory beside the test bundle.
    static var executable: URL {
        let bundle = Bundle(for: Marker.self).bundleURL
        let products = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return products.appendingPathComponent("passerelle")
    }

    private final class Marker {}

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StorageTests/Fixtures")

    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }

    static func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-cli-\(UUID().uuidString).sqlite").path
    }

    @Test("import names each bad record, imports the rest, and exits 3")
    func importWithRejections() throws {
        let database = Self.temporaryDatabase()
        let file = Self.fixtures.appendingPathComponent("corrupted-v2.jsonl").path
        let result = try Self.run(["import", "--database", database, file])
        #expect(result.status == 3)
        #expect(result.output.hasPrefix("imported 3, updated 0, unchanged 0, rejected 4"))
        #expect(result.error.contains("rejected: \(file): line 2 (NCT00203242): json: malformed JSON"))
        #expect(result.error.contains("line 6 (NCT00203190): protocolSection.statusModule.startDateStruct.date: impossible date \"2019-02-30\""))
        let again = try Self.run(["import", "--database", database, Self.fixtures.appendingPathComponent("array.json").path])
        #expect(again.status == 0)
        #expect(again.output.hasPrefix("imported 2, updated 0, unchanged 0, rejected 0"))
    }

    @Test("bad options are refused with a clear message")
    func badOptions() throws {
        let noFiles = try Self.run(["import", "--database", Self.temporaryDatabase()])
        #expect(noFiles.status != 0)
        #expect(noFiles.error.contains("give at least one file, or --demo"))
        let badURL = try Self.run(["stats", "--database", "mysql://localhost/db"])
        #expect(badURL.status != 0)
        #expect(badURL.error.contains("give a file path for SQLite or postgres://"))
        let badPort = try Self.run(["serve", "--database", Self.temporaryDatabase(), "--port", "99999", "--no-demo"])
        #expect(badPort.status != 0)
        #expect(badPort.error.contains("port must be a number from 0 to 65535"))
    }

    @Test("PASSERELLE_DATABASE chooses the database when --database is absent")
    func environmentDatabase() throws {
        let database = Self.temporaryDatabase()
        let file = Self.fixtures.appendingPathComponent("array.json").path
        _ = try Self.run(["import", file], environment: ["PASSERELLE_DATABASE": database])
        let stats = try Self.run(["stats", "--json", "--database", database])
        let json = try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any]
        #expect(json?["trials"] as? Int == 2)
        for key in ["byStatus", "byPhase", "byCountry", "byCgtType"] { #expect(json?[key] is [String: Int], "\(key)") }
    }

    @Test("stats --json is identical on SQLite and PostgreSQL", .enabled(if: ProcessInfo.processInfo.environment["PASSERELLE_TEST_POSTGRES"] != nil))
    func statsParity() throws {
        let admin = try #require(ProcessInfo.processInfo.environment["PASSERELLE_TEST_POSTGRES"])
        // A fresh database for this test.
        var components = try #require(URLComponents(string: admin))
        let name = "passerelle_cli_\(UUID().uuidString.prefix(8).lowercased())"
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [admin, "-q", "-c", "CREATE DATABASE \(name)"]
        try psql.run()
        psql.waitUntilExit()
        try #require(psql.terminationStatus == 0)
        components.path = "/\(name)"
        let postgres = components.string!
        let sqlite = Self.temporaryDatabase()
        let files = ["page.json", "array.json", "corrupted-xml.jsonl"].map { Self.fixtures.appendingPathComponent($0).path }
        for database in [sqlite, postgres] {
            let result = try Self.run(["import", "--database", database] + files)
            #expect(result.output.hasPrefix("imported 7, updated 0, unchanged 0, rejected 2"))
        }
        let a = try Self.run(["stats", "--json", "--database", sqlite])
        let b = try Self.run(["stats", "--json", "--database", postgres])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.output == b.output)
        #expect(a.output.contains(#""trials":7"#))
        let drop = Process()
        drop.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        drop.arguments = [admin, "-q", "-c", "DROP DATABASE \(name)"]
        try drop.run()
        drop.waitUntilExit()
    }

    @Test("serve imports the demo data into an empty database, answers /health, and stops cleanly on SIGTERM")
    func serveLifecycle() async throws {
        let database = Self.temporaryDatabase()
        let port = Int.random(in: 20000..<30000)
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--database", database, "--port", "\(port)", "--log-format", "json"]
        let error = Pipe()
        process.standardError = error
        process.standardOutput = Pipe()
        try process.run()
        var health: [String: Any]?
        for _ in 0..<600 where health == nil {
            try await Task.sleep(for: .milliseconds(200))
            if let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!) {
                health = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            }
        }
        #expect(health?["status"] as? String == "ok")
        #expect(health?["trials"] as? Int == 1029)
        let (page, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/")!)
        #expect(String(decoding: page, as: UTF8.self).contains("essais cliniques répertoriés"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.contains { $0["message"] as? String == "demo data imported" })
        #expect(lines.contains { $0["message"] as? String == "stopped" })
    }

    @Test("synth-registry writes a valid cohort; registry check names a broken row and exits 3")
    func registryFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-registry-\(UUID().uuidString)").path
        let written = try Self.run(["synth-registry", "--patients", "120", "--seed", "7", "--output", directory])
        #expect(written.status == 0)
        #expect(written.output.hasPrefix("wrote 120 patients, 120 episodes"))
        let clean = try Self.run(["registry", "check", directory, "--as-of", "2026-11-25"])
        #expect(clean.status == 0)
        #expect(clean.output.hasSuffix("; 0 problems\n"))
        let patients = URL(fileURLWithPath: directory).appendingPathComponent("patients.csv")
        var lines = try String(contentsOf: patients, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[1] = "19X0"
        lines[2] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: patients, atomically: true, encoding: .utf8)
        let broken = try Self.run(["registry", "check", directory, "--as-of", "2026-11-25"])
        #expect(broken.status == 3)
        #expect(broken.error.contains("patients.csv line 3 (\(fields[0])): birthYear: \"19X0\" is not an integer"))
        #expect(broken.error.contains("unknown patient \"\(fields[0])\""))
    }

    @Test("match --variants writes one TREC run per variant; unknown knobs and bad lines are named")
    func matchVariants() throws {
        let database = Self.temporaryDatabase()
        #expect(try Self.run(["import", "--demo", "--database", database]).status == 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-variants-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let topics = directory.appendingPathComponent("topics.jsonl")
        try Data("""
            {"_id": "1", "text": "62-year-old man with relapsed diffuse large B-cell lymphoma after R-CHOP, ECOG 1."}
            {"_id": "2", "text": "Femme de 45 ans, cancer du sein HER2 positif métastatique."}
            """.utf8).write(to: topics)
        let variants = directory.appendingPathComponent("variants.jsonl")
        try Data("""
            {"tag": "reference"}
            {"tag": "nofeedback", "feedbackWeight": 0}
            """.utf8).write(to: variants)
        let runs = directory.appendingPathComponent("runs")
        let result = try Self.run([
            "match", "--database", database, "--queries", topics.path, "--top", "20", "--variants", variants.path,
            "--output-directory", runs.path,
        ])
        #expect(result.status == 0, "\(result.error)")
        for tag in ["reference", "nofeedback"] {
            let run = try String(contentsOf: runs.appendingPathComponent("\(tag).run"), encoding: .utf8)
            let lines = run.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("1 Q0 NCT") } && lines.contains { $0.hasPrefix("2 Q0 NCT") })
            #expect(lines.allSatisfy { $0.split(separator: " ").count == 6 && $0.hasSuffix(" \(tag)") })
        }
        let unknown = try Self.run(["match", "--database", database, "lymphoma", "--set", "boost=2"])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("boost = 2.0 is not a knob or out of range"), "\(unknown.error)")
        let badNumber = try Self.run(["match", "--database", database, "lymphoma", "--set", "feedbackWeight=lots"])
        #expect(badNumber.error.contains("--set feedbackWeight=lots: expected NAME=NUMBER"), "\(badNumber.error)")
        try Data("{\"tag\": \"x\", \"feedbackWeight\": \"high\"}\n".utf8).write(to: variants)
        let badLine = try Self.run([
            "match", "--database", database, "--queries", topics.path, "--variants", variants.path, "--output-directory", runs.path,
        ])
        #expect(badLine.status != 0)
        #expect(badLine.error.contains("variants.jsonl line 1: feedbackWeight must be a number"), "\(badLine.error)")
    }

    @Test("search finds French queries in English records and refuses an unknown place")
    func search() throws {
        let database = Self.temporaryDatabase()
        let imported = try Self.run(["import", "--demo", "--database", database])
        #expect(imported.status == 0)
        let carT = try Self.run(["search", "lymphome CAR-T", "--database", database, "--limit", "5", "--json"])
        #expect(carT.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(carT.output.utf8)) as? [String: Any]
        let ids = (json?["hits"] as? [[String: Any]])?.compactMap { $0["nctId"] as? String } ?? []
        // A CD19 CAR-T trial for leukaemia and lymphoma, described only in English.
        #expect(ids.contains("NCT02349698"), "\(ids)")
        let nowhere = try Self.run(["search", "lymphome", "--near", "Atlantis", "--database", database])
        #expect(nowhere.status != 0)
        #expect(nowhere.error.contains("unknown place \"Atlantis\""))
    }
}
