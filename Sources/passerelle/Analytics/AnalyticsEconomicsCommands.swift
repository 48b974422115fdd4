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
        let rows = try IncrementalAnalysis.calculate(outcomes)
        let benefits = wtp.map { lambda in
            Dictionary(uniqueKeysWithValues: outcomes.map {
                ($0.strategy, IncrementalAnalysis.netMonetaryBenefit($0, willingnessToPay: lambda))
            })
        }
        try AnalyticsIO.printJSON(AnalyticsICERReport(rows: rows, willingnessToPay: wtp, netMonetaryBenefit: benefits))
    }
}

/// JSON output of `analytics icer`.
struct AnalyticsICERReport: Encodable {
    var rows: [IncrementalRow]
    var willingnessToPay: Double?
    var netMonetaryBenefit: [String: Double]?
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
