import Alerts
import Foundation
import Search
import Testing
import Trials

/// Real trials and searches that find them, for the event rules.
enum Cases {
    /// A condition of `trial` that, as search text, finds it strictly.
    static func findingText(_ trial: Trial) -> String? {
        trial.conditions.first { condition in
            (try? Demo.finderMatches(SearchParameters(text: condition)).ids.contains(trial.nctId)) == true
        }
    }

    /// A recruiting API v2 trial with a condition text that finds it and sites with points.
    static let recruiting: (trial: Trial, text: String) = {
        for trial in Demo.trials where trial.overallStatus == .recruiting && trial.sourceFormat == .ctgovJSON
            && trial.locations.contains(where: { $0.geo != nil })
        {
            if let text = findingText(trial) { return (trial, text) }
        }
        fatalError("no recruiting demo trial")
    }()

    static func search(_ id: String, _ parameters: SearchParameters) -> SavedSearch {
        SavedSearch(id: id, subscriberId: "u-\(id)", email: "\(id)@example.org", parameters: parameters)
    }

    static func point(_ geo: GeoPoint) -> String { "\(geo.latitude),\(geo.longitude)" }
}

@Suite struct EventRuleTests {
    @Test func aNewTrialAlertsExactlyTheSearchesItMatches() throws {
        let (trial, text) = Cases.recruiting
        let other = Searches.texts.first { text in
            guard !text.isEmpty, let found = try? Demo.finderMatches(SearchParameters(text: text)) else { return false }
            return !found.ids.isEmpty && !found.ids.contains(trial.nctId)
        }!
        let searches = [
            Cases.search("text", SearchParameters(text: text)),
            Cases.search("recruiting", SearchParameters(text: text, filters: [.status: ["RECRUITING"]])),
            Cases.search("completed", SearchParameters(text: text, filters: [.status: ["COMPLETED"]])),
            Cases.search("other", SearchParameters(text: other)),
            Cases.search("everything", SearchParameters()),
        ]
        let percolator = Percolator(index: Demo.index, searches: searches)
        let events = percolator.events(for: trial, changes: [TrialChange(kind: .created)])
        var expected: Set<SavedSearch.ID> = []
        for search in searches where try Demo.finderMatches(search.parameters).ids.contains(trial.nctId) {
            expected.insert(search.id)
        }
        #expect(expected == ["text", "recruiting", "everything"])
        #expect(Set(events.map(\.savedSearchId)) == expected)
        #expect(events.count == expected.count)
        #expect(events.allSatisfy { $0.reason == .newTrial && $0.nctId == trial.nctId })
    }

