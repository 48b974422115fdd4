/// One strategy's expected cost and effect (e.g. QALYs), the input of an incremental analysis.
public struct StrategyOutcome: Codable, Sendable, Equatable {
    public var strategy: String
    public var cost: Double
    public var effect: Double

    public init(strategy: String, cost: Double, effect: Double) {
        self.strategy = strategy
        self.cost = cost
        self.effect = effect
    }
}

/// Dominance status of a strategy on the cost-effectiveness plane (dampack's `Status`).
public enum DominanceStatus: String, Codable, Sendable {
    /// On the efficient frontier.
    case nonDominated = "ND"
    /// Extendedly (weakly) dominated: a mix of its neighbours on the frontier is better.
    case extendedlyDominated = "ED"
    /// Strictly dominated: another strategy costs no more and is more effective.
    case dominated = "D"
}

/// One row of an incremental cost-effectiveness table.
public struct IncrementalRow: Codable, Sendable, Equatable {
    public var strategy: String
    public var cost: Double
    public var effect: Double
    /// Cost difference from the previous frontier strategy; `nil` for the reference and dominated rows.
    public var incrementalCost: Double?
    /// Effect difference from the previous frontier strategy; `nil` for the reference and dominated rows.
    public var incrementalEffect: Double?
    /// incrementalCost / incrementalEffect; `nil` for the reference and dominated rows.
    public var icer: Double?
    public var status: DominanceStatus
}

/// Incremental analysis with strict and extended dominance, reproducing dampack's `calculate_icers`.
public enum IncrementalAnalysis {
    /// Classifies the strategies and computes ICERs along the efficient frontier.
    ///
    /// Algorithm (dampack 1.0): sort by cost ascending, then effect descending; a strategy is
    /// dominated when any cheaper-or-equal strategy listed before it has an effect ≥ its own.
    /// Then, repeatedly, among the remaining strategies (in that order) any interior one whose ICER
    /// exceeds the next one's is extendedly dominated, until none is removed.
    /// Rows are returned frontier first (by cost), then ED, then D, each by cost.
    /// - Throws: `AnalyticsError` for an empty input, duplicate names or non-finite values.
    public static func calculate(_ strategies: [StrategyOutcome]) throws -> [IncrementalRow] {
        guard !strategies.isEmpty else { throw AnalyticsError.empty(field: "strategies") }
        var seen = Set<String>()
        for (index, s) in strategies.enumerated() {
            try Check.finite(s.cost, "strategies[\(index)].cost")
            try Check.finite(s.effect, "strategies[\(index)].effect")
            guard seen.insert(s.strategy).inserted else {
                throw AnalyticsError.invalid(field: "strategies[\(index)].strategy", reason: "duplicate name \"\(s.strategy)\"")
            }
        }
        let sorted = strategies.enumerated().sorted { lhs, rhs in
            if lhs.element.cost != rhs.element.cost { return lhs.element.cost < rhs.element.cost }
            if lhs.element.effect != rhs.element.effect { return lhs.element.effect > rhs.element.effect }
            return lhs.offset < rhs.offset
        }.map(\.element)

        var dominated = Set<String>()
        for i in sorted.indices {
            for j in sorted.indices where j > i && sorted[j].effect <= sorted[i].effect {
                dominated.insert(sorted[j].strategy)
            }
        }
        var extended = Set<String>()
        while true {
            let frontier = sorted.filter { !dominated.contains($0.strategy) && !extended.contains($0.strategy) }
            guard frontier.count > 2 else { break }
            let ratios = incrementalRatios(frontier)
            var removed = false
            for i in 1..<(frontier.count - 1) where ratios[i] > ratios[i + 1] {
                extended.insert(frontier[i].strategy)
                removed = true
            }
            if !removed { break }
        }

        let frontier = sorted.filter { !dominated.contains($0.strategy) && !extended.contains($0.strategy) }
        var rows: [IncrementalRow] = []
        for (i, s) in frontier.enumerated() {
            var row = IncrementalRow(strategy: s.strategy, cost: s.cost, effect: s.effect, status: .nonDominated)
            if i > 0 {
                let dc = s.cost - frontier[i - 1].cost
                let de = s.effect - frontier[i - 1].effect
                row.incrementalCost = dc
                row.incrementalEffect = de
                row.icer = dc / de
            }
            rows.append(row)
        }
        for s in sorted where extended.contains(s.strategy) {
            rows.append(IncrementalRow(strategy: s.strategy, cost: s.cost, effect: s.effect, status: .extendedlyDominated))
        }
        for s in sorted where dominated.contains(s.strategy) {
            rows.append(IncrementalRow(strategy: s.strategy, cost: s.cost, effect: s.effect, status: .dominated))
        }
        return rows
    }

    /// ICER of each strategy against its predecessor (index 0 gets −∞ so it never counts as ED).
    private static func incrementalRatios(_ frontier: [StrategyOutcome]) -> [Double] {
        frontier.indices.map { i in
            i == 0 ? -.infinity
                : (frontier[i].cost - frontier[i - 1].cost) / (frontier[i].effect - frontier[i - 1].effect)
        }
    }

    /// Net monetary benefit λ·effect − cost at willingness-to-pay `lambda` per unit of effect.
    public static func netMonetaryBenefit(_ outcome: StrategyOutcome, willingnessToPay lambda: Double) -> Double {
        lambda * outcome.effect - outcome.cost
    }
}
