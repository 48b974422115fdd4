import Analytics
import Registry
import Testing

/// The registry overview and the survival groups, with small-number suppression.
@Suite struct RegistryReportTests {
    @Test func countsOfOneToFourAreSuppressed() {
        #expect(SuppressedCount(0).value == 0)
        for n in 1...4 {
            #expect(SuppressedCount(n).isSuppressed)
            #expect(SuppressedCount(n).text { String($0) } == "< 5")
        }
        #expect(SuppressedCount(5).value == 5)
        #expect(SuppressedCount(1234).text { String($0) } == "1234")
    }

    @Test func summaryOfTheFixture() throws {
        // Six patients, seven episodes (six infused), three deaths (P-A, P-C, P-E), one toxicity assessment with CRS
        // grade 3 (fever and one vasopressor) and ICANS 1 (ICE 8).
        let summary = try Fixture.registry.summary(asOf: Fixture.today)
        #expect(summary.patients.value == 6)
        #expect(summary.episodes.value == 7)
        #expect(summary.infused.value == 6)
        #expect(summary.deaths.isSuppressed)
        #expect(summary.byProduct == [CategoryCount(code: "axicabtagene-ciloleucel", count: SuppressedCount(7))])
        #expect(summary.byCentre.map(\.code) == ["HMR"])
        #expect(summary.crsGrades.map(\.code) == ["0", "1", "2", "3", "4"])
        #expect(summary.crsGrades.map(\.count.value) == [6 - 1, 0, 0, nil, 0])
        #expect(summary.icansGrades.map(\.count.value) == [5, nil, 0, 0, 0])
    }

    @Test func grades0To4AddUpToTheInfusionsOfASyntheticCohort() throws {
        let cutoff = SyntheticRegistry.defaultCutoff
        let cohort = SyntheticRegistry.generate(patients: 400, seed: 5, cutoff: cutoff)
        let summary = try cohort.summary(asOf: cutoff)
        let infused = cohort.episodes.filter { $0.infusionDate != nil }.count
        #expect(summary.infused.value == infused)
        let peaks = Dictionary(uniqueKeysWithValues: try cohort.peakToxicity().map { ($0.episodeId, $0.crsGrade) })
        for grade in 0...4 {
            let expected = cohort.episodes.filter { $0.infusionDate != nil && (peaks[$0.id] ?? 0) == grade }.count
            #expect(summary.crsGrades[grade].count == SuppressedCount(expected))
        }
        #expect(summary.overdueVisits == SuppressedCount(try cohort.overdueFollowUp(asOf: cutoff).count))
        #expect(cohort.isSynthetic)
        #expect(!Fixture.registry.isSynthetic)
    }

    @Test func survivalGroupsLeaveOutGroupsOfFewerThanFive() {
        let cutoff = SyntheticRegistry.defaultCutoff
        let cohort = SyntheticRegistry.generate(patients: 60, seed: 9, cutoff: cutoff)
        let all = cohort.overallSurvival(cutoff: cutoff)
        let byProduct = cohort.survivalGroups(.overall, by: .product, cutoff: cutoff)
        let sizes = Dictionary(grouping: all, by: \.product.rawValue).mapValues(\.count)
        #expect(byProduct.groups.map(\.code) == sizes.filter { $0.value >= 5 }.keys.sorted())
        #expect(byProduct.suppressed == sizes.filter { $0.value < 5 }.keys.sorted())
        let pooled = cohort.survivalGroups(.progressionFree, by: .none, cutoff: cutoff)
        #expect(pooled.groups.map(\.code) == ["all"])
        #expect(pooled.groups[0].observations == cohort.progressionFreeSurvival(cutoff: cutoff).map(\.observation))
    }
}
