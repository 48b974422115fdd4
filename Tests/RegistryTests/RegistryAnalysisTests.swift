import Analytics
import Registry
import Testing

@Suite struct SurvivalDerivationTests {
    static let cutoff = Fixture.date("2024-12-31")

    @Test func overallSurvival() throws {
        let os = Fixture.registry.overallSurvival(cutoff: Self.cutoff, scale: .days)
        #expect(os.map(\.patientId) == ["P-A", "P-B", "P-C", "P-E", "P-F"])
        #expect(os.map(\.episodeId) == ["E-A", "E-B", "E-C", "E-E", "E-F1"])
        #expect(os.map(\.observation) == [
            SurvivalObservation(time: 60, event: true),    // death
            SurvivalObservation(time: 182, event: false),  // last response assessment
            SurvivalObservation(time: 121, event: true),   // death after progression
            SurvivalObservation(time: 365, event: false),  // death after the cut-off: alive on it
            SurvivalObservation(time: 244, event: false),  // visit of the second episode
        ])
        let curve = try KaplanMeier(os.map(\.observation))
        #expect(zip(curve.survival, [0.8, 0.6, 0.6, 0.6, 0.6]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(curve.events == [1, 1, 0, 0, 0])
        #expect(curve.median().median == nil)
    }

    @Test func progressionFreeSurvival() {
        let pfs = Fixture.registry.progressionFreeSurvival(cutoff: Self.cutoff, scale: .days)
        #expect(pfs.map(\.observation) == [
            SurvivalObservation(time: 60, event: true),
            SurvivalObservation(time: 182, event: false),
            SurvivalObservation(time: 45, event: true),   // progression before death
            SurvivalObservation(time: 186, event: false), // progression status known to the last visit only
            SurvivalObservation(time: 244, event: false),
        ])
    }

    @Test func timeScalesAndEarlierCutoff() {
        let months = Fixture.registry.overallSurvival(cutoff: Fixture.date("2024-02-01"), scale: .months)
        #expect(months.map(\.observation.event) == [false, false, false, false, false])
        // P-A dies after the 2024-02-01 cut-off, so is censored on it; P-B was last seen at the day-28 response.
        #expect(months[0].observation.time == 31 / (365.25 / 12))
        #expect(months[1].observation.time == 28 / (365.25 / 12))
    }

    @Test func overdueFollowUp() throws {
        let overdue = try Fixture.registry.overdueFollowUp(asOf: Fixture.today)
        #expect(overdue.map { "\($0.episodeId)/\($0.visit.key)" } == [
            "E-C/day-100", "E-E/day-100", "E-F1/day-100", "E-B/month-6", "E-F1/month-6", "E-F2/month-6",
            "E-B/year-1", "E-F1/year-1",
        ])
        #expect(overdue[3].daysOverdue == 305)
        #expect(overdue.allSatisfy { $0.centre == "HMR" })
    }
}
