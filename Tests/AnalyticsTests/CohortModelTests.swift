import Analytics
import Foundation
import Testing

@Suite struct CohortModelTests {
    // Chancellor et al. 1997 HIV model as in Briggs, Claxton & Sculpher, "Decision Modelling for
    // Health Economic Evaluation" (2006), exercise 2.5 (the model of heemod's "Homogeneous Markov
    // models" vignette; the published figures below are also checked by rdecision's test-model-AZT.R):
    // annual transition probabilities from the transition counts, RR 0.509 for two years of combination
    // therapy, costs discounted at 6 %, life years undiscounted.
    static let counts: [[Double]] = [[1251, 350, 116, 17], [0, 731, 512, 15], [0, 0, 1312, 437], [0, 0, 0, 1]]
    static let monotherapy: [[Double]] = counts.map { row in row.map { $0 / row.reduce(0, +) } }
    static let combination: [[Double]] = monotherapy.enumerated().map { i, row in
        var scaled = row.enumerated().map { j, p in i == j ? 0 : p * 0.509 }
        scaled[i] = 1 - scaled.reduce(0, +)
        return scaled
    }
    static let monoCosts: [Double] = [1701 + 1055 + 2278, 1774 + 1278 + 2278, 6948 + 2059 + 2278, 0]
    static let comboCosts: [Double] = monoCosts.enumerated().map { $0 < 3 ? $1 + 2086.5 : $1 }
    static let lifeYears = [1.0, 1, 1, 0]

    static func model(combination useCombination: Bool, halfCycle: Bool) -> MarkovModel {
        let later = MarkovPhase(cycles: useCombination ? 18 : 20, transitions: monotherapy, costs: monoCosts, effects: lifeYears)
        let phases = useCombination
            ? [MarkovPhase(cycles: 2, transitions: combination, costs: comboCosts, effects: lifeYears), later]
            : [later]
        return MarkovModel(states: ["A", "B", "C", "D"], initial: [1, 0, 0, 0], phases: phases,
                           discount: DiscountRates(costs: 0.06, effects: 0), halfCycleCorrection: halfCycle,
                           deadStates: ["D"])
    }

    /// Briggs ex. 2.5 reports £44,663 and 7.991 LY (mono), £50,602 and 8.937 LY (combination), ICER £6,276.
    @Test func reproducesBriggsExercise25() throws {
        let mono = try Self.model(combination: false, halfCycle: false).run().totals
        let combo = try Self.model(combination: true, halfCycle: false).run().totals
        #expect(abs(mono.cost - 44_663.45) < 0.01)
        #expect(abs(mono.lifeYears - 7.99121) < 1e-5)
        #expect(abs(combo.cost - 50_601.65) < 0.01)
        #expect(abs(combo.lifeYears - 8.93739) < 1e-5)
        let icer = (combo.cost - mono.cost) / (combo.lifeYears - mono.lifeYears)
        #expect(abs(icer - 6_276) < 1)
    }

    /// With half-cycle correction Briggs reports 8.475 and 9.42 life years.
    @Test func halfCycleCorrectionMatchesBriggs() throws {
        let mono = try Self.model(combination: false, halfCycle: true).run().totals
        let combo = try Self.model(combination: true, halfCycle: true).run().totals
        #expect(abs(mono.lifeYears - 8.475) < 5e-4)
        #expect(abs(combo.lifeYears - 9.417) < 5e-4)
    }

    @Test func traceConservesTheCohort() throws {
        let result = try Self.model(combination: true, halfCycle: true).run()
        #expect(result.trace.count == 21)
        for row in result.trace { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
    }

    @Test func rejectsRowsThatDoNotSumToOne() {
        var model = Self.model(combination: false, halfCycle: false)
        model.phases[0].transitions[1] = [0, 0.5, 0.4, 0]
        #expect(throws: AnalyticsError.invalid(field: "phases[0].transitions[1]", reason: "row sums to 0.9, not 1")) {
            try model.run()
        }
    }

