import Foundation
import MailTesting
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the delivery worker at random points: after restarts, every alert key reaches the SMTP server
/// (aiosmtpd) exactly once. The one window that can lose a message (between recording `committing` and writing the
/// final `.`, see `OutboxDelivery`) leaves the message `committing`; the test counts those apart and requires that
/// none of them was delivered twice either.
@Suite("Delivery crash", .serialized, .enabled(if: SMTPTestEnvironment.shouldRun))
struct DeliveryCrashTests {
    static let messages = 240

    @Test("killed at random points over 240 alerts, the worker delivers each key exactly once after restarts")
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
            var generator = SystemRandomNumberGenerator()
            var kills = 0
            // Kill the worker at random moments while it sends.
            for _ in 0..<12 {
                let process = Process()
                process.executableURL = CommandLineTests.executable
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                try await Task.sleep(for: .milliseconds(Int.random(in: 80...700, using: &generator)))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
                process.waitUntilExit()
                try await Task.sleep(for: .milliseconds(1_100))  // let leases of the killed worker expire
            }
            #expect(kills >= 5, "the worker must be killed mid-run several times (\(kills))")
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
}
