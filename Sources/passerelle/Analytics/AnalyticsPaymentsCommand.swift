import Analytics
import ArgumentParser
import Foundation

/// `analytics payments`: payment schedule, present value and per-patient ledger for a one-time therapy.
struct AnalyticsPaymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments",
        abstract: "Up-front, instalment and outcomes-based payment schedules with present values."
    )

    @Option(help: "Total price.") var price: Double
    @Option(help: "Number of yearly instalments (1 = up front).") var instalments: Int = 1
    @Option(help: "Annual discount rate, e.g. 0.015.") var rate: Double = 0.015
    @Flag(help: "Instalments at the start of each year (annuity due) instead of the end.") var due = false
    @Flag(name: .customLong("outcome-based"), help: "Remaining instalments stop when the outcome fails.")
    var outcomeBased = false
    @Option(name: .customLong("outcome-refund"),
            help: "Refund tiers fraction@years, e.g. 1@1,0.5@2: refund that share of the price on failure within that time.")
    var outcomeRefund: String?
    @Option(name: .customLong("failure-times"),
            help: "Per-patient outcome failure times in years, comma-separated; 'none' if the outcome held.")
    var failureTimes: String?
    @Option(name: .customLong("episode-cost"), help: "Care-episode cost added to the price for amortization.")
    var episodeCost: Double = 0
    @Option(name: .customLong("amortize-years"), help: "Amortize price + episode cost over this many years.")
    var amortizeYears: Int?

    func run() async throws {
        let analysis = PaymentAnalysis(
            agreement: try makeAgreement(), rate: rate, failureTimes: try parseFailureTimes(),
            amortizeYears: amortizeYears, episodeCost: episodeCost)
        try AnalyticsIO.printJSON(try analysis.run())
    }

    private func makeAgreement() throws -> PaymentAgreement {
        let timing: PaymentTiming = due ? .due : .immediate
        if let outcomeRefund {
            guard instalments == 1, !outcomeBased else {
                throw AnalyticsCLIError("--outcome-refund applies to an up-front price: drop --instalments and --outcome-based")
            }
            let tiers = try outcomeRefund.split(separator: ",").map { item -> RefundTier in
                let parts = item.split(separator: "@")
                guard parts.count == 2, let fraction = Double(parts[0]), let years = Double(parts[1]) else {
                    throw AnalyticsCLIError("--outcome-refund: \"\(item)\" is not fraction@years")
                }
                return RefundTier(withinYears: years, fraction: fraction)
            }
            return .outcomeRefund(price: price, tiers: tiers)
        }
        if outcomeBased { return .outcomeInstalments(price: price, count: instalments, timing: timing) }
        return instalments == 1 && !due ? .upFront(price: price) : .instalments(price: price, count: instalments, timing: timing)
    }

    private func parseFailureTimes() throws -> [Double?]? {
        try failureTimes.map { text in
            try text.split(separator: ",").enumerated().map { index, item in
                let value = item.trimmingCharacters(in: .whitespaces)
                if value == "none" { return nil }
                guard let time = Double(value) else {
                    throw AnalyticsCLIError("--failure-times: item \(index + 1) \"\(value)\" is not a number or 'none'")
                }
                return time
            }
        }
    }
}
