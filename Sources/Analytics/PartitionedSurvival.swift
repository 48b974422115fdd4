import Foundation

/// A three-state partitioned survival model (progression-free, progressed, dead).
///
/// At each cycle boundary t: PF(t) = min(S_PFS(t), S_OS(t)), PD(t) = S_OS(t) − PF(t),
/// Dead = 1 − S_OS(t). Values accrue as described by `CohortAccumulator`.
/// Curve time is in years.
public struct PartitionedSurvivalModel: Codable, Sendable, Equatable {
    public var progressionFree: SurvivalCurve
    public var overall: SurvivalCurve
    /// Model horizon in years (> 0); the number of cycles is horizon / cycle length, rounded.
    public var horizonYears: Double
    /// Cycle length in years (> 0), e.g. 1/12 for monthly cycles.
    public var cycleLengthYears: Double
    /// Cost per year in the progression-free and progressed states.
    public var costs: StatePair
    /// Utility per year in the progression-free and progressed states.
    public var utilities: StatePair
    /// One-off cost at time 0 (e.g. the acquisition of a one-time therapy), undiscounted.
    public var upFrontCost: Double
    public var discount: DiscountRates
    public var halfCycleCorrection: Bool

    /// Values for the two alive states.
    public struct StatePair: Codable, Sendable, Equatable {
        public var progressionFree: Double
        public var progressed: Double

        public init(progressionFree: Double, progressed: Double) {
            self.progressionFree = progressionFree
            self.progressed = progressed
        }
    }

    public init(progressionFree: SurvivalCurve, overall: SurvivalCurve, horizonYears: Double,
                cycleLengthYears: Double = 1.0 / 12, costs: StatePair, utilities: StatePair,
                upFrontCost: Double = 0, discount: DiscountRates = .cadth, halfCycleCorrection: Bool = true) {
        self.progressionFree = progressionFree
        self.overall = overall
        self.horizonYears = horizonYears
        self.cycleLengthYears = cycleLengthYears
        self.costs = costs
        self.utilities = utilities
        self.upFrontCost = upFrontCost
        self.discount = discount
        self.halfCycleCorrection = halfCycleCorrection
    }

    private enum CodingKeys: String, CodingKey {
        case progressionFree, overall, horizonYears, cycleLengthYears, costs, utilities, upFrontCost,
             discount, halfCycleCorrection
    }

    /// Decodes with defaults: monthly cycles, no up-front cost, CADTH discounting, half-cycle correction on.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            progressionFree: try c.decode(SurvivalCurve.self, forKey: .progressionFree),
            overall: try c.decode(SurvivalCurve.self, forKey: .overall),
            horizonYears: try c.decode(Double.self, forKey: .horizonYears),
            cycleLengthYears: try c.decodeIfPresent(Double.self, forKey: .cycleLengthYears) ?? 1.0 / 12,
            costs: try c.decode(StatePair.self, forKey: .costs),
            utilities: try c.decode(StatePair.self, forKey: .utilities),
            upFrontCost: try c.decodeIfPresent(Double.self, forKey: .upFrontCost) ?? 0,
            discount: try c.decodeIfPresent(DiscountRates.self, forKey: .discount) ?? .cadth,
            halfCycleCorrection: try c.decodeIfPresent(Bool.self, forKey: .halfCycleCorrection) ?? true
        )
    }

    /// - Throws: `AnalyticsError` naming the first invalid field.
    public func validate() throws {
        try progressionFree.validate("progressionFree")
        try overall.validate("overall")
        try Check.positive(horizonYears, "horizonYears")
        try Check.positive(cycleLengthYears, "cycleLengthYears")
        guard horizonYears / cycleLengthYears <= 1_000_000 else {
            throw AnalyticsError.invalid(field: "cycleLengthYears", reason: "more than 1,000,000 cycles")
        }
        try Check.finite(costs.progressionFree, "costs.progressionFree")
        try Check.finite(costs.progressed, "costs.progressed")
        try Check.finite(utilities.progressionFree, "utilities.progressionFree")
        try Check.finite(utilities.progressed, "utilities.progressed")
        try Check.nonNegative(upFrontCost, "upFrontCost")
        try discount.validate("discount")
    }

    /// Number of cycles simulated.
    public var cycleCount: Int { max(1, Int((horizonYears / cycleLengthYears).rounded())) }

    /// Runs the model; states in the trace are ["progressionFree", "progressed", "dead"].
    /// - Parameter includeTrace: set to `false` to skip building the trace (faster in PSA loops).
    /// - Throws: `AnalyticsError` from `validate()`.
    public func run(includeTrace: Bool = true) throws -> CohortResult {
        try validate()
        let stateCosts = [costs.progressionFree, costs.progressed, 0]
        let stateEffects = [utilities.progressionFree, utilities.progressed, 0]
        let alive = [true, true, false]
        var accumulator = CohortAccumulator(cycleLength: cycleLengthYears, discount: discount,
                                            halfCycleCorrection: halfCycleCorrection)
        accumulator.addUpFront(cost: upFrontCost)
        var previous = occupancy(at: 0)
        var trace = includeTrace ? [previous] : []
        for cycle in 1...cycleCount {
            let current = occupancy(at: Double(cycle) * cycleLengthYears)
            accumulator.add(cycle: cycle, start: previous, end: current, costs: stateCosts,
                            effects: stateEffects, alive: alive)
            if includeTrace { trace.append(current) }
            previous = current
        }
        return CohortResult(states: ["progressionFree", "progressed", "dead"], trace: trace, totals: accumulator.totals)
    }

    private func occupancy(at t: Double) -> [Double] {
        let os = overall.survival(at: t)
        let pf = min(progressionFree.survival(at: t), os)
        return [pf, os - pf, 1 - os]
    }
}
