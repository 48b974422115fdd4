import Analytics

/// A count published in an aggregate (page, API), with small-number suppression: a count of 1 to 4 is never shown,
/// only "fewer than 5", so that a cell cannot point to one or a few patients. Zero is shown as is.
///
/// This is the one place the rule lives: every aggregate count of the registry leaves the domain as a
/// `SuppressedCount`. Totals are suppressed by the same rule but not made consistent with suppressed cells
/// (no complementary suppression): a total minus the shown cells can bound a suppressed cell to 1–4.
public struct SuppressedCount: Codable, Sendable, Equatable {
    /// Counts from 1 to `threshold − 1` are suppressed.
    public static let threshold = 5

    /// The count, or `nil` when suppressed.
    public let value: Int?

    public init(_ count: Int) {
        value = (1..<Self.threshold).contains(count) ? nil : count
    }

    public var isSuppressed: Bool { value == nil }

    /// The count written with `format`, or "< 5".
    public func text(_ format: (Int) -> String) -> String {
        value.map(format) ?? "< \(Self.threshold)"
    }
}

/// A category and its suppressed count.
public struct CategoryCount: Codable, Sendable, Equatable {
    /// The category's code: a product, an indication, a centre, a grade ("0"–"4").
    public var code: String
    public var count: SuppressedCount

    public init(code: String, count: SuppressedCount) {
        self.code = code
        self.count = count
    }
}

/// The registry overview: what the staff overview page and `GET /api/v1/registry/summary` show.
/// Every count is suppressed (`SuppressedCount`).
public struct RegistrySummary: Codable, Sendable, Equatable {
    public var asOf: CivilDate
    public var patients: SuppressedCount
    public var episodes: SuppressedCount
    /// Episodes with an infusion on or before `asOf`.
    public var infused: SuppressedCount
    public var deaths: SuppressedCount
    /// Follow-up visits overdue on `asOf`.
    public var overdueVisits: SuppressedCount
    /// Episodes by product, in `CARTProduct` order, products without episodes left out.
    public var byProduct: [CategoryCount]
    /// Episodes by indication, in `Indication` order.
    public var byIndication: [CategoryCount]
    /// Episodes by treating centre, by centre code.
    public var byCentre: [CategoryCount]
    /// Infused episodes by worst ASTCT CRS grade, grades 0–4 (an infused episode without assessment counts as 0).
    public var crsGrades: [CategoryCount]
    /// Infused episodes by worst ASTCT ICANS grade, grades 0–4.
    public var icansGrades: [CategoryCount]
}

/// The survival end points the registry reports.
public enum SurvivalEndpoint: String, Codable, Sendable, CaseIterable {
    case overall = "os"
    case progressionFree = "pfs"
}

/// How patients are split into survival curves.
public enum SurvivalGrouping: String, Codable, Sendable, CaseIterable {
    case none, product, indication
}

/// Survival observations split into groups, with groups too small to publish held back.
public struct RegistrySurvivalGroups: Sendable, Equatable {
    /// Groups of at least `SuppressedCount.threshold` patients, by code ("all" without grouping), in code order.
    public var groups: [(code: String, observations: [SurvivalObservation])]
    /// Codes of the groups left out because they hold 1–4 patients.
    public var suppressed: [String]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.suppressed == rhs.suppressed && lhs.groups.map(\.code) == rhs.groups.map(\.code)
            && lhs.groups.map(\.observations) == rhs.groups.map(\.observations)
    }
}

extension RegistryData {
    /// The overview as of `today` (see `RegistrySummary`).
    /// - Throws: `RegistryError` for an assessment the ICANS grader rejects (validated data never has one).
    public func summary(asOf today: CivilDate, schedule: FollowUpSchedule = FollowUpSchedule()) throws -> RegistrySummary {
        let infused = episodes.filter { $0.infusionDate.map { $0 <= today } ?? false }
        let peaks = Dictionary(try peakToxicity().map { ($0.episodeId, $0) }, uniquingKeysWith: { first, _ in first })
        func counts<Key: Hashable>(_ keys: [Key], order: [Key], code: (Key) -> String) -> [CategoryCount] {
            var tally: [Key: Int] = [:]
            for key in keys { tally[key, default: 0] += 1 }
            return order.compactMap { key in
                tally[key].map { CategoryCount(code: code(key), count: SuppressedCount($0)) }
            }
        }
        func grades(_ grade: (PeakToxicity) -> Int) -> [CategoryCount] {
            var tally = [Int](repeating: 0, count: 5)
            for episode in infused { tally[peaks[episode.id].map(grade) ?? 0] += 1 }
            return tally.enumerated().map { CategoryCount(code: String($0.offset), count: SuppressedCount($0.element)) }
        }
        return RegistrySummary(
            asOf: today,
            patients: SuppressedCount(patients.count),
            episodes: SuppressedCount(episodes.count),
            infused: SuppressedCount(infused.count),
            deaths: SuppressedCount(deaths.filter { $0.date <= today }.count),
            overdueVisits: SuppressedCount(try overdueFollowUp(asOf: today, schedule: schedule).count),
            byProduct: counts(episodes.map(\.product), order: CARTProduct.allCases, code: \.rawValue),
            byIndication: counts(episodes.map(\.indication), order: Indication.allCases, code: \.rawValue),
            byCentre: counts(episodes.map(\.centre), order: Set(episodes.map(\.centre)).sorted(), code: { $0 }),
            crsGrades: grades(\.crsGrade),
            icansGrades: grades(\.icansGrade))
    }

    /// Survival observations for `endpoint` on `cutoff`, split by `grouping`, in `scale` units; groups with 1–4
    /// patients are left out (listed in `suppressed`).
    public func survivalGroups(_ endpoint: SurvivalEndpoint, by grouping: SurvivalGrouping, cutoff: CivilDate,
                               scale: TimeScale = .months) -> RegistrySurvivalGroups {
        let rows = switch endpoint {
        case .overall: overallSurvival(cutoff: cutoff, scale: scale)
        case .progressionFree: progressionFreeSurvival(cutoff: cutoff, scale: scale)
        }
        let grouped = Dictionary(grouping: rows) { row -> String in
            switch grouping {
            case .none: "all"
            case .product: row.product.rawValue
            case .indication: row.indication.rawValue
            }
        }
        var result = RegistrySurvivalGroups(groups: [], suppressed: [])
        for (code, members) in grouped.sorted(by: { $0.key < $1.key }) {
            if SuppressedCount(members.count).isSuppressed {
                result.suppressed.append(code)
            } else {
                result.groups.append((code, members.map(\.observation)))
            }
        }
        return result
    }

    /// True when every patient is from the synthetic generator (`SYN-` pseudonyms): pages then say so.
    public var isSynthetic: Bool {
        !patients.isEmpty && patients.allSatisfy { $0.id.hasPrefix(SyntheticRegistry.idPrefix) }
    }
}
