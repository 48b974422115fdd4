import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Mail

/// SMTPClient against a real SMTP server: aiosmtpd, run by smtp_sink.py. Python's `email` package reads what arrived.
@Suite("SMTP against aiosmtpd", .enabled(if: SMTPTestEnvironment.shouldRun, "python3 cannot import aiosmtpd"))
struct SMTPIntegrationTests {
    let frenchSubject = "Nouvel essai : lymphome à grandes cellules B — recrutement ouvert"

    func client(_ url: String, logs: LogCapture? = nil) throws -> SMTPClient {
        var logger = Logger(label: "test.smtp") { _ in CapturingLogHandler(capture: logs ?? LogCapture()) }
        logger.logLevel = .debug
        return SMTPClient(configuration: try SMTPConfiguration(url: url), logger: logger)
    }

    func message(to recipient: String, subject: String = "Essai n° 1", text: String = "Bonjour.\n") -> MailMessage {
        MailMessage(
            from: MailAddress("alertes@passerelle.quebec"), to: [MailAddress(recipient)], subject: subject, text: text,
            messageID: "\(UUID().uuidString)@passerelle.quebec")
    }

    /// The error `body` throws, or nil.
    func error(_ body: () async throws -> Void) async -> SMTPError? {
        do {
            try await body()
            return nil
        } catch let error as SMTPError {
            return error
        } catch {
            Issue.record("not an SMTPError: \(error)")
            return nil
        }
    }

    @Test func plainSMTPDeliversTheRenderedBytesAndPythonReadsThemBack() async throws {
        try await SMTPSink.with { sink in
            let alert = sampleAlert()
            try await client("smtp://127.0.0.1:\(sink.port)?helo=tests.passerelle.quebec").send(alert)

            let received = try sink.received()
            try #require(received.count == 1)
            let mail = received[0]
            #expect(mail.mailFrom == "alertes@passerelle.quebec")
            #expect(mail.rcptTos == ["zoe.tremblay@example.org"])
            #expect(!mail.tls && mail.login == nil)
            #expect(mail.mailOptions.contains { $0.hasPrefix("SIZE=") })
            // Byte for byte what was rendered: dot-stuffing (the text has a line ".") undone by the server.
            #expect(mail.raw == (try alert.rendered()))

            let parsed = mail.parsed
            #expect(parsed.defects == [])
            #expect(parsed.subject == frenchSubject)
            #expect(parsed.from == [.init(name: "Passerelle — Alertes", address: "alertes@passerelle.quebec")])
            #expect(parsed.to == [.init(name: "Zoé Tremblay", address: "zoe.tremblay@example.org")])
            #expect(parsed.replyTo == [.init(name: "Équipe d'aide", address: "aide@passerelle.quebec")])
            #expect(parsed.messageId == "<alert-42.7@passerelle.quebec>")
            #expect(parsed.header("X-Passerelle-Key") == "alert:42:NCT01234567:2025-07-15")
            #expect(parsed.header("List-Unsubscribe") == alert.headers[0].value)
            #expect(parsed.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            #expect(parsed.header("Date") == "Tue, 15 Jul 2025 14:03:00 +0000")
            #expect(parsed.contentType == "multipart/alternative")
            #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
            #expect(parsed.parts.allSatisfy { $0.charset == "utf-8" && $0.cte == "quoted-printable" })
            #expect(parsed.parts[0].content.replacingOccurrences(of: "\r\n", with: "\n") == alert.text)
            #expect(parsed.parts[1].content.replacingOccurrences(of: "\r\n", with: "\n") == alert.html! + "\n")
        }
    }

    @Test func startTLSWhenRequired() async throws {
        try await SMTPSink.with(["--require-starttls"]) { sink in
            try await client("smtp://127.0.0.1:\(sink.port)?starttls=required&tls_verify=false").send(message(to: "a@example.org", subject: frenchSubject))
            let received = try sink.received()
            try #require(received.count == 1)
            #expect(received[0].tls)
            #expect(received[0].parsed.subject == frenchSubject)
        }
    }

    @Test func startTLSOpportunisticIsUsedWhenOffered() async throws {
        try await SMTPSink.with(["--starttls"]) { sink in
            try await client("smtp://127.0.0.1:\(sink.port)?tls_verify=false").send(message(to: "a@example.org"))
            #expect(try sink.received().map(\.tls) == [true])
        }
    }

    @Test func selfSignedCertificateIsRefusedWhenVerifying() async throws {
        try await SMTPSink.with(["--starttls"]) { sink in
            let client = try client("smtp://127.0.0.1:\(sink.port)")
            let failure = await error { try await client.send(message(to: "a@example.org")) }
            let error = try #require(failure)
            #expect(error.kind == .tls, "\(error)")
            #expect(error.isTransient)
            #expect(try sink.received().isEmpty)
        }
    }

