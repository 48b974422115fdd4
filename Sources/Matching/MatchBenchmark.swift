/// Latency of matching one patient against every indexed trial, with the plain BM25 baseline timed on the same
/// patients in the same run (for `passerelle bench match`).
public enum MatchBenchmark {
    public struct Latency: Sendable, Equatable {
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        public var runs: Int
    }

    public struct Report: Sendable {
        public var trials: Int
        public var patients: Int
        public var matcher: Latency
        public var baseline: Latency
    }

    /// Runs every patient `rounds` times through ``TrialMatcher/match(_:limit:allowed:)`` (top `limit`, eligibility
    /// of the re-ranked trials included) and through the BM25 baseline, after one warm-up round.
    public static func run(matcher: TrialMatcher, patients: [String], rounds: Int, limit: Int = 100) -> Report {
        for text in patients {
            _ = matcher.match(PatientProfile(text: text), limit: limit)
            _ = matcher.baseline(text, limit: limit)
        }
        var matching: [Double] = []
        var baseline: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, rounds) {
            for text in patients {
                let started = clock.now
                _ = matcher.match(PatientProfile(text: text), limit: limit)
                let middle = clock.now
                _ = matcher.baseline(text, limit: limit)
                let ended = clock.now
                matching.append(milliseconds(middle - started))
                baseline.append(milliseconds(ended - middle))
            }
        }
        return Report(trials: matcher.index.count, patients: patients.count, matcher: latency(matching), baseline: latency(baseline))
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }

    /// Percentiles of sorted samples: index floor(n × p), clamped (as ``SearchBenchmark`` reports them).
    private static func latency(_ samples: [Double]) -> Latency {
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        return Latency(p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99), maxMilliseconds: sorted.last ?? 0, runs: sorted.count)
    }
}
