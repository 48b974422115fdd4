import Analytics
import ArgumentParser
import Foundation

/// `analytics bench`: timings of the two reference workloads, printed as JSON.
///
/// 1. Kaplan–Meier for two groups plus the log-rank test on `episodes` synthetic episodes
///    (exponential event times with hazards 0.10 and 0.08 per year, uniform censoring on 0–15 years).
/// 2. A PSA of `iterations` draws of a two-strategy, three-state partitioned survival model
///    (Weibull PFS and OS, 40-year horizon, monthly cycles, half-cycle correction, CADTH discounting).
struct AnalyticsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark Kaplan–Meier + log-rank (1M episodes) and a 10,000-iteration PSA (JSON timings)."
    )

    @Option(help: "Synthetic episodes for the survival benchmark.") var episodes: Int = 1_000_000
    @Option(help: "PSA iterations.") var iterations: Int = 10_000
    @Option(help: "Seed of the deterministic generator.") var seed: UInt64 = 20_260_101

    func run() async throws {
        guard episodes >= 2, iterations >= 1 else { throw AnalyticsCLIError("--episodes ≥ 2 and --iterations ≥ 1") }
        var random = RandomSource(seed: seed)
        var times = [Double]()
        var events = [Bool]()
        var groups = [String]()
        times.reserveCapacity(episodes)
        events.reserveCapacity(episodes)
        groups.reserveCapacity(episodes)
        for index in 0..<episodes {
            let treated = index % 2 == 0
            let eventTime = -log(1 - random.uniform()) / (treated ? 0.08 : 0.10)
            let censorTime = 15 * random.uniform()
            times.append((min(eventTime, censorTime) * 365.25).rounded())
            events.append(eventTime <= censorTime)
            groups.append(treated ? "therapy" : "control")
        }

        let clock = ContinuousClock()
        let survivalStart = clock.now
        let survival = try GroupedSurvival(times: times, events: events, groups: groups)
        let survivalTime = clock.now - survivalStart

        let psaStart = clock.now
        let psa = try ProbabilisticAnalysis.run(iterations: iterations, seed: seed, parameters: Self.parameters,
                                                model: Self.evaluate)
        let psaTime = clock.now - psaStart
        let means = psa.means

        try AnalyticsIO.printJSON(AnalyticsBenchReport(
            kaplanMeierLogRank: .init(episodes: episodes, seconds: survivalTime.elapsedSeconds, targetSeconds: 1,
                                      chiSquare: survival.logRank?.chiSquare),
            probabilisticAnalysis: .init(iterations: iterations, cyclesPerModel: 480, modelsPerIteration: 2,
                                         seconds: psaTime.elapsedSeconds, targetSeconds: 2,
                                         meanIncrementalCost: means[1].cost - means[0].cost),
            processors: ProcessInfo.processInfo.activeProcessorCount))
    }

    static let parameters: [UncertainParameter] = [
        UncertainParameter(name: "pfsScale", distribution: .logNormal(meanlog: log(1.5), sdlog: 0.1)),
        UncertainParameter(name: "osScale", distribution: .logNormal(meanlog: log(4), sdlog: 0.1)),
        UncertainParameter(name: "hazardRatio", distribution: .logNormal(meanlog: log(0.6), sdlog: 0.15)),
        UncertainParameter(name: "costProgressionFree", distribution: .gamma(mean: 12_000, sd: 2_000)),
        UncertainParameter(name: "costProgressed", distribution: .gamma(mean: 30_000, sd: 5_000)),
        UncertainParameter(name: "utilityProgressionFree", distribution: .beta(mean: 0.78, sd: 0.05)),
        UncertainParameter(name: "utilityProgressed", distribution: .beta(mean: 0.6, sd: 0.07)),
        UncertainParameter(name: "therapyPrice", distribution: .gamma(mean: 450_000, sd: 50_000)),
    ]

    /// Comparator and one-time therapy; the therapy scales both Weibull curves by HR^(−1/shape).
    static func evaluate(_ draw: [String: Double]) throws -> [StrategyOutcome] {
        let shape = 1.2
        let stretch = pow(draw["hazardRatio"]!, -1 / shape)
        let costs = PartitionedSurvivalModel.StatePair(progressionFree: draw["costProgressionFree"]!,
                                                       progressed: draw["costProgressed"]!)
        let utilities = PartitionedSurvivalModel.StatePair(progressionFree: draw["utilityProgressionFree"]!,
                                                           progressed: draw["utilityProgressed"]!)
        func model(_ factor: Double, price: Double) -> PartitionedSurvivalModel {
            PartitionedSurvivalModel(
                progressionFree: .parametric(distribution: .weibull(shape: shape, scale: draw["pfsScale"]! * factor)),
                overall: .parametric(distribution: .weibull(shape: shape, scale: draw["osScale"]! * factor)),
                horizonYears: 40, cycleLengthYears: 1.0 / 12, costs: costs, utilities: utilities, upFrontCost: price)
        }
        let comparator = try model(1, price: 0).run(includeTrace: false).totals
        let therapy = try model(stretch, price: draw["therapyPrice"]!).run(includeTrace: false).totals
        return [StrategyOutcome(strategy: "comparator", cost: comparator.cost, effect: comparator.effect),
                StrategyOutcome(strategy: "therapy", cost: therapy.cost, effect: therapy.effect)]
    }
}

/// JSON output of `analytics bench`.
struct AnalyticsBenchReport: Encodable {
    struct Survival: Encodable {
        var episodes: Int
        var seconds: Double
        var targetSeconds: Double
        var chiSquare: Double?
    }

    struct PSA: Encodable {
        var iterations: Int
        var cyclesPerModel: Int
        var modelsPerIteration: Int
        var seconds: Double
        var targetSeconds: Double
        var meanIncrementalCost: Double
    }

    var kaplanMeierLogRank: Survival
    var probabilisticAnalysis: PSA
    var processors: Int
}

