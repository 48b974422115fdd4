import Analytics
import Foundation
import Registry
import Testing

@Suite struct SyntheticRegistryTests {
    @Test func sameSeedSameData() {
        let a = SyntheticRegistry.generate(patients: 200, seed: 42)
        #expect(a == SyntheticRegistry.generate(patients: 200, seed: 42))
        #expect(a != SyntheticRegistry.generate(patients: 200, seed: 43))
        #expect(a.patients.count == 200 && a.episodes.count == 200)
        #expect(a.patients.first?.id == "SYN-P000001")
        #expect(SyntheticRegistry.defaultCutoff.description == "2026-06-30")
        #expect(SyntheticRegistry.firstReferral.description == "2019-01-01")
        #expect(SyntheticRegistry.generate(patients: 0, seed: 1) == RegistryData())
    }

    /// A prefix of a larger cohort is the smaller cohort: patients are drawn one after the other.
    @Test func cohortsGrowByAppending() {
        let small = SyntheticRegistry.generate(patients: 50, seed: 9)
        let large = SyntheticRegistry.generate(patients: 80, seed: 9)
        #expect(Array(large.patients.prefix(50)) == small.patients)
        #expect(Array(large.episodes.prefix(50)) == small.episodes)
    }

    @Test func cohortIsValidAndDatedUpToTheCutoff() {
        let data = SyntheticRegistry.generate(patients: 1_000, seed: 2026)
        #expect(data.validate(asOf: SyntheticRegistry.defaultCutoff) == [])
        let earlier = Fixture.date("2022-12-31")
        let old = SyntheticRegistry.generate(patients: 300, seed: 5, cutoff: earlier)
        #expect(old.validate(asOf: earlier) == [])
        #expect(old.episodes.allSatisfy { $0.referralDate <= earlier })
    }

    /// Over 5,000 patients each product's CRS and ICANS rates (any grade and grade ≥ 3), computed by the
    /// ASTCT grader from the generated raw signs, lie within 4 standard errors of the published rates
    /// listed in docs/REGISTRY.md.
    @Test func gradeDistributionsMatchThePublishedRates() throws {
        let data = SyntheticRegistry.generate(patients: 5_000, seed: 1)
        let peaks = Dictionary(uniqueKeysWithValues: try data.peakToxicity().map { ($0.episodeId, $0) })
        let targets: [String: (crs: Double, crs3: Double, icans: Double, icans3: Double)] = [
            "axicabtagene-ciloleucel/lbcl": (0.93, 0.13, 0.64, 0.28),
            "tisagenlecleucel/lbcl": (0.58, 0.22, 0.21, 0.12),
            "tisagenlecleucel/b-all": (0.77, 0.46, 0.40, 0.13),
            "lisocabtagene-maraleucel/lbcl": (0.42, 0.02, 0.30, 0.10),
            "brexucabtagene-autoleucel/mcl": (0.91, 0.15, 0.63, 0.31),
            "idecabtagene-vicleucel/mm": (0.84, 0.05, 0.18, 0.03),
            "ciltacabtagene-autoleucel/mm": (0.95, 0.04, 0.17, 0.02),
        ]
        let groups = Dictionary(grouping: data.episodes.filter { $0.infusionDate != nil }) {
            "\($0.product.rawValue)/\($0.indication.rawValue)"
        }
        #expect(Set(groups.keys) == Set(targets.keys))
        for (key, episodes) in groups {
            let target = try #require(targets[key])
            let grades = episodes.map { peaks[$0.id] ?? PeakToxicity(episodeId: $0.id, crsGrade: 0, icansGrade: 0) }
            func check(_ observed: Int, _ p: Double, _ label: String) {
                let n = Double(grades.count)
                let tolerance = 4 * (p * (1 - p) / n).squareRoot() + 0.005
                #expect(abs(Double(observed) / n - p) <= tolerance, "\(key) \(label): \(observed)/\(grades.count) vs \(p)")
            }
            check(grades.count { $0.crsGrade >= 1 }, target.crs, "CRS any")
            check(grades.count { $0.crsGrade >= 3 }, target.crs3, "CRS ≥ 3")
            check(grades.count { $0.icansGrade >= 1 }, target.icans, "ICANS any")
            check(grades.count { $0.icansGrade >= 3 }, target.icans3, "ICANS ≥ 3")
        }
    }

    /// Survival over 5,000 patients: each product's Kaplan–Meier medians and ORR stay in the ranges
    /// documented in docs/REGISTRY.md.
    @Test func survivalAndResponseMatchThePublishedRanges() throws {
        let data = SyntheticRegistry.generate(patients: 5_000, seed: 1)
        let cutoff = SyntheticRegistry.defaultCutoff
        let os = Dictionary(grouping: data.overallSurvival(cutoff: cutoff), by: { "\($0.product.rawValue)/\($0.indication.rawValue)" })
        let pfs = Dictionary(grouping: data.progressionFreeSurvival(cutoff: cutoff), by: { "\($0.product.rawValue)/\($0.indication.rawValue)" })
        // Median OS and PFS in months (nil: not reached), with the accepted range.
        let ranges: [String: (os: ClosedRange<Double>?, pfs: ClosedRange<Double>)] = [
            "axicabtagene-ciloleucel/lbcl": (18...34, 4...10),
            "tisagenlecleucel/lbcl": (8...15, 2...5),
            "tisagenlecleucel/b-all": (nil, 8...30),
            "lisocabtagene-maraleucel/lbcl": (18...34, 4...10),
            "brexucabtagene-autoleucel/mcl": (38...72, 20...40),
            "idecabtagene-vicleucel/mm": (18...30, 6...11),
            "ciltacabtagene-autoleucel/mm": (nil, 26...45),
        ]
        for (key, range) in ranges {
            let osMedian = try KaplanMeier(try #require(os[key]).map(\.observation)).median().median
            let pfsMedian = try KaplanMeier(try #require(pfs[key]).map(\.observation)).median().median
            if let expected = range.os {
                #expect(osMedian.map { expected.contains($0) } == true, "\(key) OS median \(String(describing: osMedian))")
            }
            #expect(pfsMedian.map { range.pfs.contains($0) } == true, "\(key) PFS median \(String(describing: pfsMedian))")
        }
        let best = data.episodes.filter { $0.infusionDate != nil }.compactMap { data.bestResponse(episodeId: $0.id) }
        let orr = Double(best.count { $0.isObjectiveResponse }) / Double(best.count)
        #expect((0.70...0.90).contains(orr), "ORR \(orr)")
    }

    @Test func regionsFollowThePopulation() {
        let data = SyntheticRegistry.generate(patients: 5_000, seed: 3)
        let montreal = Double(data.patients.count { $0.region.code == 6 }) / 5_000
        #expect((0.21...0.27).contains(montreal), "Montréal share \(montreal)")
        #expect(Set(data.patients.map(\.region)).count >= 16)
    }

    @Test func overdueListOnASyntheticCohort() throws {
        let data = SyntheticRegistry.generate(patients: 500, seed: 11)
        let overdue = try data.overdueFollowUp(asOf: SyntheticRegistry.defaultCutoff)
        #expect(!overdue.isEmpty)
        #expect(overdue.allSatisfy { $0.daysOverdue > 0 })
    }
}
