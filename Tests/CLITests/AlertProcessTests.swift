import Foundation
import TestSupport
import Storage
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#endif

/// Alerts across processes, against a real SMTP server (aiosmtpd): `passerelle import` beside a running `serve`, and
/// the delivery worker killed with `kill -9` at random points.
@Suite("Alerts across processes", .serialized, .enabled(if: SMTPTestEnvironment.shouldRun))
struct AlertProcessTests {
    static let messages = 600

    /// After restarts every alert key reaches the SMTP server exactly once. The one window that can lose a message
    /// (between recording `committing` and writing the final `.`, see `OutboxDelivery`) leaves it `committing`; those
    /// are counted apart, and none of them may have been delivered twice either.
    @Test("killed at random points over 600 alerts, the worker delivers each key exactly once after restarts")
    func killNine() async throws {
        try await SMTPSink.with { sink in
            let database = CommandLineTests.temporaryDatabase()
            let store = try SQLiteTrialStore(path: database)
            try await store.migrate()
            let now = Date()
            let keys = (0..<Self.messages).map { String(format: "alert-crash-%04d", $0) }
            try await store.people.enqueue(keys.map { key in
                OutboxMessage(
                    key: key, recipient: "crash-\(key.suffix(4))@example.org",
                    message: "From: no-reply@passerelle.quebec\r\nTo: crash@example.org\r\nSubject: \(key)\r\nMessage-ID: <\(key)@passerelle>\r\nX-Passerelle-Key: \(key)\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nAlerte \(key).\r\n",
                    createdAt: now)
            })
            try await store.close()

            let arguments = ["alerts", "deliver", "--database", database, "--smtp", "smtp://127.0.0.1:\(sink.port)", "--lease-seconds", "1"]
            // The kills run on a thread of their own, polling with usleep, so a busy test run (the cooperative
            // pool shared with every other suite) cannot make them late.
            let kills = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try Self.killWhileSending(arguments: arguments, sink: sink, total: keys.count) })
                }
            }
            #expect(kills >= 8, "the worker must be killed while sending several times (\(kills))")
            // Then let it finish.
            for _ in 0..<10 {
                let run = try CommandLineTests.run(arguments)
                #expect(run.status == 0, "\(run.error)")
                let reopened = try SQLiteTrialStore(path: database)
                let counts = try await reopened.people.outboxCounts()
                try await reopened.close()
                if (counts[.pending] ?? 0) + (counts[.sending] ?? 0) == 0 { break }
                try await Task.sleep(for: .milliseconds(1_100))
            }

            let reopened = try SQLiteTrialStore(path: database)
            let states = Dictionary(uniqueKeysWithValues: try await reopened.people.outboxMessages(limit: 10_000).map { ($0.key, $0.state) })
            try await reopened.close()
            var received: [String: Int] = [:]
            for message in try sink.received() {
                if let key = message.parsed.header("X-Passerelle-Key") { received[key, default: 0] += 1 }
            }
            let duplicated = received.filter { $0.value > 1 }.keys.sorted()
            #expect(duplicated.isEmpty, "delivered twice: \(duplicated)")
            let inDoubt = keys.filter { states[$0] == .committing }
            #expect(inDoubt.count <= kills)
            for key in keys where states[key] != .committing {
                #expect(states[key] == .sent, "\(key) is \(String(describing: states[key]))")
                #expect(received[key] == 1, "\(key) received \(received[key] ?? 0) times")
            }
            print("delivery crash test: \(kills) kills, \(received.count) of \(keys.count) keys delivered once, \(inDoubt.count) in doubt")
        }
    }

    @Test("an import run by passerelle import while serve runs leads to the alert e-mail")
    func importBesideServe() async throws {
        try await SMTPSink.with { sink in
            let database = CommandLineTests.temporaryDatabase()
            let port = Int.random(in: 30000..<40000)
            let base = "http://127.0.0.1:\(port)"
            let server = Process()
            server.executableURL = CommandLineTests.executable
            server.arguments = ["serve", "--database", database, "--port", "\(port)", "--smtp", "smtp://127.0.0.1:\(sink.port)"]
            server.environment = ProcessInfo.processInfo.environment.merging(
                ["PASSERELLE_ALERT_INTERVAL": "1", "PASSERELLE_PUBLIC_URL": base]) { $1 }
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            defer { if server.isRunning { server.terminate() } }
            var ready = false
            for _ in 0..<600 where !ready {
                try await Task.sleep(for: .milliseconds(200))
                ready = (try? await URLSession.shared.data(from: URL(string: "\(base)/health")!)) != nil
            }
            try #require(ready, "serve did not start")

            // Subscribe through the API, and confirm from the e-mail.
            var request = URLRequest(url: URL(string: "\(base)/api/v1/saved-searches")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"email":"import@example.org","frequency":"immediate","query":{"q":"lymphoma","status":["RECRUITING"]}}"#.utf8)
            let (_, created) = try await URLSession.shared.data(for: request)
            #expect((created as? HTTPURLResponse)?.statusCode == 201)
            let optIn = try await Self.waitForMessage(sink, count: 1)
            let text = try #require(optIn.parsed.parts.first { $0.contentType == "text/plain" }?.content)
            let confirm = try #require(text.range(of: "\(base)/alerts/confirm/"))
            let link = String(text[confirm.lowerBound...].prefix { !$0.isWhitespace })
            let (_, confirmed) = try await URLSession.shared.data(from: URL(string: link)!)
            #expect((confirmed as? HTTPURLResponse)?.statusCode == 200)

            // Another process imports a new recruiting lymphoma trial into the same database.
            let (found, _) = try await URLSession.shared.data(from: URL(string: "\(base)/api/v1/trials?q=lymphoma&status=RECRUITING&limit=1")!)
            let hits = try #require((try JSONSerialization.jsonObject(with: found) as? [String: Any])?["hits"] as? [[String: Any]])
            let model = try #require(hits.first?["nctId"] as? String)
            let reader = try SQLiteTrialStore(path: database)
            let raw = try #require(try await reader.rawDocument(model))
            try await reader.close()
            let directory = FileManager.default.temporaryDirectory
            let file = try StudyVariant.file(from: raw, nctId: "NCT99000031", status: "RECRUITING", updated: "2026-11-29", in: directory)
            let imported = try CommandLineTests.run(["import", "--database", database, file])
            #expect(imported.status == 0, "\(imported.error)")

            let alert = try await Self.waitForMessage(sink, count: 2)
            #expect(alert.rcptTos == ["import@example.org"])
            #expect(alert.parsed.parts.first?.content.contains("NCT99000031") == true)
            server.terminate()
            for _ in 0..<300 where server.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!server.isRunning, "serve stops on SIGTERM with its alert and delivery workers")
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        }
    }

    /// Runs the worker again and again, each time killing it with SIGKILL once the server has received a random 1 to
    /// 30 more messages from that run (so the kill lands inside a batch, at a random message); returns the kills.
    static func killWhileSending(arguments: [String], sink: SMTPSink, total: Int) throws -> Int {
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<40 where kills < 12 {
            let before = try sink.receivedCount()
            guard before < total else { break }
            let process = Process()
            process.executableURL = CommandLineTests.executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let target = before + Int.random(in: 1...30, using: &generator)
            while process.isRunning, try sink.receivedCount() < target { usleep(500) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            usleep(1_100_000)  // let the killed worker's leases expire
        }
        return kills
    }

    /// The `count`-th message the sink received, waiting up to a minute for it.
    static func waitForMessage(_ sink: SMTPSink, count: Int) async throws -> ReceivedMessage {
        for _ in 0..<300 {
            if try sink.receivedCount() >= count { return try sink.received()[count - 1] }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("no message \(count) within a minute")
        throw SMTPSink.SinkError.notStarted
    }
}
