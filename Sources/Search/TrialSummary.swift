import Trials

/// What a result list shows about a trial, kept in memory beside the index so a page of results costs no database
/// read. Small on purpose: the full record is read from the store only for the trial page.
public struct TrialSummary: Sendable, Equatable {
    public var nctId: String
    public var title: String
    public var status: OverallStatus
    public var phases: [Phase]
    public var studyType: StudyType
    /// The first conditions as registered (at most six).
    public var conditions: [String]
    public var cgtTypes: [CGTType]
    public var minimumAge: AgeLimit?
    public var maximumAge: AgeLimit?
    public var sex: Sex
    public var sponsor: String
    public var sponsorCategory: SponsorCategory
    public var sites: Int
    public var sitesInCanada: Int
    public var sitesInQuebec: Int
    public var start: PartialDate?
    public var firstPosted: PartialDate?
    public var lastUpdate: PartialDate
    /// The portrait areas the trial has a site in.
    public var areas: Set<PortraitArea>

    /// Summarises `trial`, placing its sites with `geography`.
    public init(_ trial: Trial, geography: Geography) {
        nctId = trial.nctId
        title = trial.briefTitle
        status = trial.overallStatus
        phases = trial.phases
        studyType = trial.studyType
        conditions = Array(trial.conditions.prefix(6))
        cgtTypes = trial.cgt.types.filter { $0 != .notCGT }
        minimumAge = trial.eligibility.minimumAge
        maximumAge = trial.eligibility.maximumAge
        sex = trial.eligibility.sex
        sponsor = trial.leadSponsor.name
        sponsorCategory = trial.leadSponsor.agencyClass.category
        sites = trial.locations.count
        start = trial.dates.start
        firstPosted = trial.dates.firstPosted
        lastUpdate = trial.dates.lastUpdatePosted
        var canada = 0
        var quebec = 0
        var areas: Set<PortraitArea> = []
        for location in trial.locations {
            let place = geography.place(of: location)
            guard location.country.map({ Country.canonical($0) == "Canada" }) == true else { continue }
            canada += 1
            guard place.province == .quebec else {
                areas.insert(.restOfCanada)
                continue
            }
            quebec += 1
            switch place.healthRegion {
            case .montreal: areas.insert(.montreal)
            case .capitaleNationale: areas.insert(.quebecCity)
            default: areas.insert(.otherQuebec)
            }
        }
        sitesInCanada = canada
        sitesInQuebec = quebec
        self.areas = areas
    }

    /// Whether the trial takes people under 18.
    public var acceptsMinors: Bool { (minimumAge?.years ?? 0) < 18 }
}

/// Where a trial's Canadian sites are, as the portrait groups them.
public enum PortraitArea: String, Sendable, Codable, CaseIterable {
    /// Montréal health region (RSS 06).
    case montreal
    /// Capitale-Nationale health region (RSS 03), around Québec City.
    case quebecCity = "quebec-city"
    /// The other sixteen Québec health regions.
    case otherQuebec = "other-quebec"
    /// Canada outside Québec.
    case restOfCanada = "rest-of-canada"
}

/// The live portrait of trial activity: the numbers OncoQuébec's "portrait" page shows, computed from the summaries.
public struct TrialPortrait: Sendable, Equatable {
    /// Which trials the portrait covers.
    public enum Scope: String, Sendable, CaseIterable {
        /// Trials with a site in Québec.
        case quebec
        /// Trials with a site in Canada.
        case canada
        /// Every trial.
        case all
    }

    public var scope: Scope
    public var year: Int
    public var trials: Int
    /// Trials open now or soon (``OverallStatus/isOpen``).
    public var recruiting: Int
    /// Trials first posted in `year`.
    public var newThisYear: Int
    /// Sites inside the scope (Québec sites for `quebec`, Canadian sites for `canada`, all sites for `all`).
    public var sites: Int
    /// Open trials with a site in each area (a trial counts in every area it has a site in).
    public var areas: [(area: PortraitArea, count: Int)]
    /// Open trials that take people under 18.
    public var paediatric: Int
    /// Trials of each CGT type (a trial counts under each of its types).
    public var cgt: [(type: CGTType, count: Int)]
    /// Trials by start year, for the twenty years up to `year`, oldest first.
    public var byYear: [(year: Int, count: Int)]

    /// `paediatric` as a share of `recruiting` (0 when nothing recruits).
    public var paediatricShare: Double { recruiting == 0 ? 0 : Double(paediatric) / Double(recruiting) }

    /// Computes the portrait of `summaries` within `scope`; `year` is the current calendar year.
    public init(_ summaries: some Sequence<TrialSummary>, scope: Scope, year: Int) {
        self.scope = scope
        self.year = year
        var trials = 0
        var recruiting = 0
        var newThisYear = 0
        var sites = 0
        var paediatric = 0
        var areaCounts: [PortraitArea: Int] = [:]
        var cgtCounts: [CGTType: Int] = [:]
        var yearCounts: [Int: Int] = [:]
        for summary in summaries {
            switch scope {
            case .quebec:
                guard summary.sitesInQuebec > 0 else { continue }
                sites += summary.sitesInQuebec
            case .canada:
                guard summary.sitesInCanada > 0 else { continue }
                sites += summary.sitesInCanada
            case .all:
                sites += summary.sites
            }
            trials += 1
            if summary.firstPosted?.year == year { newThisYear += 1 }
            if let start = summary.start?.year, start > year - 20, start <= year { yearCounts[start, default: 0] += 1 }
            for type in summary.cgtTypes { cgtCounts[type, default: 0] += 1 }
            guard summary.status.isOpen else { continue }
            recruiting += 1
            if summary.acceptsMinors { paediatric += 1 }
            for area in summary.areas { areaCounts[area, default: 0] += 1 }
        }
        self.trials = trials
        self.recruiting = recruiting
        self.newThisYear = newThisYear
        self.sites = sites
        self.paediatric = paediatric
        areas = PortraitArea.allCases.map { ($0, areaCounts[$0] ?? 0) }
        cgt = CGTType.allCases.filter { $0 != .notCGT }.map { ($0, cgtCounts[$0] ?? 0) }
        byYear = (year - 19...year).map { ($0, yearCounts[$0] ?? 0) }
    }

    public static func == (lhs: TrialPortrait, rhs: TrialPortrait) -> Bool {
        lhs.scope == rhs.scope && lhs.year == rhs.year && lhs.trials == rhs.trials && lhs.recruiting == rhs.recruiting
            && lhs.newThisYear == rhs.newThisYear && lhs.sites == rhs.sites && lhs.paediatric == rhs.paediatric
            && lhs.areas.map(\.count) == rhs.areas.map(\.count) && lhs.cgt.map(\.count) == rhs.cgt.map(\.count)
            && lhs.byYear.map(\.count) == rhs.byYear.map(\.count)
    }
}
