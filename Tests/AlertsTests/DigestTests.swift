import Alerts
import Foundation
import Search
import Testing
import Trials

@Suite struct DigestTests {
    /// The pending alerts of 120 saved searches (30 subscribers, 4 searches each) for the first 200 demo trials
    /// imported as new, one import an hour.
    static let backlog: [PendingAlert] = {
        let searches = Searches.generate(count: 120, seed: 11).enumerated().map { number, search in
            var search = search
            search.subscriberId = "u\(number % 30)"
            search.email = "u\(number % 30)@example.org"
            return search
        }
        let byId = Dictionary(uniqueKeysWithValues: searches.map { ($0.id, $0) })
        let percolator = Percolator(index: Demo.index, searches: searches)
        var alerts: [PendingAlert] = []
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for (hour, trial) in Demo.trials.prefix(200).enumerated() {
            for event in percolator.events(for: trial, changes: [TrialChange(kind: .created)]) {
                alerts.append(PendingAlert(event, search: byId[event.savedSearchId]!, time: start + Double(hour) * 3600))
            }
        }
        return alerts
    }()

    @Test func oneDigestPerSubscriberWithEachTrialOnce() {
        let alerts = Self.backlog
        #expect(alerts.count > 200)
        let daily = alerts.filter { $0.frequency == .daily }
        let digests = DigestBuilder.digests(alerts, frequency: .daily)
        #expect(digests.map(\.subscriberId) == Set(daily.map(\.subscriberId)).sorted())
        #expect(digests.reduce(0) { $0 + $1.alertCount } == daily.count)
        var someTrialCameFromSeveralSearches = false
        for digest in digests {
            let mine = daily.filter { $0.subscriberId == digest.subscriberId }
            #expect(digest.frequency == .daily)
            #expect(digest.items.map(\.nctId).count == Set(digest.items.map(\.nctId)).count)
            #expect(Set(digest.items.map(\.nctId)) == Set(mine.map(\.nctId)))
            #expect(digest.savedSearchIds == Set(mine.map(\.savedSearchId)).sorted())
            #expect(digest.period.lowerBound == mine.map(\.time).min())
            #expect(digest.period.upperBound == mine.map(\.time).max())
            for item in digest.items {
                let named = mine.filter { $0.nctId == item.nctId }
                #expect(item.matches.map(\.savedSearchId) == Set(named.map(\.savedSearchId)).sorted())
                #expect(item.latest == named.map(\.time).max())
                if item.matches.count > 1 { someTrialCameFromSeveralSearches = true }
            }
            // New trials only here, so newest first, then NCT id.
            for (a, b) in zip(digest.items, digest.items.dropFirst()) {
                #expect(a.latest > b.latest || (a.latest == b.latest && a.nctId < b.nctId))
            }
        }
        #expect(someTrialCameFromSeveralSearches)
        let weekly = Set(alerts.filter { $0.frequency == .weekly }.map(\.subscriberId)).sorted()
        #expect(DigestBuilder.digests(alerts, frequency: .weekly).map(\.subscriberId) == weekly)
    }

    @Test func theOrderOfTheBacklogDoesNotMatter() {
        var random = SeededGenerator(state: 5)
        let shuffled = Self.backlog.shuffled(using: &random)
        #expect(DigestBuilder.digests(shuffled, frequency: .daily) == DigestBuilder.digests(Self.backlog, frequency: .daily))
    }

    @Test func repeatedAlertsKeepTheMostImportantReason() throws {
        let (trial, _) = Cases.recruiting
        let day = Date(timeIntervalSince1970: 1_790_000_000)
        func alert(_ search: String, _ reason: AlertReason, hour: Double, nctId: String = trial.nctId) -> PendingAlert {
            PendingAlert(
                subscriberId: "marie", email: "marie@example.org", language: .french, frequency: .weekly,
                savedSearchId: search, nctId: nctId, reason: reason, time: day + hour * 3600)
        }
        let opened = AlertReason.statusChanged(from: .notYetRecruiting, to: .recruiting)
        let site = AlertReason.newSiteNearby(site: "CHUM | Montréal | Canada", locationIndex: 0, city: "Montréal", distanceKm: 3)
        let other = Demo.trials.first { $0.nctId != trial.nctId }!.nctId
        let alerts = [
            alert("lymphome-montreal", .nowMatches, hour: 1),
            alert("lymphome-montreal", opened, hour: 30),
            alert("car-t", site, hour: 50),
            alert("car-t", .nowMatches, hour: 60, nctId: other),
        ]
        let digests = DigestBuilder.digests(alerts, frequency: .weekly)
        let digest = try #require(digests.first)
        #expect(digests.count == 1)
        #expect(digest.alertCount == 4)
        #expect(digest.items.map(\.nctId) == [trial.nctId, other])
        let item = digest.items[0]
        #expect(item.reason == opened)
        #expect(item.matches.map(\.savedSearchId) == ["car-t", "lymphome-montreal"])
        #expect(item.matches.map(\.reason) == [site, opened])
        #expect(item.latest == day + 50 * 3600)
        #expect(DigestBuilder.digests(alerts, frequency: .daily).isEmpty)
    }
}
