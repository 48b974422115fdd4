import Analytics
import ArgumentParser
import Foundation

/// `analytics icer`: incremental analysis with strict and extended dominance (dampack's calculate_icers).
struct AnalyticsICERCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "icer",
        abstract: "Efficient frontier and ICERs from a CSV with columns strategy,cost,effect."
    )

    @Option(help: "CSV file with columns strategy, cost, effect.") var csv: String
    @Option(help: "Willingness to pay per unit of effect: adds each strategy's net monetary benefit.")
    var wtp: Double?

    func run() async throws {
        let table = try AnalyticsIO.readCSV(csv)
        let outcomes: [StrategyOutcome]
        do {
            let names = try table.strings("strategy")
            let costs = try table.numbers("cost")
            let effects = try table.numbers("effect")
            outcomes = names.indices.map { StrategyOutcome(strategy: names[$0], cost: costs[$0], effect: effects[$0]) }
        } catch let error as CSVTable.ParseError {
            throw AnalyticsCLIError("\(csv): \(error)")
        }
        try AnalyticsIO.printJSON(try IncrementalReport(outcomes, willingnessToPay: wtp))
    }
}

/// `analytics psm`: runs a partitioned survival model described in JSON.
struct AnalyticsPartitionedSurvivalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psm",
        abstract: "Three-state partitioned survival model (see docs/ANALYTICS.md for the JSON format)."
    )

    @Option(help: "JSON file describing the model.") var json: String
    @Flag(name: .customLong("no-trace"), help: "Omit the per-cycle state trace.") var noTrace = false

    func run() async throws {
        let model = try AnalyticsIO.decode(PartitionedSurvivalModel.self, from: json)
        try AnalyticsIO.printJSON(try model.run(includeTrace: !noTrace))
    }
}

/// `analytics markov`: runs a Markov cohort model described in JSON.
struct AnalyticsMarkovCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "markov",
        abstract: "Markov cohort model with phases, half-cycle correction and discounting (JSON input)."
    )

    @Option(help: "JSON file describing the model.") var json: String

    func run() async throws {
        let model = try AnalyticsIO.decode(MarkovModel.self, from: json)
        try AnalyticsIO.printJSON(try model.run())
    }
}

/// `analytics budget`: budget impact analysis described in JSON.
struct AnalyticsBudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Budget impact over N years (eligible population, uptake, prices, cost offsets)."
    )

    @Option(help: "JSON file with the budget impact inputs.") var json: String

    func run() async throws {
        let input = try AnalyticsIO.decode(BudgetImpactInput.self, from: json)
        try AnalyticsIO.printJSON(try BudgetImpact.analyse(input))
    }
}

/// `analytics psa`: probabilistic sensitivity analysis of cohort models described in JSON.
struct AnalyticsPSACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psa",
        abstract: "Probabilistic sensitivity analysis: parameter distributions and one model per strategy (JSON input).",
        discussion: "Format and worked example: docs/ANALYTICS.md. Output: mean cost and effect per strategy, the incremental analysis of the means, the acceptability curve."
    )

    @Option(help: "JSON file describing the analysis.") var json: String
    @Option(help: "Number of iterations (overrides the file's).") var iterations: Int?
    @Option(help: "Random seed (overrides the file's).") var seed: UInt64?

    func run() async throws {
        var input = try AnalyticsIO.decode(PSAInput.self, from: json)
        if let iterations { input.iterations = iterations }
        if let seed { input.seed = seed }
        try AnalyticsIO.printJSON(try input.run())
    }
}
