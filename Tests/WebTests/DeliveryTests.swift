import DemoData
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Mail
import TestSupport
import Storage
import Testing

@testable import Web

/// The whole alert path against a real SMTP server (aiosmtpd, started by the test): the double opt-in reaches the
/// inbox and its link confirms; importing a new matching trial and then its status change each bring an alert
/// e-mail; its one-click unsubscribe link stops the next ones.
@Suite("Alerts by e-mail", .enabled(if: SMTPTestEnvironment.shouldRun))
struct DeliveryTests {
    /// The link starting with `path` in a received message's text part.
    static func link(_ message: ReceivedMessage, _ path: String) throws -> String {
        let text = try #require(message.parsed.parts.first { $0.contentType == "text/plain" }?.content)
        let range = try #require(text.range(of: "https://passerelle.example" + path))
        return String(text[range.lowerBound...].prefix { !$0.isWhitespace }).replacingOccurrences(of: "https://passerelle.example", with: "")
    }

    @Test("opt-in, a new trial, a status change and unsubscribe, as the subscriber's inbox sees them")
    func endToEnd() async throws {
        try await SMTPSink.with { sink in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-delivery-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteTrialStore(path: directory.appendingPathComponent("delivery.sqlite").path)
            try await store.migrate()
            _ = try await TrialImporter(store: store).importFiles([DemoData.studyFiles[0].path])
            let finder = try await DemoStore.finder.value
            let configuration = ServerConfiguration(
                publicURL: "https://passerelle.example", bcryptCost: 4, smtp: "smtp://127.0.0.1:\(sink.port)")
            let (router, _) = try await buildRouter(configuration: configuration, store: store, finder: finder,
                                                    logger: Logger(label: "test"), registryToday: { CivilDateNow.today })
            let subscriptions = try await Subscriptions.configured(
                people: store.people, finder: finder, configuration: configuration, library: try await Pages.load().library)
            let worker = AlertWorker(store: store, finder: finder, subscriptions: subscriptions, logger: Logger(label: "test"))
            let delivery = OutboxDelivery(
                people: store.people, client: SMTPClient(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)")),
                sender: "no-reply@passerelle.quebec", logger: Logger(label: "test"))
            let model = try #require(try finder.search(.init(text: "lymphoma", filters: [.status: ["RECRUITING"]])).results.hits.first?.nctId)
            try await worker.percolate(now: Date())

            try await Application(router: router).test(.router) { client in
                let visitor = try await PeopleWebTests.anonymous(client)
                try await client.execute(uri: "/alerts", method: .post, headers: visitor.headers,
                                         body: PeopleWebTests.body([("csrf", visitor.csrf), ("email", "lea@example.org"), ("frequency", "immediate"),
                                                                    ("query", "q=lymphome"), ("lang", "fr")])) { response in
                    #expect(response.status == .ok)
                }
                let firstReport = try await delivery.deliverDue()
                #expect(firstReport.sent == 1)
                let optIn = try #require(try sink.received().last)
                #expect(optIn.rcptTos == ["lea@example.org"])
                #expect(optIn.parsed.subject == "Confirmez votre alerte Passerelle")
                try await client.execute(uri: try Self.link(optIn, "/alerts/confirm/"), method: .get) { response in
                    #expect(response.status == .ok)
                }

                // A new matching trial.
                let first = try await AlertWorkerTests.variant(of: model, as: "NCT99000011", status: "NOT_YET_RECRUITING", updated: "2026-11-01",
                                                               store: store, directory: directory)
                _ = try await TrialImporter(store: store).importFiles([first])
                try await worker.percolate(now: Date())
                #expect(try await delivery.deliverDue().sent == 1)
                let alert = try #require(try sink.received().last)
                #expect(alert.parsed.subject == "Passerelle : du nouveau pour votre recherche")
                #expect(alert.parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
                #expect(alert.parsed.parts[0].content.contains("NCT99000011") && alert.parsed.parts[0].content.contains("Nouvel essai"))
                #expect(alert.parsed.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
                #expect(alert.parsed.header("X-Passerelle-Key")?.hasPrefix("alert-") == true)

                // It starts recruiting.
                let opened = try await AlertWorkerTests.variant(of: model, as: "NCT99000011", status: "RECRUITING", updated: "2026-11-20",
                                                                store: store, directory: directory)
                _ = try await TrialImporter(store: store).importFiles([opened])
                try await worker.percolate(now: Date())
                #expect(try await delivery.deliverDue().sent == 1)
                let change = try #require(try sink.received().last)
                #expect(change.parsed.parts[0].content.contains("Changement de statut"))
                #expect(change.parsed.parts[0].content.contains("Recrutera bientôt → Recrute"))

                // One click on the unsubscribe link, as a mail client does it (RFC 8058): no cookie, no CSRF token.
                let unsubscribe = try #require(change.parsed.header("List-Unsubscribe"))
                let path = String(unsubscribe.dropFirst("<https://passerelle.example".count).dropLast())
                try await client.execute(uri: path, method: .post, headers: PeopleWebTests.form,
                                         body: ByteBuffer(string: "List-Unsubscribe=One-Click")) { response in
                    #expect(response.status == .ok)
                }
                let second = try await AlertWorkerTests.variant(of: model, as: "NCT99000012", status: "RECRUITING", updated: "2026-11-21",
                                                                store: store, directory: directory)
                _ = try await TrialImporter(store: store).importFiles([second])
                try await worker.percolate(now: Date())
                #expect(try await delivery.deliverDue().sent == 0, "nothing after unsubscribing")
                #expect(try sink.received().count == 3)
            }
            try await store.close()
        }
    }
}
