import Foundation
import Storage
import Trials

/// Live counts for the pages, read from the store and kept for a few seconds so a busy home page costs one query
/// per interval. Another process importing into the same database shows up within that interval.
actor Catalog {
    private let store: any TrialStore
    private let maximumAge: Duration
    private var cached: (summary: CatalogSummary, at: ContinuousClock.Instant)?

    init(store: any TrialStore, maximumAge: Duration = .seconds(5)) {
        self.store = store
        self.maximumAge = maximumAge
    }

    func summary() async throws -> CatalogSummary {
        if let cached, ContinuousClock.now - cached.at < maximumAge { return cached.summary }
        let summary = CatalogSummary(try await store.stats())
        cached = (summary, .now)
        return summary
    }

    func health() async throws -> Health {
        do {
            let migrations = try await store.appliedMigrations()
            let trials = try await store.count()
            return Health(status: "ok", database: store.kind.rawValue, trials: trials, migrations: migrations)
        } catch {
            return Health(status: "unavailable", database: store.kind.rawValue, trials: nil, migrations: [])
        }
    }
}

/// What `/health` answers.
struct Health: Codable, Sendable {
    var status: String
    var database: String
    var trials: Int?
    var migrations: [Int]
    /// Patient matching: `ready`, `building` (after start-up, ``MatchingMode/background``) or `off`.
    var matching: String?
}

/// The headline numbers of the home page.
struct CatalogSummary: Sendable {
    var trials: Int
    var recruiting: Int
    var openSoon: Int
    var cgt: Int
    var sites: Int
    var countries: Int
    var inCanada: Int
    var cgtByType: [(type: CGTType, count: Int)]

    init(_ stats: TrialStats) {
        trials = stats.trials
        recruiting = stats.byStatus[OverallStatus.recruiting.rawValue] ?? 0
        openSoon = stats.byStatus[OverallStatus.notYetRecruiting.rawValue] ?? 0
        cgt = stats.byCgtType.filter { $0.key != CGTType.notCGT.rawValue }.values.reduce(0, +)
        sites = stats.sites
        countries = stats.byCountry.count
        inCanada = stats.byCountry["Canada"] ?? 0
        cgtByType = CGTType.allCases.filter { $0 != .notCGT }.compactMap { type in
            guard let count = stats.byCgtType[type.rawValue], count > 0 else { return nil }
            return (type, count)
        }
    }
}
