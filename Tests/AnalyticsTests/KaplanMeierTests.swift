import Analytics
import Testing

@Suite struct KaplanMeierTests {
    /// A curve that sits exactly at 0.5 on a flat segment: R's median is the midpoint (2 + 3)/2.
    @Test func medianAveragesAcrossAFlatHalf() throws {
        let km = try KaplanMeier([1, 2, 3, 4].map { SurvivalObservation(time: Double($0), event: true) })
        #expect(km.survival == [0.75, 0.5, 0.25, 0])
        #expect(km.median().median == 2.5)
    }

    @Test func medianNotReachedIsNil() throws {
        let km = try KaplanMeier([SurvivalObservation(time: 1, event: true)]
            + (2...5).map { SurvivalObservation(time: Double($0), event: false) })
        #expect(km.median().median == nil)
        #expect(km.atRisk(at: 3) == 3)
        #expect(km.atRisk(at: 6) == 0)
    }

    @Test func rejectsNegativeTimes() {
        #expect(throws: AnalyticsError.invalid(field: "observations[1].time", reason: "must be ≥ 0, got -1.0")) {
            try KaplanMeier([SurvivalObservation(time: 1, event: true), SurvivalObservation(time: -1, event: true)])
        }
    }

    @Test func chiSquareTailMatchesKnownValues() {
        // qchisq(0.95, 1) = 3.841459; pchisq(20, 3, lower = FALSE) = 0.0001697424
        #expect(abs(SpecialFunctions.chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1) - 0.05) < 1e-12)
        #expect(abs(SpecialFunctions.chiSquareSurvival(20, degreesOfFreedom: 3) - 0.000169742435552) < 1e-13)
        #expect(abs(SpecialFunctions.normalQuantile(0.975) - 1.959963984540054) < 1e-14)
    }
}
