import Alerts
import Foundation
import Logging
import Search
import ServiceLifecycle
import Storage
import Trials

/// Turns the trial history into alerts: reads the changes recorded after its cursor (every import, by `serve` or by
/// `passerelle import` in another process), percolates each changed trial against the active saved searches, and
/// records the alerts — with one e-mail per saved search for immediate ones — and the new cursor in one transaction.
/// Re-running from an old cursor (after a crash) makes the same alert keys, which the store ignores, so each change
/// alerts each saved search at most once. Daily and weekly digests gather the alerts no e-mail has carried yet.
struct AlertWorker: Sendable {
    let store: any PasserelleStore
    let finder: Finder
    let subscriptions: Subscriptions
    let logger: Logger
    static let cursorName = "alerts_cursor"
    /// History entries read per transaction.
    static let batchSize = 2_000

    /// One pass over the new history; returns the number of new alerts.
    @discardableResult
    func percolate(now: Date) async throws -> Int {
        let people = store.people
        // The first run starts at the end of the history: an existing database does not alert on every trial it
        // already holds, only on what is imported from now on.
        guard let cursorText = try await people.setting(Self.cursorName), var cursor = Int64(cursorText) else {
            let end = try await store.lastSequence()
            try await people.setSetting(Self.cursorName, String(end))
            return 0
        }
        var created = 0
        // The saved searches and their percolator, loaded once per pass when there is history to read.
        var subscribed: (percolator: Percolator, byId: [String: SavedSearchRecord])?
        while true {
            let entries = try await store.changes(after: cursor, limit: Self.batchSize)
            guard let last = entries.last else { break }
            if subscribed == nil {
                let records = try await people.activeSavedSearches()
                subscribed = (Percolator(index: finder.snapshot.index, searches: records.compactMap(Self.savedSearch)),
                              Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) }))
            }
            guard let (percolator, byId) = subscribed else { break }
            var order: [String] = []
            var changes: [String: (changes: [TrialChange], sequence: Int64)] = [:]
            for entry in entries {
                if changes[entry.nctId] == nil { order.append(entry.nctId) }
                changes[entry.nctId, default: ([], 0)].changes.append(entry.change)
                changes[entry.nctId]?.sequence = entry.sequence
            }
            var alerts: [AlertRecord] = []
            for nctId in order {
                guard let trial = try await store.trial(nctId), let trialChanges = changes[nctId] else { continue }
                for event in percolator.events(for: trial, changes: trialChanges.changes) {
                    alerts.append(AlertRecord(
                        key: "\(event.savedSearchId)|\(nctId)|\(Self.code(event.reason))|\(trialChanges.sequence)",
                        savedSearchId: event.savedSearchId, nctId: nctId, event: Self.code(event.reason),
                        detail: try Self.encode(event.reason), historySequence: trialChanges.sequence, createdAt: now))
                }
            }
            var outbox: [OutboxMessage] = []
            let immediate = Dictionary(grouping: alerts.indices.filter { byId[alerts[$0].savedSearchId]?.frequency == "immediate" }) {
                alerts[$0].savedSearchId
            }
            for (searchId, indices) in immediate.sorted(by: { $0.key < $1.key }) {
                guard let search = byId[searchId] else { continue }
                let key = "alert-" + String(Secrets.sha256(indices.map { alerts[$0].key }.joined(separator: "\n")).prefix(32))
                outbox.append(try message(key: key, search: search, alerts: indices.map { alerts[$0] }, now: now))
                for index in indices { alerts[index].mailedIn = key }
            }
            created += try await people.recordAlerts(alerts, outbox: outbox, cursorName: Self.cursorName, cursor: last.sequence)
            cursor = last.sequence
            if entries.count < Self.batchSize { break }
        }
        if created > 0 { logger.info("alerts recorded", metadata: ["alerts": "\(created)"]) }
        return created
    }

    /// Queues one digest per address for the alerts of `frequency` no e-mail has carried, created before `now`
    /// (``DigestBuilder``: each trial once, most important reason first). The digest's key names the address and the
    /// day, so queuing twice the same day sends one message.
    @discardableResult
    func queueDigests(_ frequency: SavedSearch.Frequency, now: Date) async throws -> Int {
        let people = store.people
        let pending = try await people.unmailedAlerts(frequency: frequency.rawValue, createdBefore: now)
        guard !pending.isEmpty else { return 0 }
        var searches: [String: SavedSearchRecord] = [:]
        for id in Set(pending.map(\.savedSearchId)) { searches[id] = try await people.savedSearch(id: id) }
        let alerts = pending.compactMap { alert -> PendingAlert? in
            guard let search = searches[alert.savedSearchId] else { return nil }
            return PendingAlert(
                subscriberId: search.email, email: search.email, language: search.language == "en" ? .english : .french,
                frequency: frequency, savedSearchId: search.id, nctId: alert.nctId, reason: Self.reason(alert), time: alert.createdAt)
        }
        let keysByAddress = Dictionary(grouping: pending, by: { searches[$0.savedSearchId]?.email ?? "" }).mapValues { $0.map(\.key) }
        let day = QuebecTime.day(now)
        var queued = 0
        for digest in DigestBuilder.digests(alerts, frequency: frequency) {
            guard let first = digest.savedSearchIds.first.flatMap({ searches[$0] }) else { continue }
            let language: Language = digest.language == .english ? .en : .fr
            let strings = Strings.table(for: language)
            let message = try subscriptions.mailer.message(
                key: "digest-\(frequency.rawValue)-\(day)-" + String(Secrets.sha256(digest.email).prefix(16)), to: digest.email,
                language: language,
                content: Mailer.Content(
                    subject: strings["mail_digest_subject_\(frequency.rawValue)"] ?? "", heading: strings["mail_alert_intro"] ?? "",
                    paragraphs: digest.savedSearchIds.compactMap { searches[$0].map { SavedSearchText.label($0.query, language: language) } },
                    items: items(digest.items.map { ($0.nctId, $0.reason) }, language: language),
                    unsubscribeURL: subscriptions.unsubscribeURL(first)),
                now: now)
            try await people.queueDigest(message, alertKeys: keysByAddress[digest.email] ?? [])
            queued += 1
        }
        return queued
    }

    /// The saved search as the percolator takes it; `nil` for a stored query that no longer parses.
    static func savedSearch(_ record: SavedSearchRecord) -> SavedSearch? {
        guard let parameters = try? FinderParameters.parse(FormQuery(record.query)) else { return nil }
        return SavedSearch(
            id: record.id, subscriberId: record.accountId ?? record.email, email: record.email,
            parameters: SearchParameters(parameters.searchQuery()), language: record.language == "en" ? .english : .french,
            frequency: SavedSearch.Frequency(rawValue: record.frequency) ?? .daily)
    }

    static func code(_ reason: AlertReason) -> String {
        switch reason {
        case .newTrial: "new-trial"
        case .statusChanged: "status-changed"
        case .newSiteNearby: "new-site"
        case .nowMatches: "now-matches"
        }
    }

    /// The reason as stored with the alert (JSON), and back.
    static func encode(_ reason: AlertReason) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(reason), as: UTF8.self)
    }

    static func reason(_ alert: AlertRecord) -> AlertReason {
        (try? JSONDecoder().decode(AlertReason.self, from: Data(alert.detail.utf8))) ?? .newTrial
    }

    private func items(_ alerts: [(nctId: String, reason: AlertReason)], language: Language) -> [(title: String, url: String, detail: String)] {
        let summaries = finder.snapshot.summaries
        return alerts.map { alert in
            (title: "\(summaries[alert.nctId]?.title ?? alert.nctId) (\(alert.nctId))",
             url: subscriptions.mailer.link("/trials/\(alert.nctId)?lang=\(language.rawValue)"),
             detail: AlertWording.line(alert.reason, language: language))
        }
    }

    private func message(key: String, search: SavedSearchRecord, alerts: [AlertRecord], now: Date) throws -> OutboxMessage {
        let language = Language(rawValue: search.language) ?? .fr
        let strings = Strings.table(for: language)
        return try subscriptions.mailer.message(
            key: key, to: search.email, language: language,
            content: Mailer.Content(
                subject: strings["mail_alert_subject"] ?? "", heading: SavedSearchText.label(search.query, language: language),
                paragraphs: [strings["mail_alert_intro"] ?? ""],
                items: items(alerts.map { ($0.nctId, Self.reason($0)) }, language: language),
                action: (strings["nav_search"] ?? "", subscriptions.mailer.link("/search?\(search.query)&lang=\(language.rawValue)")),
                unsubscribeURL: subscriptions.unsubscribeURL(search)),
            now: now)
    }
}

/// Runs the alert worker inside `serve`: percolates every `interval`, and queues the daily digests once a day after
/// 07:00 and the weekly ones on Mondays (Québec time).
struct AlertService: Service {
    let worker: AlertWorker
    let interval: Duration

    func run() async throws {
        var lastDaily = ""
        var lastWeekly = ""
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = Date()
                try await worker.percolate(now: now)
                let day = QuebecTime.day(now)
                let calendar = QuebecTime.calendar
                if calendar.component(.hour, from: now) >= 7 {
                    if day != lastDaily {
                        try await worker.queueDigests(.daily, now: now)
                        lastDaily = day
                    }
                    if calendar.component(.weekday, from: now) == 2, day != lastWeekly {
                        try await worker.queueDigests(.weekly, now: now)
                        lastWeekly = day
                    }
                }
            } catch {
                worker.logger.error("alert worker failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
