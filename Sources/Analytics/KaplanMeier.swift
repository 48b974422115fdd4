import Foundation

/// One right-censored observation: follow-up `time` (≥ 0) and whether it ended in the `event`
/// (`false` means censored at `time`).
public struct SurvivalObservation: Codable, Sendable, Hashable {
    public var time: Double
    public var event: Bool

    public init(time: Double, event: Bool) {
        self.time = time
        self.event = event
    }
}

/// Pointwise confidence-interval transform, as `conf.type` in R's `survival::survfit`.
///
/// With z = Φ⁻¹(1 − α/2) and σ the Greenwood standard error of the cumulative hazard
/// (R's `fit$std.err`):
/// - `plain`: S ± z·σ·S, clipped to [0, 1];
/// - `log`: exp(log S ± z·σ), upper clipped to 1; undefined where S = 0;
/// - `logLog` (R's "log-log"): the interval for log(−log S) with standard error σ / |log S|,
///   mapped back; undefined where S = 0 or S = 1.
public enum ConfidenceType: String, Codable, Sendable, CaseIterable {
    case log
    case logLog = "log-log"
    case plain
}

/// A Kaplan–Meier survival curve with Greenwood variance, matching R's `survfit(Surv(time, status) ~ 1)`.
///
/// The curve has one row per distinct observed time (event or censoring), like `fit$time`.
/// `logStandardError` is +∞ once S reaches 0: encode with a `nonConformingFloatEncodingStrategy`
/// (or use `standardError`, which is `nil` there) when writing JSON.
public struct KaplanMeier: Codable, Sendable, Equatable {
    /// Number of observations.
    public let count: Int
    /// Number of events.
    public let eventCount: Int
    /// Distinct observed times, ascending.
    public let times: [Double]
    /// Number at risk just before each time.
    public let atRisk: [Int]
    /// Events at each time.
    public let events: [Int]
    /// Censorings at each time.
    public let censored: [Int]
    /// Survival S(t) just after each time.
    public let survival: [Double]
    /// Standard error of the cumulative hazard, √(Σ d/(n(n−d))) (R's `fit$std.err`); `+∞` once S = 0.
    public let logStandardError: [Double]

    /// Builds the curve from observations in any order.
    /// - Throws: `AnalyticsError` if `observations` is empty or a time is negative or not finite.
    public init(_ observations: [SurvivalObservation]) throws {
        guard !observations.isEmpty else { throw AnalyticsError.empty(field: "observations") }
        for (index, observation) in observations.enumerated() {
            try Check.nonNegative(observation.time, "observations[\(index)].time")
        }
        let sorted = observations.sorted { $0.time < $1.time }
        self.init(sortedTimes: sorted.map(\.time), events: sorted.map(\.event))
    }

    /// Builds the curve from times already sorted ascending (validated by the caller).
    init(sortedTimes: [Double], events eventFlags: [Bool]) {
        var times: [Double] = []
        var atRisk: [Int] = []
        var events: [Int] = []
        var censored: [Int] = []
        var survival: [Double] = []
        var standardError: [Double] = []
        var remaining = sortedTimes.count
        var surv = 1.0
        var hazardVariance = 0.0
        var totalEvents = 0
        var index = 0
        while index < sortedTimes.count {
            let time = sortedTimes[index]
            var deaths = 0
            var censorings = 0
            while index < sortedTimes.count, sortedTimes[index] == time {
                if eventFlags[index] { deaths += 1 } else { censorings += 1 }
                index += 1
            }
            if deaths > 0 {
                let n = Double(remaining)
                let d = Double(deaths)
                surv *= (n - d) / n
                hazardVariance += remaining == deaths ? .infinity : d / (n * (n - d))
            }
            times.append(time)
            atRisk.append(remaining)
            events.append(deaths)
            censored.append(censorings)
            survival.append(surv)
            standardError.append(hazardVariance.squareRoot())
            totalEvents += deaths
            remaining -= deaths + censorings
        }
        self.count = sortedTimes.count
        self.eventCount = totalEvents
        self.times = times
        self.atRisk = atRisk
        self.events = events
        self.censored = censored
        self.survival = survival
        self.logStandardError = standardError
    }

    /// Standard error of S at each time, S·σ (R's `summary(fit)$std.err`); `nil` where S = 0.
    public var standardError: [Double?] {
        zip(survival, logStandardError).map { s, se in s == 0 ? nil : s * se }
    }

    /// Pointwise confidence limits at each time; `nil` where R reports `NA`/`NaN`.
    /// - Precondition: `level` in (0, 1).
    public func confidenceBand(_ type: ConfidenceType, level: Double = 0.95) -> (lower: [Double?], upper: [Double?]) {
        let z = SpecialFunctions.normalQuantile(1 - (1 - level) / 2)
        var lower: [Double?] = []
        var upper: [Double?] = []
        lower.reserveCapacity(times.count)
        upper.reserveCapacity(times.count)
        for (s, se) in zip(survival, logStandardError) {
            let limits = Self.limits(survival: s, logSE: se, z: z, type: type)
            lower.append(limits.lower)
            upper.append(limits.upper)
        }
        return (lower, upper)
    }

    private static func limits(survival s: Double, logSE se: Double, z: Double, type: ConfidenceType)
        -> (lower: Double?, upper: Double?)
    {
        switch type {
        case .plain:
            guard s > 0 else { return (nil, nil) }
            let half = z * se * s
            return (max(s - half, 0), min(s + half, 1))
        case .log:
            guard s > 0 else { return (nil, nil) }
            return (exp(log(s) - z * se), min(exp(log(s) + z * se), 1))
        case .logLog:
            guard s > 0, s < 1 else { return (nil, nil) }
            let width = z * se / log(s)
            let center = log(-log(s))
            return (exp(-exp(center - width)), exp(-exp(center + width)))
        }
    }

