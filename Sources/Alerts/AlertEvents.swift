import Search
import Trials

/// Why a saved search gets an alert about a trial.
public enum AlertReason: Sendable, Hashable, Codable {
    /// The trial was imported for the first time and matches.
    case newTrial
    /// The trial's overall status changed and the trial matches with its new status (notably not yet recruiting →
    /// recruiting). `from` is `nil` when the history did not name a known status.
    case statusChanged(from: OverallStatus?, to: OverallStatus)
    /// A site was added within the search's radius: the site's key (facility | city | country, as the history
    /// names it), its index in the trial's `locations`, its city and its distance from the search's place.
    case newSiteNearby(site: String, locationIndex: Int, city: String?, distanceKm: Double)
    /// The trial was updated and matches now but did not match its previous version (a new condition, an age limit
    /// relaxed, a site in a filtered province), with no more specific reason.
    case nowMatches

    /// Importance, most important first: one alert per saved search and trial keeps the first reason that applies,
    /// and digests list trials in this order.
    public var rank: Int {
        switch self {
        case .newTrial: 0
        case .statusChanged: 1
        case .newSiteNearby: 2
        case .nowMatches: 3
        }
    }
}

/// One alert to queue: a saved search, a trial, and why.
public struct AlertEvent: Sendable, Hashable, Codable {
    public var savedSearchId: SavedSearch.ID
    public var nctId: String
    public var reason: AlertReason

    public init(savedSearchId: SavedSearch.ID, nctId: String, reason: AlertReason) {
        self.savedSearchId = savedSearchId
        self.nctId = nctId
        self.reason = reason
    }
}

extension OverallStatus {
    /// Statuses under which a person can still join or ask to join: a change *to* one of them is news for every
    /// saved search the trial matches.
    public var isOpenForEnrolment: Bool {
        switch self {
        case .recruiting, .notYetRecruiting, .enrollingByInvitation, .available: true
        default: false
        }
    }
}

extension Percolator {
    /// The alerts one import of `trial` causes, given the changes the store recorded for it in that import and, for
    /// an update, the version it replaced.
    ///
    /// Rules (docs/ALERTS.md), for each saved search the new version matches (strictly, see ``Percolator``); the first
    /// rule that applies gives the one alert of that search for this trial:
    /// 1. **New trial**: the changes include `created` → ``AlertReason/newTrial``.
    /// 2. **Status change**: the overall status changed and either the new status is open for enrolment
    ///    (``OverallStatus/isOpenForEnrolment``: not yet recruiting → recruiting, …) or the search filters on status
    ///    (then it asked for the new status) → ``AlertReason/statusChanged(from:to:)``. A trial closing does not
    ///    alert searches that do not ask for closed statuses.
    /// 3. **New site nearby**: the search has a place and a radius and a site added in this import is inside it →
    ///    ``AlertReason/newSiteNearby(site:locationIndex:city:distanceKm:)`` with the nearest such site.
    /// 4. **Now matches**: `previous` is given and did not match the search → ``AlertReason/nowMatches``.
    ///
    /// Otherwise no alert: a trial that matched before and changed only its text, dates, contacts, a site's status
    /// or lost a site alerts nobody, and neither does a search the new version does not match. Without `previous`,
    /// rule 4 cannot be decided and is skipped (pass it whenever the store has it). Events are sorted by saved search
    /// id.
    public func events(for trial: Trial, changes: [TrialChange], previous: Trial? = nil) -> [AlertEvent] {
        events(
            for: PercolationTrial(trial, index: index), changes: changes,
            previous: previous.map { PercolationTrial($0, index: index) })
    }

    /// ``events(for:changes:previous:)`` for trials already analysed.
    public func events(
        for trial: PercolationTrial, changes: [TrialChange], previous: PercolationTrial?
    ) -> [AlertEvent] {
        guard !changes.isEmpty else { return [] }
        let now = matchingQueries(trial)
        guard !now.isEmpty else { return [] }
        let nctId = trial.trial.nctId
        var events: [AlertEvent] = []
        func emit(_ query: UInt32, _ reason: AlertReason) {
            for id in savedSearches(ofQuery: query) {
                events.append(AlertEvent(savedSearchId: id, nctId: nctId, reason: reason))
            }
        }

        if changes.contains(where: { $0.kind == .created }) {
            for query in now { emit(query, .newTrial) }
            return events.sorted { $0.savedSearchId < $1.savedSearchId }
        }

        let statusChange = changes.last { $0.kind == .statusChanged }.flatMap { change -> (OverallStatus?, OverallStatus)? in
            guard let to = change.newValue.flatMap(OverallStatus.init(rawValue:)) else { return nil }
            return (change.oldValue.flatMap(OverallStatus.init(rawValue:)), to)
        }
        let addedKeys = Set(changes.filter { $0.kind == .siteAdded }.compactMap(\.site))
        let addedSites = trial.analyzed.sites.filter { site in
            addedKeys.contains(Self.siteKey(trial.trial.locations[site.locationIndex]))
        }
        let before = previous.map { Set(matchingQueries($0)) }

        for query in now {
            if let (from, to) = statusChange, to.isOpenForEnrolment || filtersOnStatus(query) {
                emit(query, .statusChanged(from: from, to: to))
                continue
            }
            if !addedSites.isEmpty, let area = area(ofQuery: query) {
                var nearest: (site: AnalyzedTrial.Site, distance: Double)?
                for site in addedSites {
                    let distance = Geography.kilometres(area.origin, site.point)
                    if distance <= area.radiusKm, nearest == nil || distance < nearest!.distance { nearest = (site, distance) }
                }
                if let nearest {
                    let location = trial.trial.locations[nearest.site.locationIndex]
                    emit(
                        query,
                        .newSiteNearby(
                            site: Self.siteKey(location), locationIndex: nearest.site.locationIndex, city: location.city,
                            distanceKm: nearest.distance))
                    continue
                }
            }
            if let before, !before.contains(query) { emit(query, .nowMatches) }
        }
        return events.sorted { $0.savedSearchId < $1.savedSearchId }
    }

    /// The key ``TrialChange`` names a site by: "facility | city | country".
    static func siteKey(_ location: Location) -> String {
        [location.facility, location.city, location.country].map { $0 ?? "" }.joined(separator: " | ")
    }
}
