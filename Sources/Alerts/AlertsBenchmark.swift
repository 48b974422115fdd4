import Foundation
import Search
import Trials

/// Measures the percolator and the digest builder. Pure: the caller supplies trials, index and places, and reads the
/// reports (the CLI's `passerelle bench alerts` prints them; results in docs/BENCHMARKS.md).
public enum AlertsBenchmark {
    /// Latency percentiles over runs.
    public struct Latency: Sendable, CustomStringConvertible {
        public var runs: Int
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double

        init(_ milliseconds: [Double]) {
            let sorted = milliseconds.sorted()
            runs = sorted.count
            func percentile(_ p: Double) -> Double {
                sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
            }
            p50Milliseconds = percentile(0.5)
            p99Milliseconds = percentile(0.99)
            maxMilliseconds = sorted.last ?? 0
        }

        public var description: String {
            String(format: "p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d runs)", p50Milliseconds, p99Milliseconds, maxMilliseconds, runs)
        }
    }

    /// What percolating the trials one at a time measured.
    public struct PercolationReport: Sendable {
        public var savedSearches: Int
        public var distinctQueries: Int
        public var rejected: Int
        public var buildSeconds: Double
        /// ``Percolator/memoryBytes`` after the build.
        public var memoryBytes: Int
        public var trials: Int
        /// Analysing one trial (``PercolationTrial``), done once per trial whatever the number of searches.
        public var analysis: Latency
        /// Finding the matching saved searches of an analysed trial.
        public var matching: Latency
        /// Analysis + matching: one new trial percolated.
        public var total: Latency
        /// The baseline on the same analysed trials: every distinct query verified.
        public var baseline: Latency
        public var baselineTrials: Int
        /// Saved searches matched per trial.
        public var meanMatches: Double
        public var maxMatches: Int
        /// Trials (of those the baseline ran on) where the baseline's answer differed; must be 0.
        public var disagreements: Int

        /// Baseline p50 over the percolator's matching p50 (same trials, same analysis).
        public var speedup: Double { baseline.p50Milliseconds / max(1e-6, matching.p50Milliseconds) }
    }

    /// What building digests measured.
    public struct DigestReport: Sendable {
        public var subscribers: Int
        public var alerts: Int
        public var digests: Int
        public var items: Int
        public var seconds: Double
        public var alertsPerSecond: Double { Double(alerts) / max(1e-9, seconds) }
    }

    // MARK: Saved searches

    /// `count` saved searches as people would save them, from the real vocabularies: texts are lexicon terms
    /// (French or English), the trials' own condition names, some with a second word (an intervention or a
    /// population) and some misspelt; about half filter on recruitment, others on CGT type, phase, country, province,
    /// health region or city; a quarter give an age; 60 % a place from `places` (most with a radius of 10–500 km).
    /// About 2.5 saved searches per subscriber. Deterministic for a seed.
    public static func savedSearches(
        count: Int, trials: [Trial], lexicon: MedicalLexicon, places: [String], cities: [String] = [], seed: UInt64 = 2026
    ) -> [SavedSearch] {
        var random = SplitMix(state: seed)
        let groups = lexicon.groups.filter { !$0.isGeneric }
        var conditions = Array(Set(trials.flatMap(\.conditions).filter { $0.count <= 60 })).sorted()
        if conditions.isEmpty { conditions = ["lymphoma"] }
        let seconds = [
            "CAR-T", "immunothérapie", "immunotherapy", "thérapie génique", "gene therapy", "greffe", "transplant",
            "enfant", "children", "adulte", "pembrolizumab", "vaccin", "radiothérapie", "chimiothérapie", "rechute",
            "relapsed", "réfractaire", "refractory", "métastatique", "metastatic",
        ]
        let cgt: [String] = [CGTType.carT, .stemCell, .inVivoGeneTherapy, .otherTCell].map(\.rawValue)
        let provinces = ["QC", "QC", "QC", "ON", "BC", "AB"]
        let regions = QuebecHealthRegion.allCases.map(\.code)
        let radii: [Double] = [10, 25, 25, 50, 50, 50, 100, 100, 200, 500]
        let subscribers = max(1, count * 2 / 5)

        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }

