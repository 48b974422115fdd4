import Foundation
import Search

/// An alert waiting in the outbox: who, which saved search, which trial, why and when. The outbox copies the saved
/// search's subscriber, address, language and rhythm so digests need nothing else.
public struct PendingAlert: Sendable, Hashable, Codable {
    public var subscriberId: String
    public var email: String
    /// The language of the messages.
    public var language: Language
    public var frequency: SavedSearch.Frequency
    public var savedSearchId: SavedSearch.ID
    public var nctId: String
    public var reason: AlertReason
    /// When the alert was queued.
    public var time: Date

    public init(
        subscriberId: String, email: String, language: Language, frequency: SavedSearch.Frequency,
        savedSearchId: SavedSearch.ID, nctId: String, reason: AlertReason, time: Date
    ) {
        self.subscriberId = subscriberId
        self.email = email
        self.language = language
        self.frequency = frequency
        self.savedSearchId = savedSearchId
        self.nctId = nctId
        self.reason = reason
        self.time = time
    }

    /// The pending alert of an event for its saved search.
    public init(_ event: AlertEvent, search: SavedSearch, time: Date) {
        self.init(
            subscriberId: search.subscriberId, email: search.email, language: search.language,
            frequency: search.frequency, savedSearchId: search.id, nctId: event.nctId, reason: event.reason, time: time)
    }
}

/// One message to one subscriber: every trial their daily (or weekly) alerts named, each once. A pure data model;
/// the template layer renders it.
public struct Digest: Sendable, Hashable {
    /// One saved search's alert about the trial.
    public struct Match: Sendable, Hashable {
        public var savedSearchId: SavedSearch.ID
        public var reason: AlertReason
        public var time: Date
    }

    /// One trial of the digest.
    public struct Item: Sendable, Hashable {
        public var nctId: String
        /// The most important reason among ``matches`` (lowest ``AlertReason/rank``, then latest).
        public var reason: AlertReason
        /// The subscriber's saved searches that alerted about this trial, by saved search id; one each.
        public var matches: [Match]
        /// The latest alert time among ``matches``.
        public var latest: Date
    }

    public var subscriberId: String
    /// Address and language of the subscriber's latest alert.
    public var email: String
    public var language: Language
    public var frequency: SavedSearch.Frequency
    /// Trials by reason rank (new trials first), then latest alert first, then NCT id.
    public var items: [Item]
    /// The saved searches involved, sorted.
    public var savedSearchIds: [SavedSearch.ID]
    /// Pending alerts folded into this digest (including duplicates), for marking them sent.
    public var alertCount: Int
    /// Earliest and latest alert time.
    public var period: ClosedRange<Date>
}

/// Builds digests from the outbox's pending alerts.
public enum DigestBuilder {
    /// One digest per subscriber with pending alerts of `frequency` (daily or weekly; immediate alerts are sent
    /// one by one), sorted by subscriber id.
    ///
    /// Within a digest each trial appears once, whatever the number of saved searches and alerts naming it: per saved
    /// search the most important reason is kept (lowest rank, then the latest), and the trial's reason is the most
    /// important of its searches'. The output depends only on the set of alerts, not on their order.
    public static func digests(_ alerts: [PendingAlert], frequency: SavedSearch.Frequency) -> [Digest] {
        var bySubscriber: [String: [Int]] = [:]
        for (position, alert) in alerts.enumerated() where alert.frequency == frequency {
            bySubscriber[alert.subscriberId, default: []].append(position)
        }
        var digests: [Digest] = []
        digests.reserveCapacity(bySubscriber.count)
        for (subscriber, positions) in bySubscriber {
            digests.append(digest(subscriber, positions.map { alerts[$0] }, frequency: frequency))
        }
        digests.sort { $0.subscriberId < $1.subscriberId }
        return digests
    }

    /// Whether `a` is a better alert than `b` for one saved search and trial: more important reason, then later,
    /// then a total order on the rest so that the choice never depends on input order.
    static func precedes(_ a: PendingAlert, _ b: PendingAlert) -> Bool {
        if a.reason.rank != b.reason.rank { return a.reason.rank < b.reason.rank }
        if a.time != b.time { return a.time > b.time }
        return String(describing: a.reason) < String(describing: b.reason)
    }

    private static func digest(_ subscriber: String, _ alerts: [PendingAlert], frequency: SavedSearch.Frequency) -> Digest {
        let sorted = alerts.sorted { a, b in
            if a.nctId != b.nctId { return a.nctId < b.nctId }
            if a.savedSearchId != b.savedSearchId { return a.savedSearchId < b.savedSearchId }
            return precedes(a, b)
        }
        var items: [Digest.Item] = []
        var searches: Set<SavedSearch.ID> = []
        var index = 0
        while index < sorted.count {
            let nctId = sorted[index].nctId
            var matches: [Digest.Match] = []
            var best = sorted[index]
            var latest = sorted[index].time
            while index < sorted.count, sorted[index].nctId == nctId {
                // The first alert of each saved search is its best one.
                let alert = sorted[index]
                if matches.last?.savedSearchId != alert.savedSearchId {
                    matches.append(Digest.Match(savedSearchId: alert.savedSearchId, reason: alert.reason, time: alert.time))
                    searches.insert(alert.savedSearchId)
                    if precedes(alert, best) { best = alert }
                }
                latest = max(latest, alert.time)
                index += 1
            }
            items.append(Digest.Item(nctId: nctId, reason: best.reason, matches: matches, latest: latest))
        }
        items.sort { a, b in
            if a.reason.rank != b.reason.rank { return a.reason.rank < b.reason.rank }
            if a.latest != b.latest { return a.latest > b.latest }
            return a.nctId < b.nctId
        }
        let newest = alerts.max { a, b in (a.time, a.savedSearchId, a.nctId) < (b.time, b.savedSearchId, b.nctId) }!
        let times = alerts.map(\.time)
        return Digest(
            subscriberId: subscriber, email: newest.email, language: newest.language, frequency: frequency,
            items: items, savedSearchIds: searches.sorted(), alertCount: alerts.count,
            period: times.min()!...times.max()!)
    }
}
