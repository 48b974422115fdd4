import Foundation

/// ClinicalTrials.gov's controlled vocabularies, with the API v2 spelling as raw value and the legacy XML
/// spelling accepted by ``init(legacy:)``.

/// Overall recruitment status of a study.
public enum OverallStatus: String, Sendable, Codable, CaseIterable {
    case recruiting = "RECRUITING"
    case notYetRecruiting = "NOT_YET_RECRUITING"
    case enrollingByInvitation = "ENROLLING_BY_INVITATION"
    case activeNotRecruiting = "ACTIVE_NOT_RECRUITING"
    case suspended = "SUSPENDED"
    case terminated = "TERMINATED"
    case completed = "COMPLETED"
    case withdrawn = "WITHDRAWN"
    case unknown = "UNKNOWN"
    case available = "AVAILABLE"
    case noLongerAvailable = "NO_LONGER_AVAILABLE"
    case temporarilyNotAvailable = "TEMPORARILY_NOT_AVAILABLE"
    case approvedForMarketing = "APPROVED_FOR_MARKETING"
    case withheld = "WITHHELD"

    /// Reads the legacy XML spelling ("Active, not recruiting", "Unknown status", …).
    public init?(legacy text: String) {
        let key = text.uppercased()
            .replacingOccurrences(of: ",", with: "")
            .replacingOccurrences(of: " ", with: "_")
        switch key {
        case "UNKNOWN_STATUS": self = .unknown
        default: self.init(rawValue: key)
        }
    }

    /// Whether a person can join now or soon (the statuses patients filter on).
    public var isOpen: Bool {
        switch self {
        case .recruiting, .notYetRecruiting, .enrollingByInvitation, .available: true
        default: false
        }
    }
}

/// Trial phase. A phase 1/2 study lists both phases.
public enum Phase: String, Sendable, Codable, CaseIterable, Comparable {
    case earlyPhase1 = "EARLY_PHASE1"
    case phase1 = "PHASE1"
    case phase2 = "PHASE2"
    case phase3 = "PHASE3"
    case phase4 = "PHASE4"
    case notApplicable = "NA"

    /// Reads one legacy phase label; "Phase 1/Phase 2" gives two phases.
    public static func legacy(_ text: String) -> [Phase]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "N/A" { return [.notApplicable] }
        var phases: [Phase] = []
        for part in trimmed.split(separator: "/") {
            switch part.trimmingCharacters(in: .whitespaces).lowercased() {
            case "early phase 1", "phase 0": phases.append(.earlyPhase1)
            case "phase 1": phases.append(.phase1)
            case "phase 2": phases.append(.phase2)
            case "phase 3": phases.append(.phase3)
            case "phase 4": phases.append(.phase4)
            default: return nil
            }
        }
        return phases.isEmpty ? nil : phases
    }

    private var order: Int { Phase.allCases.firstIndex(of: self)! }
    public static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.order < rhs.order }
}

/// Interventional, observational or expanded access.
public enum StudyType: String, Sendable, Codable, CaseIterable {
    case interventional = "INTERVENTIONAL"
    case observational = "OBSERVATIONAL"
    case expandedAccess = "EXPANDED_ACCESS"

    public init?(legacy text: String) {
        let lower = text.lowercased()
        if lower.hasPrefix("interventional") {
            self = .interventional
        } else if lower.hasPrefix("observational") {
            self = .observational
        } else if lower.hasPrefix("expanded access") {
            self = .expandedAccess
        } else {
            return nil
        }
    }
}

/// Kind of intervention.
public enum InterventionType: String, Sendable, Codable, CaseIterable {
    case drug = "DRUG"
    case device = "DEVICE"
    case biological = "BIOLOGICAL"
    case procedure = "PROCEDURE"
    case radiation = "RADIATION"
    case behavioral = "BEHAVIORAL"
    case genetic = "GENETIC"
    case dietarySupplement = "DIETARY_SUPPLEMENT"
    case combinationProduct = "COMBINATION_PRODUCT"
    case diagnosticTest = "DIAGNOSTIC_TEST"
    case other = "OTHER"

    /// Reads the legacy spelling ("Dietary Supplement", "Biological", "Procedure/Surgery", …).
    public init?(legacy text: String) {
        let key = text.uppercased()
            .replacingOccurrences(of: "/SURGERY", with: "")
            .replacingOccurrences(of: " ", with: "_")
        self.init(rawValue: key)
    }
}

/// ClinicalTrials.gov's agency class for a sponsor or collaborator.
public enum AgencyClass: String, Sendable, Codable, CaseIterable {
    case nih = "NIH"
    case fed = "FED"
    case otherGovernment = "OTHER_GOV"
    case individual = "INDIV"
    case industry = "INDUSTRY"
    case network = "NETWORK"
    case ambiguous = "AMBIG"
    case other = "OTHER"
    case unknown = "UNKNOWN"

    /// Reads the legacy spelling ("U.S. Fed", "Industry", "NIH", "Other").
    public init?(legacy text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "nih": self = .nih
        case "u.s. fed": self = .fed
        case "industry": self = .industry
        case "other": self = .other
        default: return nil
        }
    }

    /// The grouping planners use: industry, academic and other institutions, government.
    public var category: SponsorCategory {
        switch self {
        case .industry: .industry
        case .nih, .fed, .otherGovernment: .government
        case .network: .network
        case .individual: .individual
        case .other: .academic
        case .ambiguous, .unknown: .unknown
        }
    }
}

/// Broad sponsor category: who pays for and runs the study.
public enum SponsorCategory: String, Sendable, Codable, CaseIterable {
    case industry
    /// Universities, hospitals, foundations and other non-profit institutions (ClinicalTrials.gov class OTHER).
    case academic
    case government
    /// Cooperative groups and research networks.
    case network
    case individual
    case unknown
}

/// Recruitment status of one site.
public enum SiteStatus: String, Sendable, Codable, CaseIterable {
    case recruiting = "RECRUITING"
    case notYetRecruiting = "NOT_YET_RECRUITING"
    case enrollingByInvitation = "ENROLLING_BY_INVITATION"
    case activeNotRecruiting = "ACTIVE_NOT_RECRUITING"
    case suspended = "SUSPENDED"
    case terminated = "TERMINATED"
    case completed = "COMPLETED"
    case withdrawn = "WITHDRAWN"
    case available = "AVAILABLE"
    case unknown = "UNKNOWN"

    public init?(legacy text: String) {
        guard let overall = OverallStatus(legacy: text) else { return nil }
        self.init(rawValue: overall.rawValue)
    }
}

/// Sex a study enrols, as stated by the sponsor.
public enum Sex: String, Sendable, Codable, CaseIterable {
    case all = "ALL"
    case female = "FEMALE"
    case male = "MALE"

    public init?(legacy text: String) {
        self.init(rawValue: text.uppercased())
    }
}

/// The age groups ClinicalTrials.gov derives from the age limits: child (0–17), adult (18–64), older adult (65+).
public enum AgeGroup: String, Sendable, Codable, CaseIterable {
    case child = "CHILD"
    case adult = "ADULT"
    case olderAdult = "OLDER_ADULT"

    /// The age range of the group in years, lower bound inclusive, upper bound exclusive.
    public var years: Range<Double> {
        switch self {
        case .child: 0..<18
        case .adult: 18..<65
        case .olderAdult: 65..<Double.infinity
        }
    }
}
