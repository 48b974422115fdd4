import Foundation

/// A sampling distribution for one uncertain parameter.
///
/// JSON form: `{"gamma": {"shape": 4, "scale": 250}}`, `{"fixed": {"value": 1}}`, …
public enum ParameterDistribution: Codable, Sendable, Equatable {
    case fixed(value: Double)
    case normal(mean: Double, sd: Double)
    case gamma(shape: Double, scale: Double)
    case beta(alpha: Double, beta: Double)
    case logNormal(meanlog: Double, sdlog: Double)

    /// Gamma with the given mean and standard deviation (method of moments: k = m²/s², θ = s²/m).
    public static func gamma(mean: Double, sd: Double) -> ParameterDistribution {
        .gamma(shape: mean * mean / (sd * sd), scale: sd * sd / mean)
    }

    /// Beta with the given mean and standard deviation (method of moments; needs sd² < m(1−m)).
    public static func beta(mean: Double, sd: Double) -> ParameterDistribution {
        let common = mean * (1 - mean) / (sd * sd) - 1
        return .beta(alpha: mean * common, beta: (1 - mean) * common)
    }

    /// Draws one value.
    public func sample(_ random: inout RandomSource) -> Double {
        switch self {
        case let .fixed(value): value
        case let .normal(mean, sd): mean + sd * random.standardNormal()
        case let .gamma(shape, scale): random.gamma(shape: shape, scale: scale)
        case let .beta(alpha, beta): random.beta(alpha: alpha, beta: beta)
        case let .logNormal(meanlog, sdlog): exp(meanlog + sdlog * random.standardNormal())
        }
    }

    /// The value used for the deterministic base case: the distribution's mean
    /// (for log-normal, exp(meanlog + sdlog²/2)).
    public var mean: Double {
        switch self {
        case let .fixed(value): value
        case let .normal(mean, _): mean
        case let .gamma(shape, scale): shape * scale
        case let .beta(alpha, beta): alpha / (alpha + beta)
        case let .logNormal(meanlog, sdlog): exp(meanlog + sdlog * sdlog / 2)
        }
    }

    func validate(_ field: String) throws {
        switch self {
        case let .fixed(value):
            try Check.finite(value, "\(field).value")
        case let .normal(mean, sd):
            try Check.finite(mean, "\(field).mean")
            try Check.nonNegative(sd, "\(field).sd")
        case let .gamma(shape, scale):
            try Check.positive(shape, "\(field).shape")
            try Check.positive(scale, "\(field).scale")
        case let .beta(alpha, beta):
            try Check.positive(alpha, "\(field).alpha")
            try Check.positive(beta, "\(field).beta")
        case let .logNormal(meanlog, sdlog):
            try Check.finite(meanlog, "\(field).meanlog")
            try Check.nonNegative(sdlog, "\(field).sdlog")
        }
    }
}

/// A named uncertain parameter.
public struct UncertainParameter: Codable, Sendable, Equatable {
    public var name: String
    public var distribution: ParameterDistribution

    public init(name: String, distribution: ParameterDistribution) {
        self.name = name
        self.distribution = distribution
    }
}

/// Results of a probabilistic sensitivity analysis: one cost and effect per iteration and strategy.
public struct PSAResult: Codable, Sendable, Equatable {
    public var strategies: [String]
    /// `costs[i][s]`: cost of strategy s in iteration i.
    public var costs: [[Double]]
    /// `effects[i][s]`: effect of strategy s in iteration i.
    public var effects: [[Double]]

    /// Incremental (Δeffect, Δcost) of every strategy against `reference`, per iteration: the CE plane.
    public func planePoints(reference: String) throws -> [CEPlanePoint] {
        guard let r = strategies.firstIndex(of: reference) else {
            throw AnalyticsError.invalid(field: "reference", reason: "unknown strategy \"\(reference)\"")
        }
        var points: [CEPlanePoint] = []
        for i in costs.indices {
            for s in strategies.indices where s != r {
                points.append(CEPlanePoint(iteration: i, strategy: strategies[s],
                                           incrementalCost: costs[i][s] - costs[i][r],
                                           incrementalEffect: effects[i][s] - effects[i][r]))
            }
        }
        return points
    }

