import Analytics
import Testing

@Suite struct IncrementalAnalysisTests {
    /// dampack's own test of `calculate_icers` (tests/testthat/test_icers.R, example from the VA HERC
    /// cost-effectiveness guide): UC, B, D, E on the frontier; C extendedly dominated; A dominated.
    @Test func reproducesDampackHercExample() throws {
        let input = zip(zip(["E", "D", "C", "B", "A", "UC"], [55000.0, 35000, 25000, 10000, 12000, 5000]), [5.0, 4, 3, 2, 1.5, 1])
            .map { StrategyOutcome(strategy: $0.0, cost: $0.1, effect: $1) }
        let rows = try IncrementalAnalysis.calculate(input)
        #expect(rows.map(\.strategy) == ["UC", "B", "D", "E", "C", "A"])
        #expect(rows.map(\.status) == [.nonDominated, .nonDominated, .nonDominated, .nonDominated,
                                       .extendedlyDominated, .dominated])
        #expect(rows.map(\.incrementalCost) == [nil, 5000, 25000, 20000, nil, nil])
        #expect(rows.map(\.incrementalEffect) == [nil, 1, 2, 1, nil, nil])
        #expect(rows.map(\.icer) == [nil, 5000, 12500, 20000, nil, nil])
    }

    /// dampack's "default reference strategy" test: equal effect, lower cost dominates.
    @Test func equalEffectCheaperStrategyIsReference() throws {
        let rows = try IncrementalAnalysis.calculate([
            StrategyOutcome(strategy: "No Treat", cost: 163771.0, effect: 6.48273),
            StrategyOutcome(strategy: "Treat all", cost: 164848.7, effect: 6.52861),
            StrategyOutcome(strategy: "Test & treat", cost: 163765.1, effect: 6.52861),
        ])
        #expect(rows.first?.strategy == "Test & treat")
        #expect(rows.filter { $0.status == .dominated }.map(\.strategy).sorted() == ["No Treat", "Treat all"])
    }

    @Test func rejectsDuplicateNames() {
        #expect(throws: AnalyticsError.invalid(field: "strategies[1].strategy", reason: "duplicate name \"a\"")) {
            try IncrementalAnalysis.calculate([StrategyOutcome(strategy: "a", cost: 1, effect: 1),
                                               StrategyOutcome(strategy: "a", cost: 2, effect: 2)])
        }
    }

    @Test func netMonetaryBenefit() {
        let outcome = StrategyOutcome(strategy: "x", cost: 120_000, effect: 2.5)
        #expect(IncrementalAnalysis.netMonetaryBenefit(outcome, willingnessToPay: 50_000) == 5_000)
    }
}
