import Foundation

/// Annual discount rates, applied as 1/(1+r)^t with t in years.
public struct DiscountRates: Codable, Sendable, Equatable {
    public var costs: Double
    public var effects: Double

    public init(costs: Double, effects: Double) {
        self.costs = costs
        self.effects = effects
    }

    /// CADTH's reference case (Guidelines for the Economic Evaluation of Health Technologies:
    /// Canada, 4th ed., 2017): 1.5 % a year for both costs and outcomes.
    public static let cadth = DiscountRates(costs: 0.015, effects: 0.015)

    func validate(_ field: String) throws {
        try Check.rate(costs, "\(field).costs")
        try Check.rate(effects, "\(field).effects")
    }
}

/// Totals of a cohort model, discounted and undiscounted.
public struct CohortTotals: Codable, Sendable, Equatable {
    public var cost: Double
    public var effect: Double
    /// Life years (time alive), discounted at the effects rate.
    public var lifeYears: Double
    public var undiscountedCost: Double
    public var undiscountedEffect: Double
    public var undiscountedLifeYears: Double
}

/// Accumulates per-cycle state values for cohort models (Markov and partitioned survival).
///
/// Convention (that of Briggs et al., *Decision Modelling for Health Economic Evaluation*, ex. 2.5):
/// cycle i (1…n) covers [(i−1)h, ih]; without half-cycle correction its occupancy is the state
/// distribution at its end; with it, the mean of the distributions at its start and end
/// (trapezoid, heemod's "life-table" method). The value accrued in cycle i is
/// occupancy · annual value · h, discounted by 1/(1+r)^(i·h).
struct CohortAccumulator {
    let cycleLength: Double
    let discount: DiscountRates
    let halfCycleCorrection: Bool
    private(set) var totals = CohortTotals(cost: 0, effect: 0, lifeYears: 0,
                                           undiscountedCost: 0, undiscountedEffect: 0, undiscountedLifeYears: 0)

    init(cycleLength: Double, discount: DiscountRates, halfCycleCorrection: Bool) {
        self.cycleLength = cycleLength
        self.discount = discount
        self.halfCycleCorrection = halfCycleCorrection
    }

    /// Adds cycle `cycle` (1-based) given the state distributions at its start and end.
    /// `alive[s]` says whether state s counts towards life years.
    mutating func add(cycle: Int, start: [Double], end: [Double], costs: [Double], effects: [Double], alive: [Bool]) {
        var cost = 0.0
        var effect = 0.0
        var life = 0.0
        for s in start.indices {
            let occupancy = (halfCycleCorrection ? (start[s] + end[s]) / 2 : end[s]) * cycleLength
            cost += occupancy * costs[s]
            effect += occupancy * effects[s]
            if alive[s] { life += occupancy }
        }
        let time = Double(cycle) * cycleLength
        let costFactor = pow(1 + discount.costs, -time)
        let effectFactor = pow(1 + discount.effects, -time)
        totals.cost += cost * costFactor
        totals.effect += effect * effectFactor
        totals.lifeYears += life * effectFactor
        totals.undiscountedCost += cost
        totals.undiscountedEffect += effect
        totals.undiscountedLifeYears += life
    }

    /// Adds a one-off amount at time 0 (undiscounted), e.g. an acquisition cost.
    mutating func addUpFront(cost: Double) {
        totals.cost += cost
        totals.undiscountedCost += cost
    }
}
