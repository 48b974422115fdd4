import DemoData
import Foundation
import Logging
import Storage
import Testing
import TestSupport
import Trials

@testable import Web

/// The alert worker on real records: a real demo trial imported under a new NCT id is a new trial; importing it again
/// with another status is a status change. Saved searches that match get alerts once; immediate ones an e-mail in the
/// outbox, daily ones a digest.
@Suite("Alert worker")
struct AlertWorkerTests {
    /// A copy of a stored real study with another id, status and last-update date, as an API v2 JSON file.
    static func variant(of nctId: String, as newId: String, status: String, updated: String, store: any PasserelleStore,
                        directory: URL) async throws -> String {
        try StudyVariant.file(from: try #require(try await store.rawDocument(nctId)), nctId: newId, status: status, updated: updated,
                              in: directory)
    }

    @Test("new trials and status changes alert the saved searches they match, once; immediate ones are mailed, daily ones digested")
    func alerts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passerelle-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTrialStore(path: directory.appendingPathComponent("alerts.sqlite").path)
        try await store.migrate()
        _ = try await TrialImporter(store: store).importFiles([DemoData.studyFiles[0].path])
        let finder = try await DemoStore.finder.value
        let subscriptions = try await Subscriptions.configured(
            people: store.people, finder: finder, configuration: ServerConfiguration(publicURL: "https://passerelle.example/"),
            library: try await Pages.load().library)
        let worker = AlertWorker(store: store, finder: finder, subscriptions: subscriptions, logger: Logger(label: "test"))
        let now = Date()

        // A real recruiting lymphoma trial of the demo data is the model of the new ones.
        let model = try #require(try finder.search(.init(text: "lymphoma", filters: [.status: ["RECRUITING"]])).results.hits.first?.nctId)
        let immediate = try await subscriptions.save(query: FormQuery("q=lymphome"), email: "now@example.org", frequency: "immediate",
                                                      language: .fr, account: nil, now: now)
        let daily = try await subscriptions.save(query: FormQuery("q=lymphoma&status=RECRUITING"), email: "daily@example.org",
                                                  frequency: "daily", language: .en, account: nil, now: now)
        let unrelated = try await subscriptions.save(query: FormQuery("q=asthma"), email: "asthma@example.org", frequency: "immediate",
                                                      language: .fr, account: nil, now: now)
        let pending = try await subscriptions.save(query: FormQuery("q=lymphoma"), email: "unconfirmed@example.org", frequency: "immediate",
                                                    language: .fr, account: nil, now: now)
        for search in [immediate, daily, unrelated] { #expect(try await store.people.confirmSavedSearch(id: search.id, at: now)) }

        #expect(try await worker.percolate(now: now) == 0, "the first run only places the cursor at the end of the history")

        // A new trial, not yet recruiting: the lymphoma searches that do not filter on status hear about it.
        let first = try await Self.variant(of: model, as: "NCT99000001", status: "NOT_YET_RECRUITING", updated: "2026-11-01",
                                           store: store, directory: directory)
        _ = try await TrialImporter(store: store).importFiles([first])
        #expect(try await worker.percolate(now: now) == 1)
        #expect(try await worker.percolate(now: now) == 0, "the same history alerts nobody twice")
        var alerts = try await store.people.alerts(savedSearchId: immediate.id, limit: 10)
        #expect(alerts.map(\.event) == ["new-trial"] && alerts.first?.nctId == "NCT99000001")
        #expect(try await store.people.alerts(savedSearchId: daily.id, limit: 10).isEmpty, "not recruiting: not what it asked for")
        #expect(try await store.people.alerts(savedSearchId: unrelated.id, limit: 10).isEmpty)
        #expect(try await store.people.alerts(savedSearchId: pending.id, limit: 10).isEmpty, "unconfirmed searches get nothing")
        let mail = try #require(try await store.people.outboxMessages(recipient: "now@example.org").first { $0.key.hasPrefix("alert-") })
        #expect(mail.message.contains("List-Unsubscribe: <https://passerelle.example/alerts/unsubscribe/"))
        #expect(mail.message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(mail.message.contains("NCT99000001"))

        // It opens: both lymphoma searches hear about the status change.
        let opened = try await Self.variant(of: model, as: "NCT99000001", status: "RECRUITING", updated: "2026-11-20",
                                            store: store, directory: directory)
        _ = try await TrialImporter(store: store).importFiles([opened])
        #expect(try await worker.percolate(now: now) == 2)
        alerts = try await store.people.alerts(savedSearchId: immediate.id, limit: 10)
        #expect(Set(alerts.map(\.event)) == ["new-trial", "status-changed"])
        let change = try #require(try await store.people.alerts(savedSearchId: daily.id, limit: 10).first)
        #expect(change.event == "status-changed" && change.mailedIn == nil)
        #expect(AlertWorker.reason(change) == .statusChanged(from: .notYetRecruiting, to: .recruiting))

        // The daily digest carries the unmailed alert once.
        #expect(try await worker.queueDigests(.daily, now: now.addingTimeInterval(1)) == 1)
        #expect(try await worker.queueDigests(.daily, now: now.addingTimeInterval(2)) == 0)
        let digest = try #require(try await store.people.outboxMessages(recipient: "daily@example.org").last)
        #expect(digest.key.hasPrefix("digest-daily-"))
        #expect(String(decoding: MIMEReader.decodeQuotedPrintable(digest.message), as: UTF8.self).contains("Status change — Not yet recruiting → Recruiting"),
                "the digest names the change in the subscriber's language")
        try await store.close()
    }
}