    @Test func startTLSRequiredButNotOfferedIsAConfigurationError() async throws {
        try await SMTPSink.with { sink in
            let client = try client("smtp://127.0.0.1:\(sink.port)?starttls=required")
            let error = try #require(await error { try await client.send(message(to: "a@example.org")) })
            #expect(error.kind == .configuration && error.isPermanent && error.command == "STARTTLS", "\(error)")
            #expect(try sink.received().isEmpty)
        }
    }

    @Test func implicitTLS() async throws {
        try await SMTPSink.with(["--implicit-tls"]) { sink in
            try await client("smtps://127.0.0.1:\(sink.port)?tls_verify=false").send(message(to: "a@example.org"))
            #expect(try sink.received().map(\.tls) == [true])
        }
    }

    @Test func authPlainOverStartTLS() async throws {
        try await SMTPSink.with(["--starttls", "--auth", "alertes@passerelle.quebec:s3cr:t é"]) { sink in
            let url = "smtp://alertes%40passerelle.quebec:s3cr%3At%20%C3%A9@127.0.0.1:\(sink.port)?tls_verify=false"
            let logs = LogCapture()
            try await client(url, logs: logs).send(message(to: "a@example.org"))
            let received = try sink.received()
            try #require(received.count == 1)
            #expect(received[0].login == "alertes@passerelle.quebec")
            #expect(received[0].mechanism == "PLAIN")
            #expect(received[0].tls)
            // The dialogue is logged at debug level, the AUTH payload and password never.
            let log = logs.text
            for line in ["C: EHLO", "S: 250-", "C: STARTTLS", "C: AUTH PLAIN ***", "S: 235", "C: QUIT"] {
                #expect(log.contains(line), "\(line) missing from the log")
            }
            #expect(!log.contains("s3cr:t"))
            #expect(!log.contains(Data("\0alertes@passerelle.quebec\0s3cr:t é".utf8).base64EncodedString()))
        }
    }

    @Test func authLoginInPlaintextOnLoopback() async throws {
        try await SMTPSink.with(["--auth", "user:pa55word", "--auth-mechanisms", "LOGIN"]) { sink in
            let logs = LogCapture()
            try await client("smtp://user:pa55word@127.0.0.1:\(sink.port)", logs: logs).send(message(to: "a@example.org"))
            let received = try sink.received()
            try #require(received.count == 1)
            #expect(received[0].login == "user" && received[0].mechanism == "LOGIN" && !received[0].tls)
            #expect(logs.text.contains("C: AUTH LOGIN"))
            #expect(!logs.text.contains("pa55word") && !logs.text.contains(Data("pa55word".utf8).base64EncodedString()))
        }
    }

    @Test func wrongPasswordIsPermanent() async throws {
        try await SMTPSink.with(["--auth", "user:pass"]) { sink in
            let client = try client("smtp://user:wrong@127.0.0.1:\(sink.port)")
            let error = try #require(await error { try await client.send(message(to: "a@example.org")) })
            #expect(error.kind == .reply && error.code == 535 && error.isPermanent, "\(error)")
            #expect(error.command == "AUTH PLAIN")
            #expect(!error.description.contains("wrong"))
            #expect(try sink.received().isEmpty)
        }
    }

    @Test func credentialsAreNotSentInPlaintextToAnotherMachine() async throws {
        guard let address = nonLoopbackIPv4Address() else {
            print("note: no non-loopback IPv4 address; the plaintext-credentials refusal test is skipped")
            return
        }
        try await SMTPSink.with(["--auth", "user:pass", "--bind", address]) { sink in
            let client = try client("smtp://user:pass@\(address):\(sink.port)")
            let error = try #require(await error { try await client.send(message(to: "a@example.org")) })
            #expect(error.kind == .configuration && error.isPermanent && error.command == "AUTH", "\(error)")
            #expect(error.message.contains("plaintext"))
        }
    }

    @Test func severalMessagesOnOneConnectionEachWithItsResult() async throws {
        try await SMTPSink.with { sink in
            var invalid = message(to: "b@example.org")
            invalid.subject = "Injected\r\nBcc: victim@example.org"
            var twoRecipients = message(to: "c@example.org", subject: "Deux")
            twoRecipients.to += [MailAddress("d@example.org"), MailAddress("C@example.org")]
            let messages = [
                message(to: "a@example.org", subject: "Un"),
                message(to: "reject-me@example.org"),
                message(to: "tempfail@example.org"),
                invalid,
                twoRecipients,
            ]
            let results = try await client("smtp://127.0.0.1:\(sink.port)").send(messages)
            #expect(results.count == 5)
            #expect((try? results[0].get()) != nil)
            let rejected = try #require(results[1].failure)
            #expect(rejected.code == 550 && rejected.isPermanent && rejected.command == "RCPT TO", "\(rejected)")
            #expect(rejected.enhancedStatusCode == "5.1.1")
            let deferred = try #require(results[2].failure)
            #expect(deferred.code == 451 && deferred.isTransient, "\(deferred)")
            let bad = try #require(results[3].failure)
            #expect(bad.kind == .invalidMessage && bad.isPermanent && bad.message.contains("Subject"), "\(bad)")
            #expect((try? results[4].get()) != nil)

            let received = try sink.received()
            #expect(received.map(\.parsed.subject) == ["Un", "Deux"])
            #expect(received.map(\.rcptTos) == [["a@example.org"], ["c@example.org", "d@example.org"]])
            #expect(Set(received.map(\.peerPort)).count == 1, "one connection")
        }
    }

