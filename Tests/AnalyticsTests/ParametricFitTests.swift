import Analytics
import Foundation
import Testing

/// Maximum-likelihood fits against R (survreg; Gompertz by optim with its analytic gradient),
/// values from scripts/r-oracle/km_oracle.R.
@Suite struct ParametricFitTests {
    static func parameters(_ distribution: ParametricSurvival) -> [String: Double] {
        switch distribution {
        case let .exponential(rate): ["rate": rate]
        case let .weibull(shape, scale), let .logLogistic(shape, scale): ["shape": shape, "scale": scale]
        case let .logNormal(meanlog, sdlog): ["meanlog": meanlog, "sdlog": sdlog]
        case let .gompertz(shape, rate): ["shape": shape, "rate": rate]
        }
    }

    @Test(arguments: OracleFixtures.datasetNames)
    func fitsMatchR(dataset: String) throws {
        let fixtures = try OracleFixtures.bundled()
        let data = try fixtures.table(dataset)
        let observations = zip(data.times, data.events).map { SurvivalObservation(time: $0, event: $1) }
        let reference = try #require(try fixtures.dataset(dataset)["fits"] as? [String: Any])
        for family in ParametricFamily.allCases {
            let expected = try #require(reference[family.rawValue] as? [String: Any])
            let fit = try ParametricFit.fit(observations, family: family)
            let logLik = try #require(optionalNumber(expected["logLik"]))
            #expect(abs(fit.logLikelihood - logLik) < 1e-8, "\(dataset) \(family) logLik \(fit.logLikelihood) vs \(logLik)")
            for (name, value) in Self.parameters(fit.distribution) {
                let r = try #require(optionalNumber(expected[name]))
                // Gompertz shapes are near 0; compare them on the scale of the rate·time product.
                let tolerance = family == .gompertz && name == "shape" ? 1e-6 * abs(r) + 1e-9 : 1e-6 * abs(r)
                #expect(abs(value - r) <= tolerance, "\(dataset) \(family) \(name): \(value) vs R \(r)")
            }
            #expect(abs(fit.aic - (-2 * logLik + 2 * Double(family == .exponential ? 1 : 2))) < 1e-7)
        }
    }

    @Test func rejectsZeroTimesAndEventFreeData() {
        #expect(throws: AnalyticsError.invalid(field: "observations[0].time", reason: "must be > 0, got 0.0")) {
            try ParametricFit.fit([SurvivalObservation(time: 0, event: true)], family: .weibull)
        }
        #expect(throws: AnalyticsError.invalid(field: "observations", reason: "no events to fit")) {
            try ParametricFit.fit([SurvivalObservation(time: 3, event: false)], family: .exponential)
        }
    }
}
