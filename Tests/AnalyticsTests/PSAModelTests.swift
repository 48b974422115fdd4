@testable import Analytics
import Foundation
import Testing

/// PSA described as data: parameters substituted into each strategy's model, then `ProbabilisticAnalysis.run`.
@Suite struct PSAModelTests {
    static let markov = #"""
        {"states": ["Alive", "Dead"], "initial": [1, 0],
         "phases": [{"cycles": 10, "transitions": [[{"parameter": "p", "scale": -1, "offset": 1}, {"parameter": "p"}], [0, 1]],
                     "costs": [{"parameter": "c"}, 0], "effects": [0.8, 0]}],
         "upFrontCost": 450000}
        """#

    static func input(iterations: Int = 300) throws -> PSAInput {
        try JSONDecoder().decode(PSAInput.self, from: Data("""
            {"iterations": \(iterations), "seed": 3,
             "parameters": [{"name": "p", "distribution": {"beta": {"alpha": 20, "beta": 80}}},
                            {"name": "c", "distribution": {"gamma": {"shape": 16, "scale": 625}}}],
             "strategies": [{"name": "Standard care", "model": {"fixed": {"cost": 20000, "effect": 2}}},
                            {"name": "CAR-T", "model": {"markov": \(markov)}}],
             "willingnessToPay": [0, 100000, 1000000]}
            """.utf8))
    }

    @Test func eachIterationRunsTheModelWithTheDrawnParameters() throws {
        let report = try Self.input().run()
        // The same analysis written by hand with the domain's PSA and Markov model.
        let parameters = [UncertainParameter(name: "p", distribution: .beta(alpha: 20, beta: 80)),
                          UncertainParameter(name: "c", distribution: .gamma(shape: 16, scale: 625))]
        let manual = try ProbabilisticAnalysis.run(iterations: 300, seed: 3, parameters: parameters) { draw in
            let json = Self.markov
                .replacingOccurrences(of: #"{"parameter": "p", "scale": -1, "offset": 1}"#, with: "\(1 - draw["p"]!)")
                .replacingOccurrences(of: #"{"parameter": "p"}"#, with: "\(draw["p"]!)")
                .replacingOccurrences(of: #"{"parameter": "c"}"#, with: "\(draw["c"]!)")
            let totals = try JSONDecoder().decode(MarkovModel.self, from: Data(json.utf8)).run().totals
            return [StrategyOutcome(strategy: "Standard care", cost: 20000, effect: 2),
                    StrategyOutcome(strategy: "CAR-T", cost: totals.cost, effect: totals.effect)]
        }
        #expect(report.strategies == ["Standard care", "CAR-T"])
        for (a, b) in zip(report.means, manual.means) {
            #expect(abs(a.cost - b.cost) <= 1e-6 * b.cost)
            #expect(abs(a.effect - b.effect) <= 1e-9 * max(1, b.effect))
        }
        #expect(report.acceptability.map(\.willingnessToPay) == [0, 100000, 1000000])
        #expect(report.acceptability[0].probabilities == [1, 0])
        #expect(report.incremental.count == 2)
        #expect(report.costs == nil)
    }

    @Test func errorsNameTheField() throws {
        var input = try Self.input()
        input.parameters.removeLast()
        #expect(throws: AnalyticsError.invalid(field: "strategies[1].model.markov.phases[0].costs[0]", reason: "unknown parameter \"c\"")) {
            try input.run()
        }
        input = try Self.input()
        input.reference = "Nothing"
        #expect(throws: AnalyticsError.invalid(field: "reference", reason: "unknown strategy \"Nothing\"")) { try input.run() }
        input = try Self.input()
        input.strategies[1].name = "Standard care"
        #expect(throws: AnalyticsError.invalid(field: "strategies[1].name", reason: "duplicate \"Standard care\"")) { try input.run() }
    }

    @Test func substitutedModelsAreWrittenAsJSONThatReadsBackTheSame() throws {
        let source = #"{"a": [0.1, 1e-05, -3, 1.7976931348623157e308, 123456789012345, true, null], "b\"c": "line\nbreak \u0001 é", "d": {}, "p": {"parameter": "x", "scale": -1, "offset": 1}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(source.utf8))
        var text = ""
        value.substituting(["x": 0.30000000000000004]).write(to: &text)
        let back = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case let .object(fields) = back, case let .object(original) = value else { Issue.record("not objects"); return }
        #expect(fields["a"] == original["a"])
        #expect(fields["b\"c"] == .string("line\nbreak \u{1} é"))
        #expect(fields["d"] == .object([:]))
        #expect(fields["p"] == .number(1 - 0.30000000000000004))
    }

    @Test func includeIterationsAddsThePlane() throws {
        var input = try Self.input(iterations: 20)
        input.includeIterations = true
        let report = try input.run()
        #expect(report.costs?.count == 20)
        #expect(report.plane?.count == 20)
        #expect(report.plane?.allSatisfy { $0.strategy == "CAR-T" } == true)
    }
}