    /// Median survival and its confidence interval as R's `print.survfit` reports them:
    /// the first time where the curve is ≤ 0.5 (within 1.5e-8); if the curve sits exactly at 0.5,
    /// the midpoint between that time and the time it next drops. The lower (upper) limit applies
    /// the same rule to the lower (upper) confidence curve. `nil` when the curve never reaches 0.5.
    public func median(_ type: ConfidenceType = .log, level: Double = 0.95) -> MedianSurvival {
        let band = confidenceBand(type, level: level)
        return MedianSurvival(
            median: Self.firstCrossing(survival.map(Optional.some), times),
            lower: Self.firstCrossing(band.lower, times),
            upper: Self.firstCrossing(band.upper, times)
        )
    }

    /// R's `minmin` rule from `survival:::survmean`.
    private static func firstCrossing(_ curve: [Double?], _ times: [Double]) -> Double? {
        let tolerance = Double.ulpOfOne.squareRoot()
        let kept = zip(curve, times).compactMap { value, time -> (Double, Double)? in
            guard let value, !value.isNaN, value < 0.5 + tolerance else { return nil }
            return (value, time)
        }
        guard let first = kept.first else { return nil }
        if abs(first.0 - 0.5) < tolerance, let drop = kept.first(where: { $0.0 < first.0 }) {
            return (first.1 + drop.1) / 2
        }
        return first.1
    }

    /// The curve read at arbitrary times as a right-continuous step function, like
    /// `summary(fit, times = t, extend = TRUE)`: S, its standard error and limits at the last
    /// observed time ≤ t (1, 0, 1, 1 before the first), and the number at risk at t (observations with time ≥ t).
    public func summary(at queryTimes: [Double], type: ConfidenceType = .log, level: Double = 0.95) -> [SurvivalPoint] {
        let band = confidenceBand(type, level: level)
        let errors = standardError
        return queryTimes.map { t in
            let atOrBefore = upperBound(t)
            let risk = atRisk(at: t)
            guard atOrBefore > 0 else {
                return SurvivalPoint(time: t, survival: 1, standardError: 0, lower: 1, upper: 1, atRisk: risk)
            }
            let i = atOrBefore - 1
            return SurvivalPoint(time: t, survival: survival[i], standardError: errors[i],
                                 lower: band.lower[i], upper: band.upper[i], atRisk: risk)
        }
    }

    /// Number at risk at time t: observations whose time is ≥ t.
    public func atRisk(at t: Double) -> Int {
        let first = times.countBelow(t)
        return first < times.count ? atRisk[first] : 0
    }

    /// Number of distinct times ≤ t.
    private func upperBound(_ t: Double) -> Int {
        times.countNotAbove(t)
    }

    /// Restricted mean survival time up to `tau` and its standard error, exactly as
    /// `print(fit, rmean = tau)` (`survival:::survmean`): the area under the step curve on [0, τ],
    /// with variance Σᵢ Aᵢ² dᵢ/(nᵢ(nᵢ−dᵢ)), Aᵢ the area from tᵢ to τ (terms with nᵢ = dᵢ dropped).
    /// - Throws: `AnalyticsError` if `tau` is not positive and finite.
    public func restrictedMean(tau: Double) throws -> RestrictedMean {
        try Check.positive(tau, "tau")
        let keep = upperBound(tau)
        var grid = Array(times[0..<keep])
        grid.append(tau)
        var steps = Array(survival[0..<keep])
        steps.append(keep > 0 ? survival[keep - 1] : 1)
        var hazardTerms = (0..<keep).map { i -> Double in
            let n = Double(atRisk[i])
            let d = Double(events[i])
            return atRisk[i] == events[i] ? 0 : d / (n * (n - d))
        }
        hazardTerms.append(0)
        var rectangles: [Double] = []
        var previous = 0.0
        for (i, time) in grid.enumerated() {
            let height = i == 0 ? 1 : steps[i - 1]
            rectangles.append((time - previous) * height)
            previous = time
        }
        let mean = rectangles.reduce(0, +)
        var variance = 0.0
        var tail = 0.0
        for i in stride(from: rectangles.count - 1, through: 1, by: -1) {
            tail += rectangles[i]
            variance += tail * tail * hazardTerms[i - 1]
        }
        return RestrictedMean(tau: tau, estimate: mean, standardError: variance.squareRoot())
    }
}

/// Median survival time with its confidence limits; `nil` means "not reached" (R's `NA`).
public struct MedianSurvival: Codable, Sendable, Equatable {
    public var median: Double?
    public var lower: Double?
    public var upper: Double?
}

/// Restricted mean survival time up to `tau`.
public struct RestrictedMean: Codable, Sendable, Equatable {
    public var tau: Double
    public var estimate: Double
    public var standardError: Double
}

/// The curve read at one requested time (see `KaplanMeier.summary(at:)`).
public struct SurvivalPoint: Codable, Sendable, Equatable {
    public var time: Double
    public var survival: Double
    public var standardError: Double?
    public var lower: Double?
    public var upper: Double?
    public var atRisk: Int
}

extension Array where Element == Double {
    /// For an ascending array: the number of elements < `value` (binary search).
    func countBelow(_ value: Double) -> Int {
        partitionPoint { $0 >= value }
    }

    /// For an ascending array: the number of elements ≤ `value` (binary search).
    func countNotAbove(_ value: Double) -> Int {
        partitionPoint { $0 > value }
    }

    /// Index of the first element satisfying `predicate`, which must be false then true along the array.
    private func partitionPoint(_ predicate: (Double) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