    @Test func theCallerIsAskedBeforeEachEndOfDataAndCanWithholdIt() async throws {
        try await SMTPSink.with { sink in
            let mails = try ["Un", "Deux", "Trois"].map { try OutgoingMail(message(to: "a@example.org", subject: $0)) }
            let asked = Mutex<[Int]>([])
            let client = try client("smtp://127.0.0.1:\(sink.port)")
            let all = await client.send(mails) { index in
                asked.withLock { $0.append(index) }
                return true
            }
            #expect(all.allSatisfy { (try? $0.get()) != nil })
            #expect(asked.withLock { $0 } == [0, 1, 2])

            let withheld = await client.send(mails) { index in index != 1 }
            #expect((try? withheld[0].get()) != nil)
            for result in withheld.dropFirst() {
                let error = try #require(result.failure)
                #expect(error.kind == .connection && error.isTransient && error.command == "end of data", "\(error)")
            }
            #expect(try sink.received().map(\.parsed.subject) == ["Un", "Deux", "Trois", "Un"])
        }
    }

    @Test func messageOverTheServerSizeFailsAloneAndPermanently() async throws {
        try await SMTPSink.with(["--size-limit", "4000"]) { sink in
            let big = message(to: "a@example.org", subject: "Gros", text: String(repeating: "Lymphome à grandes cellules B. ", count: 200))
            let small = message(to: "a@example.org", subject: "Petit")
            let results = try await client("smtp://127.0.0.1:\(sink.port)").send([big, small])
            let error = try #require(results[0].failure)
            #expect(error.kind == .invalidMessage && error.isPermanent && error.message.contains("SIZE"), "\(error)")
            #expect((try? results[1].get()) != nil)
            #expect(try sink.received().map(\.parsed.subject) == ["Petit"])
        }
    }

    @Test func heloWhenEHLOIsRefused() async throws {
        try await SMTPSink.with(["--no-ehlo"]) { sink in
            try await client("smtp://127.0.0.1:\(sink.port)").send(message(to: "a@example.org", subject: frenchSubject))
            let received = try sink.received()
            #expect(received.map(\.parsed.subject) == [frenchSubject])
            #expect(received.first?.mailOptions == [])
        }
    }

    @Test func serverNotListeningIsTransient() async throws {
        let port = try freePort()
        let client = try client("smtp://127.0.0.1:\(port)?connect_timeout=5")
        let error = try #require(await error { try await client.send(message(to: "a@example.org")) })
        #expect(error.kind == .connection && error.isTransient && error.command == "connect", "\(error)")
        let batch = await client.send([message(to: "a@example.org"), message(to: "b@example.org")])
        #expect(batch.allSatisfy { $0.failure?.kind == .connection })
    }

    @Test func silentServerTimesOut() async throws {
        let socket = try ListeningSocket(listen: true)
        let client = try client("smtp://127.0.0.1:\(socket.port)?timeout=0.5")
        let error = try #require(await error { try await client.send(message(to: "a@example.org")) })
        // A timeout error (not a hang, not a connection error) is the proof; elapsed time is not asserted, since
        // a loaded machine delays every wake-up.
        #expect(error.kind == .timeout && error.isTransient && error.command == "greeting", "\(error)")
        withExtendedLifetime(socket) {}
    }

    @Test func cancellationEndsAWaitAtOnce() async throws {
        let socket = try ListeningSocket(listen: true)
        let client = try client("smtp://127.0.0.1:\(socket.port)?timeout=60")
        let message = message(to: "a@example.org")
        let task = Task { await client.send([message]) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let error = try #require(await task.value[0].failure)
        // "cancelled", not a timeout after 60 s: the cancellation ended the wait.
        #expect(error.kind == .connection && error.isTransient && error.message == "cancelled", "\(error)")
        withExtendedLifetime(socket) {}
    }
}

/// Log lines kept for assertions.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        capture.append("\(message) \(self.metadata.merging(metadata ?? [:]) { $1 })")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
