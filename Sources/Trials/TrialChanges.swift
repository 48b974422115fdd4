/// A change to a stored trial that someone may want to hear about: the trial appeared, its status moved,
/// or a site opened, closed or changed status. The store keeps these as the trial's history; alerts read it.
public struct TrialChange: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case created
        case statusChanged = "status"
        case siteAdded = "site-added"
        case siteRemoved = "site-removed"
        case siteStatusChanged = "site-status"
        /// A newer version changed something else (text, criteria, dates, contacts); recorded only when none of
        /// the changes above happened, so every replacement leaves at least one entry.
        case updated
    }

    public var kind: Kind
    /// The site's key (facility, city, country) for site changes.
    public var site: String?
    public var oldValue: String?
    public var newValue: String?

    public init(kind: Kind, site: String? = nil, oldValue: String? = nil, newValue: String? = nil) {
        self.kind = kind
        self.site = site
        self.oldValue = oldValue
        self.newValue = newValue
    }

    /// What changed between two versions of the same trial, in a stable order: status first, then sites by key.
    public static func between(_ old: Trial, _ new: Trial) -> [TrialChange] {
        var changes: [TrialChange] = []
        if old.overallStatus != new.overallStatus {
            changes.append(
                TrialChange(kind: .statusChanged, oldValue: old.overallStatus.rawValue, newValue: new.overallStatus.rawValue))
        }
        let before = siteIndex(old)
        let after = siteIndex(new)
        for key in Set(before.keys).union(after.keys).sorted() {
            switch (before[key], after[key]) {
            case (nil, let added?):
                changes.append(TrialChange(kind: .siteAdded, site: key, newValue: added?.rawValue))
            case (let removed?, nil):
                changes.append(TrialChange(kind: .siteRemoved, site: key, oldValue: removed?.rawValue))
            case (let was?, let now?) where was != now:
                changes.append(TrialChange(kind: .siteStatusChanged, site: key, oldValue: was?.rawValue, newValue: now?.rawValue))
            default:
                break
            }
        }
        return changes
    }

    /// Sites keyed by "facility | city | country"; a trial listing the same site twice keeps the first.
    private static func siteIndex(_ trial: Trial) -> [String: SiteStatus?] {
        var index: [String: SiteStatus?] = [:]
        for location in trial.locations {
            let key = [location.facility, location.city, location.country].map { $0 ?? "" }.joined(separator: " | ")
            if index[key] == nil { index[key] = .some(location.status) }
        }
        return index
    }
}

/// What an upsert does with an incoming record, given what the store holds.
public enum UpsertDecision: Sendable, Equatable {
    case insert
    case replace
    case keep

    /// A record replaces the stored one only when its last-update date is strictly newer, so importing the same
    /// or older data twice, in any order, leaves the store as it was.
    public static func decide(stored: (lastUpdate: PartialDate, contentHash: String)?, incoming: SourcedTrial) -> UpsertDecision {
        guard let stored else { return .insert }
        if stored.contentHash == incoming.contentHash { return .keep }
        return incoming.trial.dates.lastUpdatePosted > stored.lastUpdate ? .replace : .keep
    }
}
