import Foundation

/// The Kaplan–Meier report shared by `passerelle analytics km`, `POST /api/v1/analytics/km` and the registry's
/// survival answers: one curve per group with medians and optional RMST, and the log-rank test across groups.
public struct KaplanMeierReport: Codable, Sendable, Equatable {
    /// The log-rank test in the report (`survdiff`).
    public struct LogRank: Codable, Sendable, Equatable {
        public var chiSquare: Double
        public var df: Int
        public var p: Double
    }

    public var groups: [KaplanMeierGroupReport]
    /// `nil` for one group.
    public var logRank: LogRank?

    /// Curves of `survival`'s groups with `type`/`level` confidence intervals; at every distinct time, or at
    /// `times` (`summary(fit, times =)`); RMST up to `tau` when given.
    /// - Throws: `AnalyticsError` for an invalid `tau` or `level`.
    public init(_ survival: GroupedSurvival, type: ConfidenceType = .log, level: Double = 0.95, times: [Double]? = nil,
                tau: Double? = nil) throws {
        guard level > 0, level < 1 else {
            throw AnalyticsError.invalid(field: "conf_level", reason: "must lie in (0, 1), got \(level)")
        }
        if let times {
            for (index, time) in times.enumerated() where !(time.isFinite && time >= 0) {
                throw AnalyticsError.invalid(field: "times[\(index)]", reason: "must be ≥ 0, got \(time)")
            }
        }
        groups = try survival.groups.map {
            try KaplanMeierGroupReport(name: $0.name, curve: $0.curve, type: type, level: level, times: times, tau: tau)
        }
        logRank = survival.logRank.map { LogRank(chiSquare: $0.chiSquare, df: $0.degreesOfFreedom, p: $0.pValue) }
    }

    private enum CodingKeys: String, CodingKey { case groups, logRank }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(groups, forKey: .groups)
        try c.encode(logRank, forKey: .logRank)
    }
}

/// One group's curve in a `KaplanMeierReport`; absent values are written as `null`.
public struct KaplanMeierGroupReport: Codable, Sendable, Equatable {
    public var name: String
    public var n: Int
    public var events: Int
    public var median: Double?
    public var medianLower: Double?
    public var medianUpper: Double?
    public var rmst: Double?
    public var rmstSE: Double?
    public var times: [Double]
    public var survival: [Double]
    public var stdErr: [Double?]
    public var lower: [Double?]
    public var upper: [Double?]
    public var atRisk: [Int]

    public init(name: String, curve: KaplanMeier, type: ConfidenceType, level: Double, times queryTimes: [Double]?,
                tau: Double?) throws {
        self.name = name
        n = curve.count
        events = curve.eventCount
        let median = curve.median(type, level: level)
        self.median = median.median
        medianLower = median.lower
        medianUpper = median.upper
        if let tau {
            let restricted = try curve.restrictedMean(tau: tau)
            rmst = restricted.estimate
            rmstSE = restricted.standardError
        }
        if let queryTimes {
            let points = curve.summary(at: queryTimes, type: type, level: level)
            times = queryTimes
            survival = points.map(\.survival)
            stdErr = points.map(\.standardError)
            lower = points.map(\.lower)
            upper = points.map(\.upper)
            atRisk = points.map(\.atRisk)
        } else {
            let band = curve.confidenceBand(type, level: level)
            times = curve.times
            survival = curve.survival
            stdErr = curve.standardError
            lower = band.lower
            upper = band.upper
            atRisk = curve.atRisk
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, n, events, median, medianLower, medianUpper, rmst, rmstSE, times, survival, stdErr, lower, upper, atRisk
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(n, forKey: .n)
        try c.encode(events, forKey: .events)
        try c.encode(median, forKey: .median)
        try c.encode(medianLower, forKey: .medianLower)
        try c.encode(medianUpper, forKey: .medianUpper)
        try c.encode(rmst, forKey: .rmst)
        try c.encode(rmstSE, forKey: .rmstSE)
        try c.encode(times, forKey: .times)
        try c.encode(survival, forKey: .survival)
        try c.encode(stdErr, forKey: .stdErr)
        try c.encode(lower, forKey: .lower)
        try c.encode(upper, forKey: .upper)
        try c.encode(atRisk, forKey: .atRisk)
    }
}

/// The incremental analysis report of `analytics icer` and `POST /api/v1/analytics/icer`.
public struct IncrementalReport: Codable, Sendable, Equatable {
    public var rows: [IncrementalRow]
    public var willingnessToPay: Double?
    /// λ·effect − cost per strategy, with `willingnessToPay` λ.
    public var netMonetaryBenefit: [String: Double]?

    /// - Throws: `AnalyticsError` as `IncrementalAnalysis.calculate`.
    public init(_ outcomes: [StrategyOutcome], willingnessToPay: Double? = nil) throws {
        rows = try IncrementalAnalysis.calculate(outcomes)
        self.willingnessToPay = willingnessToPay
        netMonetaryBenefit = willingnessToPay.map { lambda in
            Dictionary(outcomes.map { ($0.strategy, IncrementalAnalysis.netMonetaryBenefit($0, willingnessToPay: lambda)) },
                       uniquingKeysWith: { first, _ in first })
        }
    }
}

/// A payment agreement to evaluate: `analytics payments` and `POST /api/v1/analytics/payments`.
public struct PaymentAnalysis: Codable, Sendable, Equatable {
    public var agreement: PaymentAgreement
    /// Annual discount rate for present values.
    public var rate: Double
    /// Per-patient failure times in years (`null`: the outcome held); adds a ledger.
    public var failureTimes: [Double?]?
    /// Amortize price + `episodeCost` over this many years.
    public var amortizeYears: Int?
    /// Care-episode cost added to the price for amortization (0 when absent).
    public var episodeCost: Double?

    public init(agreement: PaymentAgreement, rate: Double, failureTimes: [Double?]? = nil, amortizeYears: Int? = nil,
                episodeCost: Double? = nil) {
        self.agreement = agreement
        self.rate = rate
        self.failureTimes = failureTimes
        self.amortizeYears = amortizeYears
        self.episodeCost = episodeCost
    }

    /// The schedule, its present value, the ledger and the amortization table.
    /// - Throws: `AnalyticsError` naming the invalid field.
    public func run() throws -> PaymentReport {
        try agreement.validate()
        let schedule = agreement.payments(failureTime: nil)
        let price: Double = switch agreement {
        case let .upFront(price), let .instalments(price, _, _), let .outcomeInstalments(price, _, _),
             let .outcomeRefund(price, _): price
        }
        return PaymentReport(
            agreement: agreement, payments: schedule, presentValue: PaymentSchedules.presentValue(schedule, rate: rate),
            ledger: try failureTimes.map { times in
                try PaymentSchedules.ledger(agreement, rate: rate, patients: times.enumerated().map {
                    (id: "patient-\($0.offset + 1)", failureTime: $0.element)
                })
            },
            amortization: try amortizeYears.map {
                try PaymentSchedules.amortize(acquisitionCost: price, episodeCost: episodeCost ?? 0, rate: rate, years: $0)
            })
    }
}

/// What `PaymentAnalysis.run` gives.
public struct PaymentReport: Codable, Sendable, Equatable {
    public var agreement: PaymentAgreement
    public var payments: [Payment]
    public var presentValue: Double
    public var ledger: [PaymentSchedules.LedgerEntry]?
    public var amortization: [PaymentSchedules.AmortizationRow]?
}
