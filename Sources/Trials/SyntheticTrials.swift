import Foundation

/// Makes scale test sets from real records: each synthetic study takes the modules of several real API v2 studies
/// (identification and status from one, conditions from another, interventions, eligibility, sites, descriptions
/// from others) under a new id `NCT9xxxxxxx`, which no real study uses. The text, vocabularies and sizes are
/// therefore real; only the combinations are new. Deterministic for a given seed and donor list.
public struct SyntheticTrials {
    /// Modules recombined independently of each other.
    static let mixedModules = [
        "conditionsModule", "armsInterventionsModule", "eligibilityModule", "contactsLocationsModule",
        "descriptionModule", "designModule", "sponsorCollaboratorsModule",
    ]

    private let donors: [[String: Any]]
    private var random: SplitMix64

    /// `donors` are API v2 study objects (parsed JSON); those without a `protocolSection` are ignored.
    public init(donors: [Data], seed: UInt64) {
        self.donors = donors.compactMap { data in
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["protocolSection"] is [String: Any]
            else { return nil }
            return object
        }
        random = SplitMix64(seed: seed)
    }

    public var donorCount: Int { donors.count }

    /// The synthetic study number `index` (0-based) as one line of API v2 JSON.
    public mutating func study(_ index: Int) -> Data {
        var base = donors[random.next(below: donors.count)]
        var protocolSection = base["protocolSection"] as! [String: Any]
        for module in Self.mixedModules {
            let donor = donors[random.next(below: donors.count)]["protocolSection"] as! [String: Any]
            protocolSection[module] = donor[module]
        }
        var identification = protocolSection["identificationModule"] as? [String: Any] ?? [:]
        identification["nctId"] = String(format: "NCT9%07d", index)
        identification.removeValue(forKey: "nctIdAliases")
        protocolSection["identificationModule"] = identification
        base["protocolSection"] = protocolSection
        base.removeValue(forKey: "resultsSection")
        base.removeValue(forKey: "documentSection")
        let donor = donors[random.next(below: donors.count)]
        base["derivedSection"] = donor["derivedSection"]
        return try! JSONSerialization.data(withJSONObject: base, options: [.sortedKeys])
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator. Same seed, same sequence, everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound`.
    public mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