        var searches: [SavedSearch] = []
        searches.reserveCapacity(count)
        for number in 0..<count {
            var parameters = SearchParameters()
            if chance(85) {
                var text: String
                if chance(55), !groups.isEmpty {
                    let group = pick(groups)
                    text = chance(65) ? pick(group.french) : pick(group.english)
                } else {
                    text = pick(conditions)
                    if chance(50) { text = text.lowercased() }
                }
                if chance(20) { text += " " + pick(seconds) }
                if chance(5) { text = misspell(text, &random) }
                parameters.text = text
            }
            if chance(10) { parameters.language = chance(70) ? .french : .english }
            if chance(50) {
                parameters.filters[.status] = chance(50) ? ["RECRUITING"] : ["RECRUITING", "NOT_YET_RECRUITING"]
            }
            if chance(8) { parameters.filters[.cgtType] = [pick(cgt)] }
            if chance(8) { parameters.filters[.phase] = chance(50) ? ["PHASE1"] : ["PHASE2", "PHASE3"] }
            if chance(8) { parameters.filters[.country] = ["Canada"] }
            if chance(8) { parameters.filters[.province] = [pick(provinces)] }
            if chance(3) { parameters.filters[.healthRegion] = [pick(regions)] }
            if chance(3), !cities.isEmpty { parameters.filters[.city] = [pick(cities)] }
            if chance(25) { parameters.acceptsAge = Double(Int.random(in: 1...90, using: &random)) }
            if chance(60), !places.isEmpty {
                parameters.place = pick(places)
                if chance(85) { parameters.radiusKm = pick(radii) }
            }
            let subscriber = Int.random(in: 0..<subscribers, using: &random)
            let frequency: SavedSearch.Frequency = chance(20) ? .immediate : chance(70) ? .daily : .weekly
            searches.append(
                SavedSearch(
                    id: "s\(number)", subscriberId: "u\(subscriber)", email: "u\(subscriber)@example.org",
                    parameters: parameters, language: subscriber % 4 == 0 ? .english : .french, frequency: frequency))
        }
        return searches
    }

    /// Drops one letter of the longest word (a typo the finder corrects).
    private static func misspell(_ text: String, _ random: inout SplitMix) -> String {
        var words = text.split(separator: " ").map(String.init)
        guard let longest = words.indices.max(by: { words[$0].count < words[$1].count }), words[longest].count >= 6
        else { return text }
        var letters = Array(words[longest])
        letters.remove(at: Int.random(in: 1..<(letters.count - 1), using: &random))
        words[longest] = String(letters)
        return words.joined(separator: " ")
    }

    // MARK: Percolation

    /// Builds a percolator of `searches` on `index`, then percolates every trial of `trials` one at a time
    /// (`rounds` times), and runs the baseline (every distinct query verified) on the first `baselineTrials`,
    /// checking that both give the same saved searches.
    public static func percolation(
        index: TrialIndex, searches: [SavedSearch], trials: [Trial], rounds: Int = 3, baselineTrials: Int = 100
    ) -> PercolationReport {
        let clock = ContinuousClock()
        let start = clock.now
        let percolator = Percolator(index: index, searches: searches)
        let buildSeconds = seconds(clock.now - start)

        var analysis: [Double] = []
        var matching: [Double] = []
        var total: [Double] = []
        var matchCounts: [Int] = []
        var analysed: [PercolationTrial] = []
        for round in 0..<max(1, rounds) {
            for trial in trials {
                let begin = clock.now
                let percolationTrial = PercolationTrial(trial, index: index)
                let middle = clock.now
                let found = percolator.matches(percolationTrial)
                let end = clock.now
                analysis.append(milliseconds(middle - begin))
                matching.append(milliseconds(end - middle))
                total.append(milliseconds(end - begin))
                if round == 0 {
                    matchCounts.append(found.count)
                    if analysed.count < baselineTrials { analysed.append(percolationTrial) }
                }
            }
        }
        var baseline: [Double] = []
        var disagreements = 0
        for trial in analysed {
            let begin = clock.now
            let slow = percolator.matchesVerifyingEveryQuery(trial)
            baseline.append(milliseconds(clock.now - begin))
            if Set(slow) != Set(percolator.matches(trial)) { disagreements += 1 }
        }
        return PercolationReport(
            savedSearches: percolator.count, distinctQueries: percolator.distinctQueries,
            rejected: percolator.rejected.count, buildSeconds: buildSeconds, memoryBytes: percolator.memoryBytes,
            trials: trials.count, analysis: Latency(analysis), matching: Latency(matching), total: Latency(total),
            baseline: Latency(baseline), baselineTrials: analysed.count,
            meanMatches: Double(matchCounts.reduce(0, +)) / Double(max(1, matchCounts.count)),
            maxMatches: matchCounts.max() ?? 0, disagreements: disagreements)
    }

    // MARK: Digests

    /// A day's backlog for `subscribers` subscribers with daily digests: 1 to 15 alerts each (8 on average) about
    /// real trial ids, from one to three saved searches, so the same trial often comes through several searches;
    /// reasons mixed as imports produce them. Deterministic for a seed.
    public static func backlog(subscribers: Int, nctIds: [String], seed: UInt64 = 2026) -> [PendingAlert] {
        var random = SplitMix(state: seed)
        let day = Date(timeIntervalSince1970: 1_790_000_000)
        let reasons: [AlertReason] = [
            .newTrial, .newTrial, .newTrial, .statusChanged(from: .notYetRecruiting, to: .recruiting),
            .newSiteNearby(site: "Centre hospitalier | Montréal | Canada", locationIndex: 0, city: "Montréal", distanceKm: 12),
            .nowMatches,
        ]
        var alerts: [PendingAlert] = []
        alerts.reserveCapacity(subscribers * 8)
        for subscriber in 0..<subscribers {
            let searches = Int.random(in: 1...3, using: &random)
            let count = Int.random(in: 1...15, using: &random)
            // A subscriber's searches overlap: their trials come from a small pool.
            let pool = (0..<max(1, count * 2 / 3)).map { _ in nctIds[Int.random(in: 0..<nctIds.count, using: &random)] }
            for _ in 0..<count {
                alerts.append(
                    PendingAlert(
                        subscriberId: "u\(subscriber)", email: "u\(subscriber)@example.org",
                        language: subscriber % 4 == 0 ? .english : .french, frequency: .daily,
                        savedSearchId: "s\(subscriber)-\(Int.random(in: 0..<searches, using: &random))",
                        nctId: pool[Int.random(in: 0..<pool.count, using: &random)],
                        reason: reasons[Int.random(in: 0..<reasons.count, using: &random)],
                        time: day + Double(Int.random(in: 0..<86_400, using: &random))))
            }
        }
        return alerts
    }

    /// Builds the daily digests of `alerts` and times it.
    public static func digests(_ alerts: [PendingAlert]) -> DigestReport {
        let clock = ContinuousClock()
        let start = clock.now
        let digests = DigestBuilder.digests(alerts, frequency: .daily)
        let elapsed = seconds(clock.now - start)
        return DigestReport(
            subscribers: Set(alerts.map(\.subscriberId)).count, alerts: alerts.count, digests: digests.count,
            items: digests.reduce(0) { $0 + $1.items.count }, seconds: elapsed)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    private static func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1000 }

    /// SplitMix64: a small deterministic generator.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