    /// Cost-effectiveness acceptability curve: for each willingness-to-pay λ, the share of iterations in
    /// which each strategy has the highest net monetary benefit λ·E − C (ties go to the earlier strategy).
    public func acceptabilityCurve(willingnessToPay: [Double]) -> [CEACPoint] {
        willingnessToPay.map { lambda in
            var wins = [Int](repeating: 0, count: strategies.count)
            for i in costs.indices {
                var best = 0
                var bestValue = -Double.infinity
                for s in strategies.indices {
                    let value = lambda * effects[i][s] - costs[i][s]
                    if value > bestValue {
                        best = s
                        bestValue = value
                    }
                }
                wins[best] += 1
            }
            let total = Double(max(costs.count, 1))
            return CEACPoint(willingnessToPay: lambda, probabilities: wins.map { Double($0) / total })
        }
    }

    /// Mean cost and effect of each strategy across iterations.
    public var means: [StrategyOutcome] {
        let n = Double(max(costs.count, 1))
        return strategies.indices.map { s in
            StrategyOutcome(strategy: strategies[s],
                            cost: costs.reduce(0) { $0 + $1[s] } / n,
                            effect: effects.reduce(0) { $0 + $1[s] } / n)
        }
    }
}

/// One point of the cost-effectiveness plane.
public struct CEPlanePoint: Codable, Sendable, Equatable {
    public var iteration: Int
    public var strategy: String
    public var incrementalCost: Double
    public var incrementalEffect: Double
}

/// One willingness-to-pay value of the acceptability curve; `probabilities` follow `PSAResult.strategies`.
public struct CEACPoint: Codable, Sendable, Equatable {
    public var willingnessToPay: Double
    public var probabilities: [Double]
}

/// Monte Carlo probabilistic sensitivity analysis.
public enum ProbabilisticAnalysis {
    /// Runs `iterations` draws. In each iteration the parameters are sampled in the order given,
    /// from one `RandomSource(seed:)` stream shared by all iterations, so results are reproducible.
    /// - Parameter model: maps one draw (parameter name → value) to each strategy's outcome;
    ///   it must return the same strategies, in the same order, every time.
    /// - Throws: `AnalyticsError` for invalid parameters or inconsistent strategies, or the model's error.
    public static func run(
        iterations: Int, seed: UInt64, parameters: [UncertainParameter],
        model: ([String: Double]) throws -> [StrategyOutcome]
    ) throws -> PSAResult {
        try Check.count(iterations, "iterations")
        var names = Set<String>()
        for (index, parameter) in parameters.enumerated() {
            try parameter.distribution.validate("parameters[\(index)].distribution")
            guard names.insert(parameter.name).inserted else {
                throw AnalyticsError.invalid(field: "parameters[\(index)].name", reason: "duplicate \"\(parameter.name)\"")
            }
        }
        var random = RandomSource(seed: seed)
        var strategies: [String] = []
        var costs: [[Double]] = []
        var effects: [[Double]] = []
        costs.reserveCapacity(iterations)
        effects.reserveCapacity(iterations)
        var draw = [String: Double](minimumCapacity: parameters.count)
        for iteration in 0..<iterations {
            for parameter in parameters {
                draw[parameter.name] = parameter.distribution.sample(&random)
            }
            let outcomes = try model(draw)
            if iteration == 0 {
                strategies = outcomes.map(\.strategy)
            } else if outcomes.map(\.strategy) != strategies {
                throw AnalyticsError.invalid(field: "model", reason: "iteration \(iteration) returned different strategies")
            }
            costs.append(outcomes.map(\.cost))
            effects.append(outcomes.map(\.effect))
        }
        return PSAResult(strategies: strategies, costs: costs, effects: effects)
    }
}
