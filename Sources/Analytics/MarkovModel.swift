import Foundation

/// A stretch of consecutive cycles sharing one transition matrix and one set of state values.
public struct MarkovPhase: Codable, Sendable, Equatable {
    /// Number of cycles in this phase (≥ 1).
    public var cycles: Int
    /// Row-stochastic matrix: `transitions[from][to]`, each row summing to 1 (± 1e-9).
    public var transitions: [[Double]]
    /// Cost per year spent in each state.
    public var costs: [Double]
    /// Effect (utility, or 1 for life years) per year spent in each state.
    public var effects: [Double]

    public init(cycles: Int, transitions: [[Double]], costs: [Double], effects: [Double]) {
        self.cycles = cycles
        self.transitions = transitions
        self.costs = costs
        self.effects = effects
    }
}

/// A discrete-time Markov cohort model (time-inhomogeneous through phases).
///
/// State values accrue as described by `CohortAccumulator`: end-of-cycle occupancy (or the
/// half-cycle-corrected mean), value per year × cycle length, discounted at the end of the cycle.
/// With annual cycles, no correction and costs discounted at 6 %, this reproduces Briggs et al.'s
/// exercise 2.5 (the Chancellor et al. 1997 HIV model).
public struct MarkovModel: Codable, Sendable, Equatable {
    public var states: [String]
    /// Initial distribution over `states` (proportions or cohort counts, all ≥ 0).
    public var initial: [Double]
    /// Cycle length in years (> 0).
    public var cycleLengthYears: Double
    /// Phases, applied in order; the model runs for the sum of their cycles.
    public var phases: [MarkovPhase]
    public var discount: DiscountRates
    public var halfCycleCorrection: Bool
    /// States counted as dead for life years (default: none).
    public var deadStates: [String]
    /// One-off cost at time 0 (e.g. a one-time therapy), undiscounted.
    public var upFrontCost: Double

    public init(states: [String], initial: [Double], cycleLengthYears: Double = 1, phases: [MarkovPhase],
                discount: DiscountRates = .cadth, halfCycleCorrection: Bool = true,
                deadStates: [String] = [], upFrontCost: Double = 0) {
        self.states = states
        self.initial = initial
        self.cycleLengthYears = cycleLengthYears
        self.phases = phases
        self.discount = discount
        self.halfCycleCorrection = halfCycleCorrection
        self.deadStates = deadStates
        self.upFrontCost = upFrontCost
    }

    private enum CodingKeys: String, CodingKey {
        case states, initial, cycleLengthYears, phases, discount, halfCycleCorrection, deadStates, upFrontCost
    }

    /// Decodes with defaults: cycleLengthYears 1, CADTH discounting, half-cycle correction on,
    /// no dead states, no up-front cost.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            states: try c.decode([String].self, forKey: .states),
            initial: try c.decode([Double].self, forKey: .initial),
            cycleLengthYears: try c.decodeIfPresent(Double.self, forKey: .cycleLengthYears) ?? 1,
            phases: try c.decode([MarkovPhase].self, forKey: .phases),
            discount: try c.decodeIfPresent(DiscountRates.self, forKey: .discount) ?? .cadth,
            halfCycleCorrection: try c.decodeIfPresent(Bool.self, forKey: .halfCycleCorrection) ?? true,
            deadStates: try c.decodeIfPresent([String].self, forKey: .deadStates) ?? [],
            upFrontCost: try c.decodeIfPresent(Double.self, forKey: .upFrontCost) ?? 0
        )
    }

    /// - Throws: `AnalyticsError` naming the first invalid field.
    public func validate() throws {
        let n = states.count
        guard n > 0 else { throw AnalyticsError.empty(field: "states") }
        try Check.length(initial, n, "initial")
        for (i, value) in initial.enumerated() { try Check.nonNegative(value, "initial[\(i)]") }
        try Check.positive(cycleLengthYears, "cycleLengthYears")
        try discount.validate("discount")
        try Check.nonNegative(upFrontCost, "upFrontCost")
        for name in deadStates where !states.contains(name) {
            throw AnalyticsError.invalid(field: "deadStates", reason: "unknown state \"\(name)\"")
        }
        guard !phases.isEmpty else { throw AnalyticsError.empty(field: "phases") }
        for (p, phase) in phases.enumerated() {
            let field = "phases[\(p)]"
            try Check.count(phase.cycles, "\(field).cycles")
            try Check.length(phase.costs, n, "\(field).costs")
            try Check.length(phase.effects, n, "\(field).effects")
            for (s, v) in phase.costs.enumerated() { try Check.finite(v, "\(field).costs[\(s)]") }
            for (s, v) in phase.effects.enumerated() { try Check.finite(v, "\(field).effects[\(s)]") }
            try Check.length(phase.transitions, n, "\(field).transitions")
            for (r, row) in phase.transitions.enumerated() {
                try Check.length(row, n, "\(field).transitions[\(r)]")
                for (c, v) in row.enumerated() { try Check.probability(v, "\(field).transitions[\(r)][\(c)]") }
                let sum = row.reduce(0, +)
                guard abs(sum - 1) <= 1e-9 else {
                    throw AnalyticsError.invalid(field: "\(field).transitions[\(r)]", reason: "row sums to \(sum), not 1")
                }
            }
        }
    }

    /// Runs the cohort. `trace[i]` is the state distribution at time i·cycleLength (row 0 = `initial`).
    /// - Throws: `AnalyticsError` from `validate()`.
    public func run() throws -> CohortResult {
        try validate()
        let alive = states.map { !deadStates.contains($0) }
        var accumulator = CohortAccumulator(cycleLength: cycleLengthYears, discount: discount,
                                            halfCycleCorrection: halfCycleCorrection)
        accumulator.addUpFront(cost: upFrontCost)
        var trace = [initial]
        var current = initial
        var cycle = 0
        for phase in phases {
            for _ in 0..<phase.cycles {
                cycle += 1
                var next = [Double](repeating: 0, count: states.count)
                for from in current.indices where current[from] != 0 {
                    let row = phase.transitions[from]
                    for to in row.indices { next[to] += current[from] * row[to] }
                }
                accumulator.add(cycle: cycle, start: current, end: next, costs: phase.costs,
                                effects: phase.effects, alive: alive)
                trace.append(next)
                current = next
            }
        }
        return CohortResult(states: states, trace: trace, totals: accumulator.totals)
    }
}

/// Output of a cohort model.
public struct CohortResult: Codable, Sendable, Equatable {
    public var states: [String]
    /// State distribution at each cycle boundary, starting at time 0.
    public var trace: [[Double]]
    public var totals: CohortTotals
}
