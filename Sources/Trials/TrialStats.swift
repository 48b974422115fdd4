/// Counts over the whole store, as `passerelle stats --json` prints them.
///
/// `byPhase` counts a phase 1/2 trial under both phases and trials without a phase under `NONE`; `byCountry`
/// counts each trial once per country where it has a site. Keys use ClinicalTrials.gov's API v2 spellings.
public struct TrialStats: Sendable, Codable, Equatable {
    public var trials: Int
    public var byStatus: [String: Int]
    public var byPhase: [String: Int]
    public var byCountry: [String: Int]
    public var byCgtType: [String: Int]
    public var sites: Int

    public init(
        trials: Int, byStatus: [String: Int], byPhase: [String: Int], byCountry: [String: Int],
        byCgtType: [String: Int], sites: Int
    ) {
        self.trials = trials
        self.byStatus = byStatus
        self.byPhase = byPhase
        self.byCountry = byCountry
        self.byCgtType = byCgtType
        self.sites = sites
    }
}