    /// flexsurv's parameterisations; expected values from R 4.2 (pexp, pweibull, plnorm, and
    /// flexsurv's documented llogis and Gompertz survivor functions evaluated in R).
    @Test(arguments: [
        (ParametricSurvival.exponential(rate: 0.3), [0.86070797642505781, 0.54881163609402639, 0.12245642825298191]),
        (.weibull(shape: 1.4, scale: 3.2), [0.928336056424710065, 0.595780218870859746, 0.050198823655024899]),
        (.logLogistic(shape: 1.8, scale: 2.5), [0.94769735402266475, 0.59908604140741029, 0.13548415339888090]),
        (.logNormal(meanlog: 0.9, sdlog: 0.7), [0.988574736889961558, 0.616195562032262889, 0.067567247830591648]),
        (.gompertz(shape: 0.2, rate: 0.05), [0.97404991470830127, 0.88430241678647448, 0.46589267072767493]),
        (.gompertz(shape: -0.2, rate: 0.05), [0.97649012096976739, 0.92088511631689196, 0.82832411412154594]),
    ])
    func parametricSurvivalMatchesR(distribution: ParametricSurvival, expected: [Double]) {
        for (t, value) in zip([0.5, 2, 7], expected) {
            #expect(abs(distribution.survival(at: t) - value) < 1e-12, "S(\(t))")
        }
    }

    /// Exponential curves have closed forms: with end-of-cycle occupancy, life years are
    /// Σᵢ h·e^(−λ i h), a geometric series.
    @Test func partitionedSurvivalMatchesClosedForm() throws {
        let h = 1.0 / 12
        let model = PartitionedSurvivalModel(
            progressionFree: .parametric(distribution: .exponential(rate: 0.5)), overall: .parametric(distribution: .exponential(rate: 0.2)),
            horizonYears: 10, cycleLengthYears: h,
            costs: .init(progressionFree: 1_000, progressed: 3_000), utilities: .init(progressionFree: 0.8, progressed: 0.5),
            upFrontCost: 100_000, discount: DiscountRates(costs: 0, effects: 0), halfCycleCorrection: false)
        let result = try model.run()
        func series(_ rate: Double) -> Double {
            let q = exp(-rate * h)
            return h * q * (1 - pow(q, 120)) / (1 - q)
        }
        let pf = series(0.5)
        let os = series(0.2)
        #expect(result.trace.count == 121)
        #expect(abs(result.totals.lifeYears - os) < 1e-10)
        #expect(abs(result.totals.effect - (0.8 * pf + 0.5 * (os - pf))) < 1e-10)
        #expect(abs(result.totals.cost - (100_000 + 1_000 * pf + 3_000 * (os - pf))) < 1e-6)
    }

    @Test func partitionedSurvivalDiscountsAndCorrects() throws {
        var model = PartitionedSurvivalModel(
            progressionFree: .parametric(distribution: .weibull(shape: 1.2, scale: 2)), overall: .parametric(distribution: .weibull(shape: 1.1, scale: 5)),
            horizonYears: 40, costs: .init(progressionFree: 10_000, progressed: 20_000),
            utilities: .init(progressionFree: 0.8, progressed: 0.6))
        let discounted = try model.run(includeTrace: false).totals
        #expect(discounted.cost < discounted.undiscountedCost)
        #expect(discounted.effect < discounted.undiscountedEffect)
        model.halfCycleCorrection = false
        let uncorrected = try model.run(includeTrace: false).totals
        // End-of-cycle occupancy undercounts a decreasing curve; the trapezoid adds half a cycle at t = 0.
        #expect(abs(discounted.undiscountedLifeYears - uncorrected.undiscountedLifeYears - 0.5 / 12) < 1e-3)
    }

    @Test func kaplanMeierWithParametricTail() throws {
        let km = try KaplanMeier([1, 2, 3, 4].map { SurvivalObservation(time: Double($0), event: true) }
            + [SurvivalObservation(time: 5, event: false)])
        let curve = SurvivalCurve.kaplanMeier(km, cutoff: 3, tail: .exponential(rate: 0.1))
        #expect(abs(curve.survival(at: 2.5) - 0.6) < 1e-15)
        #expect(abs(curve.survival(at: 3) - 0.4) < 1e-15)
        #expect(abs(curve.survival(at: 5) - 0.4 * exp(-0.2)) < 1e-15)
    }

    @Test func rejectsInvalidCurveParameters() {
        let model = PartitionedSurvivalModel(
            progressionFree: .parametric(distribution: .weibull(shape: -1, scale: 2)), overall: .parametric(distribution: .exponential(rate: 0.1)),
            horizonYears: 5, costs: .init(progressionFree: 0, progressed: 0), utilities: .init(progressionFree: 1, progressed: 1))
        #expect(throws: AnalyticsError.invalid(field: "progressionFree.parametric.shape", reason: "must be > 0, got -1.0")) {
            try model.run()
        }
    }
}