    @Test func notYetRecruitingToRecruitingAlertsSearchesMatchingTheNewStatus() {
        let (trial, text) = Cases.recruiting
        var previous = trial
        previous.overallStatus = .notYetRecruiting
        let changes = TrialChange.between(previous, trial)
        #expect(changes.map(\.kind) == [.statusChanged])
        let percolator = Percolator(
            index: Demo.index,
            searches: [
                Cases.search("recruiting", SearchParameters(text: text, filters: [.status: ["RECRUITING"]])),
                Cases.search("any", SearchParameters(text: text)),
                Cases.search("not-yet", SearchParameters(text: text, filters: [.status: ["NOT_YET_RECRUITING"]])),
            ])
        let events = percolator.events(for: trial, changes: changes, previous: previous)
        let reason = AlertReason.statusChanged(from: .notYetRecruiting, to: .recruiting)
        #expect(events == [
            AlertEvent(savedSearchId: "any", nctId: trial.nctId, reason: reason),
            AlertEvent(savedSearchId: "recruiting", nctId: trial.nctId, reason: reason),
        ])
    }

    @Test func aTrialClosingAlertsOnlySearchesAskingForTheClosedStatus() {
        let (trial, text) = Cases.recruiting
        var closed = trial
        closed.overallStatus = .activeNotRecruiting
        let percolator = Percolator(
            index: Demo.index,
            searches: [
                Cases.search("any", SearchParameters(text: text)),
                Cases.search("recruiting", SearchParameters(text: text, filters: [.status: ["RECRUITING"]])),
                Cases.search("active", SearchParameters(text: text, filters: [.status: ["ACTIVE_NOT_RECRUITING"]])),
            ])
        let events = percolator.events(for: closed, changes: TrialChange.between(trial, closed), previous: trial)
        #expect(events == [
            AlertEvent(
                savedSearchId: "active", nctId: trial.nctId,
                reason: .statusChanged(from: .recruiting, to: .activeNotRecruiting))
        ])
    }

    /// A site opening 300+ km from the trial's other sites: searches around it hear of the new site; searches
    /// around the old sites, where the trial already matched, hear nothing.
    @Test func aNewSiteAlertsSearchesWhoseRadiusHoldsIt() throws {
        var found: (trial: Trial, text: String, kept: Location, added: Location)?
        search: for trial in Demo.trials where trial.sourceFormat == .ctgovJSON && trial.locations.count >= 2 {
            let located = trial.locations.filter { $0.geo != nil && $0.city != nil }
            for added in located {
                for kept in located where Geography.kilometres(kept.geo!, added.geo!) > 300 {
                    if let text = Cases.findingText(trial) {
                        found = (trial, text, kept, added)
                        break search
                    }
                }
            }
        }
        let (trial, text, kept, added) = try #require(found)
        var previous = trial
        previous.locations = trial.locations.filter { location in
            guard let geo = location.geo else { return false }
            return Geography.kilometres(geo, added.geo!) > 150
        }
        var current = previous
        current.locations.append(added)
        let changes = TrialChange.between(previous, current)
        #expect(changes.map(\.kind) == [.siteAdded])

        let percolator = Percolator(
            index: Demo.index,
            searches: [
                Cases.search("near-added", SearchParameters(text: text, place: Cases.point(added.geo!), radiusKm: 50)),
                Cases.search("near-kept", SearchParameters(text: text, place: Cases.point(kept.geo!), radiusKm: 50)),
            ])
        let events = percolator.events(for: current, changes: changes, previous: previous)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.savedSearchId == "near-added")
        guard case .newSiteNearby(let site, let locationIndex, let city, let distance) = event.reason else {
            Issue.record("expected a new site, got \(event.reason)")
            return
        }
        #expect(locationIndex == current.locations.count - 1)
        #expect(city == added.city)
        #expect(site.contains(added.city!))
        #expect(distance < 1)
        // Percolating alone agrees: the search near the kept site matched before and still matches.
        #expect(Set(percolator.matches(trial: previous)) == ["near-kept"])
        #expect(Set(percolator.matches(trial: current)) == ["near-added", "near-kept"])
    }

    @Test func aTextOnlyUpdateOfAMatchingTrialAlertsNobody() throws {
        let (trial, text) = Cases.recruiting
        var updated = trial
        updated.briefSummary = (trial.briefSummary ?? "") + " The sponsor revised the schedule of assessments."
        #expect(TrialChange.between(trial, updated).isEmpty)
        let searches = [
            Cases.search("text", SearchParameters(text: text)),
            Cases.search("recruiting", SearchParameters(text: text, filters: [.status: ["RECRUITING"]])),
            Cases.search("everything", SearchParameters()),
        ]
        let percolator = Percolator(index: Demo.index, searches: searches)
        #expect(Set(percolator.matches(trial: updated)) == Set(searches.map(\.id)))
        #expect(percolator.events(for: updated, changes: [TrialChange(kind: .updated)], previous: trial).isEmpty)
        // Without the previous version a text update cannot be told from a new match: nothing either.
        #expect(percolator.events(for: updated, changes: [TrialChange(kind: .updated)]).isEmpty)
    }

    @Test func anUpdateThatNowMatchesAlertsWithNowMatches() throws {
        let candidate = Demo.trials.first { trial in
            trial.eligibility.accepts(ageInYears: 30) && Cases.findingText(trial) != nil
        }
        let trial = try #require(candidate)
        let text = Cases.findingText(trial)!
        var previous = trial
        previous.eligibility.minimumAge = AgeLimit(value: 65, unit: .years)
        let percolator = Percolator(
            index: Demo.index, searches: [Cases.search("adult", SearchParameters(text: text, acceptsAge: 30))])
        #expect(percolator.matches(trial: previous).isEmpty)
        let events = percolator.events(for: trial, changes: [TrialChange(kind: .updated)], previous: previous)
        #expect(events == [AlertEvent(savedSearchId: "adult", nctId: trial.nctId, reason: .nowMatches)])
    }
}
