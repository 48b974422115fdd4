import Analytics
import Foundation
import Testing

@Suite struct ProbabilisticAnalysisTests {
    /// Reference stream from an independent Python transcription of xoshiro256** seeded by SplitMix64.
    @Test func randomSourceMatchesReferenceStream() {
        var random = RandomSource(seed: 42)
        #expect(random.next() == 0x1578_0B2E_0C2E_C716)
        #expect(random.next() == 0x6104_D986_6D11_3A7E)
        #expect(random.next() == 0xAE17_5332_39E4_99A1)
    }

    @Test(arguments: [
        ParameterDistribution.normal(mean: 3, sd: 2),
        .gamma(shape: 2.5, scale: 400),
        .gamma(shape: 0.4, scale: 3),
        .beta(alpha: 8, beta: 2),
        .logNormal(meanlog: 0.1, sdlog: 0.3),
    ])
    func samplesHaveTheDistributionMean(distribution: ParameterDistribution) {
        var random = RandomSource(seed: 7)
        let n = 200_000
        var sum = 0.0
        var sumSquares = 0.0
        for _ in 0..<n {
            let x = distribution.sample(&random)
            sum += x
            sumSquares += x * x
        }
        let mean = sum / Double(n)
        let sd = (sumSquares / Double(n) - mean * mean).squareRoot()
        // Five standard errors of the mean.
        #expect(abs(mean - distribution.mean) < 5 * sd / Double(n).squareRoot(), "mean \(mean) vs \(distribution.mean)")
    }

    @Test func methodOfMomentsHelpers() {
        #expect(ParameterDistribution.gamma(mean: 100, sd: 20) == .gamma(shape: 25, scale: 4))
        guard case let .beta(alpha, beta) = ParameterDistribution.beta(mean: 0.8, sd: 0.1) else {
            Issue.record("not a beta")
            return
        }
        #expect(abs(alpha - 12) < 1e-12 && abs(beta - 3) < 1e-12)
    }

    static func psa(seed: UInt64) throws -> PSAResult {
        try ProbabilisticAnalysis.run(
            iterations: 2_000, seed: seed,
            parameters: [
                UncertainParameter(name: "cost", distribution: .gamma(mean: 50_000, sd: 10_000)),
                UncertainParameter(name: "gain", distribution: .normal(mean: 1, sd: 0.5)),
            ]
        ) { draw in
            [StrategyOutcome(strategy: "usual care", cost: 10_000, effect: 5),
             StrategyOutcome(strategy: "therapy", cost: 10_000 + draw["cost"]!, effect: 5 + draw["gain"]!)]
        }
    }

    @Test func psaIsReproducibleForASeed() throws {
        #expect(try Self.psa(seed: 1) == Self.psa(seed: 1))
        #expect(try Self.psa(seed: 1) != Self.psa(seed: 2))
    }

    @Test func acceptabilityCurveFollowsNetBenefit() throws {
        let result = try Self.psa(seed: 3)
        let curve = result.acceptabilityCurve(willingnessToPay: [0, 50_000, 1_000_000])
        for point in curve { #expect(abs(point.probabilities.reduce(0, +) - 1) < 1e-12) }
        #expect(curve[0].probabilities == [1, 0])
        // At λ = 50,000 the therapy wins when 50,000·gain > cost: P ≈ P(N(1,.5)·50k − Γ > 0) ≈ 0.49.
        #expect(abs(curve[1].probabilities[1] - 0.49) < 0.05)
        // At a very high λ only P(gain > 0) ≈ Φ(2) ≈ 0.977 matters.
        #expect(abs(curve[2].probabilities[1] - 0.977) < 0.02)
        let points = try result.planePoints(reference: "usual care")
        #expect(points.count == 2_000)
        #expect(abs(result.means[1].cost - 60_000) < 1_000)
    }

    @Test func rejectsDuplicateParameters() {
        #expect(throws: AnalyticsError.self) {
            try ProbabilisticAnalysis.run(iterations: 1, seed: 0, parameters: [
                UncertainParameter(name: "p", distribution: .fixed(value: 1)),
                UncertainParameter(name: "p", distribution: .fixed(value: 2)),
            ]) { _ in [] }
        }
    }
}
