import Trials

/// Measures index build time and in-process query latency. Pure: the caller supplies trials and reads the report.
public enum SearchBenchmark {
    /// What one run measured.
    public struct Report: Sendable, CustomStringConvertible {
        public var trials: Int
        public var buildSeconds: Double
        /// ``TrialIndex/memoryBytes`` after the build.
        public var indexBytes: Int
        public var queries: Int
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        /// Mean number of matching trials per query.
        public var meanTotal: Double
        /// The three queries with the highest median latency, with that median in milliseconds.
        public var slowest: [(text: String, milliseconds: Double)] = []

        public var description: String {
            func format(_ value: Double) -> String {
                let rounded = (value * 100).rounded() / 100
                return "\(rounded)"
            }
            return "\(trials) trials: build \(format(buildSeconds)) s, index ≈ \(indexBytes / 1_048_576) MiB; "
                + "\(queries) queries: p50 \(format(p50Milliseconds)) ms, p99 \(format(p99Milliseconds)) ms, "
                + "max \(format(maxMilliseconds)) ms, mean matches \(Int(meanTotal)); slowest: "
                + slowest.map { "\"\($0.text)\" \(format($0.milliseconds)) ms" }.joined(separator: ", ")
        }
    }

    /// Keyword + facets + distance queries in French and English, as patients and clinicians type them. Every
    /// query counts all facets; most add filters, a place and a radius.
    public static let standardQueries: [SearchQuery] = {
        let texts = [
            "lymphome", "CAR-T lymphome", "leucémie aiguë", "myelome multiple", "cancer du sein", "breast cancer",
            "thérapie génique", "gene therapy", "diabète de type 2", "insuffisance cardiaque", "heart failure",
            "lung cancer", "cancer du poumon", "lymphomme", "leucemie", "stem cell transplant", "asthme enfant",
            "sclérose en plaques", "Alzheimer", "immunothérapie mélanome", "pembrolizumab", "COVID-19",
            "greffe de cellules souches", "prostate cancer", "AVC",
        ]
        let places = ["H2X", "Québec", "H3T 1E2", "45.5,-73.6", "Sherbrooke", "K1H", "M5G"]
        return texts.enumerated().map { index, text in
            var query = SearchQuery(text: text, place: places[index % places.count], radiusKm: 100)
            if index % 2 == 0 { query.filters[.status] = ["RECRUITING", "NOT_YET_RECRUITING"] }
            if index % 3 == 0 { query.filters[.country] = ["Canada"] }
            if index % 5 == 0 { query.acceptsAge = 45 }
            return query
        }
    }()

    /// The texts of ``standardQueries`` alone: no filters, place or facets, top 20 by score. The comparison with
    /// engines that only rank text (SQLite FTS5, tantivy) uses these.
    public static let keywordQueries: [SearchQuery] = standardQueries.map {
        SearchQuery(text: $0.text, pageSize: 20, facets: [])
    }

    /// Builds an index of `trials`, then runs every query `rounds` times and reports latency percentiles.
    public static func run(
        trials: [Trial], queries: [SearchQuery] = standardQueries, lexicon: MedicalLexicon, geography: Geography,
        rounds: Int = 5
    ) -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)
        let buildSeconds = seconds(clock.now - start)
        var report = run(index: index, queries: queries, rounds: rounds)
        report.buildSeconds = buildSeconds
        return report
    }

    /// Runs every query `rounds` times on a built index and reports latency percentiles (build time 0).
    public static func run(index: TrialIndex, queries: [SearchQuery], rounds: Int = 5) -> Report {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        var perQuery = [[Double]](repeating: [], count: queries.count)
        var totals = 0
        for _ in 0..<max(1, rounds) {
            for (number, query) in queries.enumerated() {
                let begin = clock.now
                let results = try? index.search(query)
                let milliseconds = seconds(clock.now - begin) * 1000
                latencies.append(milliseconds)
                perQuery[number].append(milliseconds)
                totals += results?.total ?? 0
            }
        }
        latencies.sort()
        let medians = perQuery.enumerated().map { number, times in
            (text: queries[number].text, milliseconds: times.sorted()[times.count / 2])
        }
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.down)))]
        }
        return Report(
            trials: index.count, buildSeconds: 0, indexBytes: index.memoryBytes, queries: latencies.count,
            p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99), maxMilliseconds: latencies.last ?? 0,
            meanTotal: latencies.isEmpty ? 0 : Double(totals) / Double(latencies.count),
            slowest: Array(medians.sorted { $0.milliseconds > $1.milliseconds }.prefix(3)))
    }

    /// A 64-bit FNV-1a hash of everything `index` returns for `queries` (each as given, sorted by distance with and
    /// without its radius, with no text, and each one's second page): totals, hits with scores, nearest sites,
    /// matched fields and terms, facet counts, cursors. Equal digests before and after an engine change show that results did not change.
    public static func digest(index: TrialIndex, queries: [SearchQuery] = standardQueries) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            hash ^= 0xFF
            hash &*= 0x100_0000_01b3
        }
        var variants: [SearchQuery] = []
        for query in queries {
            var distance = query
            distance.sort = .distance
            var anywhere = distance
            anywhere.radiusKm = nil
            var recent = query
            recent.text = ""
            variants += [query, distance, anywhere, recent]
        }
        for query in variants {
            guard let first = try? index.search(query) else {
                mix("error")
                continue
            }
            var pages = [first]
            if let cursor = first.nextCursor {
                var next = query
                next.cursor = cursor
                if let second = try? index.search(next) { pages.append(second) }
            }
            for results in pages {
                mix("\(results.total) \(results.nextCursor ?? "-") \(results.interpretation)")
                for hit in results.hits {
                    let site = hit.nearestSite.map { "\($0.locationIndex) \($0.city ?? "-") \($0.distanceKm.bitPattern)" }
                    mix("\(hit.nctId) \(hit.score.bitPattern) \(site ?? "-") \(hit.matchedFields) \(hit.matchedTerms)")
                }
                for facet in Facet.allCases {
                    for count in results.facets[facet] ?? [] { mix("\(facet) \(count.value) \(count.count) \(count.selected)") }
                }
            }
        }
        return hash
    }

    /// `count` trials made by repeating `trials` with new NCT ids (NCT9xxxxxxx), for measuring at scale.
    public static func replicate(_ trials: [Trial], to count: Int) -> [Trial] {
        guard !trials.isEmpty else { return [] }
        return (0..<count).map { index in
            var copy = trials[index % trials.count]
            if index >= trials.count {
                let number = String(90_000_000 + index)
                copy.nctId = "NCT" + number
            }
            return copy
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
