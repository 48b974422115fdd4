import DemoData
import Foundation
import Matching
import Search
import Testing

@testable import Trials

/// The 32 hand-labelled real criteria blocks of Fixtures/criteria-cases.json (see criteria-cases.md): splits,
/// criterion kinds, statuses for a synthetic patient, and verdicts, all written by a person reading the text.
@Suite struct CriteriaCasesTests {
    struct Case: Decodable {
        struct Item: Decodable {
            var section: String
            var index: Int
            var startsWith: String
            var kind: String
        }

        struct Expected: Decodable {
            var section: String
            var index: Int
            var status: String
            var why: String
        }

        struct Patient: Decodable {
            var age: Double
            var sex: String
            var text: String
        }

        var nctId: String
        var source: String
        /// The record's title and conditions (copied from the record, not labelled).
        var title: String
        var conditions: [String]
        var criteria: String
        var minimumAge: String?
        var maximumAge: String?
        var sex: String
        var inclusionCount: Int
        var exclusionCount: Int
        var otherCount: Int
        var items: [Item]
        var patient: Patient
        var expected: [Expected]
        var verdict: String
    }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "Fixtures/criteria-cases", withExtension: "json")!
        return try! JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
    }()

    /// The text the product sees: legacy XML blocks go through the XML reader's unwrapping.
    static func text(_ entry: Case) -> String {
        entry.source == "ctgov-xml" ? TextBlock.unwrap(entry.criteria) : entry.criteria
    }

    static func items(_ entry: Case, _ section: String) -> [CriteriaText.Item] {
        CriteriaText(text(entry)).items.filter { $0.section.rawValue == section }
    }

    static func trial(_ entry: Case) throws -> Trial {
        let sex = Trials.Sex(rawValue: entry.sex) ?? .all
        return Trial(
            nctId: entry.nctId, briefTitle: entry.title, conditions: entry.conditions, studyType: .interventional,
            overallStatus: .recruiting,
            dates: KeyDates(lastUpdatePosted: PartialDate(year: 2026, month: 1)),
            leadSponsor: Sponsor(name: "test", agencyClass: .other),
            eligibility: Trials.Eligibility(
                criteria: entry.criteria, sex: sex, minimumAge: try entry.minimumAge.flatMap { try AgeLimit.parse($0) },
                maximumAge: try entry.maximumAge.flatMap { try AgeLimit.parse($0) }),
            sourceFormat: .ctgovJSON)
    }

    @Test func thereAreAtLeastThirtyBlocks() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.nctId)).count == Self.cases.count)
    }

    @Test(arguments: cases.map(\.nctId))
    func splitsIntoTheCriteriaAPersonCounts(_ nctId: String) throws {
        let entry = try #require(Self.cases.first { $0.nctId == nctId })
        let inclusion = Self.items(entry, "inclusion")
        let exclusion = Self.items(entry, "exclusion")
        let other = Self.items(entry, "other")
        #expect(inclusion.count == entry.inclusionCount, "inclusion \(inclusion.map(\.text))")
        #expect(exclusion.count == entry.exclusionCount, "exclusion \(exclusion.map(\.text))")
        #expect(other.count == entry.otherCount, "other \(other.map(\.text))")
        for item in entry.items {
            let list = Self.items(entry, item.section)
            guard item.index < list.count else {
                Issue.record("\(item.section)[\(item.index)] missing")
                continue
            }
            let text = list[item.index].text
            let wanted = CriteriaText.unescaped(item.startsWith).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let got = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(got.hasPrefix(wanted), "\(item.section)[\(item.index)] is \"\(text.prefix(60))\"")
        }
    }

    /// Kinds overlap (a relapsed-lymphoma criterion is a diagnosis and a prior-therapy one), so the typer is measured
    /// against the labels: at least 88 % agreement, every disagreement printed.
    @Test func typesCriteriaAsThePersonDid() throws {
        var agreed = 0
        var total = 0
        var disagreements: [String] = []
        for entry in Self.cases {
            let parsed = CriteriaParser.parse(Self.text(entry))
            for item in entry.items {
                let list = parsed.filter { $0.section.rawValue == item.section }
                let kind = try #require(item.index < list.count ? list[item.index].kind.rawValue : nil)
                total += 1
                if kind == item.kind {
                    agreed += 1
                } else {
                    disagreements.append("\(entry.nctId) \(item.section)[\(item.index)]: \(kind), labelled \(item.kind)")
                }
            }
        }
        let share = Double(agreed) / Double(total)
        #expect(total >= 200)
        #expect(share >= 0.88, "\(agreed)/\(total): \(disagreements.joined(separator: "; "))")
    }

    /// Statuses and verdicts against the person's: most agree, and the dangerous confusions — met where the person
    /// said not met or the reverse, "excluded" where the person saw a likely fit or the reverse — stay rare.
    @Test func judgesCriteriaAsThePersonDid() throws {
        let evaluator = EligibilityEvaluator(lexicon: Fixture.lexicon)
        var statuses = (agreed: 0, total: 0, opposite: 0)
        var verdicts = (agreed: 0, total: 0, opposite: 0)
        var disagreements: [String] = []
        for entry in Self.cases {
            let patient = PatientProfile(
                age: entry.patient.age, sex: PatientProfile.Sex(rawValue: entry.patient.sex), text: entry.patient.text)
            let report = evaluator.report(try Self.trial(entry), facts: evaluator.facts(for: patient))
            for expected in entry.expected {
                let list = report.assessments.filter { $0.criterion.section.rawValue == expected.section }
                let status = try #require(expected.index < list.count ? list[expected.index].status.rawValue : nil)
                statuses.total += 1
                if status == expected.status {
                    statuses.agreed += 1
                } else {
                    if Set([status, expected.status]) == ["met", "notMet"] { statuses.opposite += 1 }
                    disagreements.append("\(entry.nctId) \(expected.section)[\(expected.index)]: \(status), labelled \(expected.status)")
                }
            }
            verdicts.total += 1
            if report.verdict.rawValue == entry.verdict {
                verdicts.agreed += 1
            } else {
                if Set([report.verdict.rawValue, entry.verdict]) == ["likely", "excluded"] { verdicts.opposite += 1 }
                disagreements.append("\(entry.nctId) verdict \(report.verdict.rawValue), labelled \(entry.verdict)")
            }
        }
        let detail = disagreements.joined(separator: "; ")
        #expect(statuses.total >= 150)
        #expect(Double(statuses.agreed) / Double(statuses.total) >= 0.75, "statuses \(statuses): \(detail)")
        #expect(Double(statuses.opposite) / Double(statuses.total) <= 0.03, "statuses \(statuses): \(detail)")
        #expect(Double(verdicts.agreed) / Double(verdicts.total) >= 0.65, "verdicts \(verdicts): \(detail)")
        #expect(verdicts.opposite <= 3, "verdicts \(verdicts): \(detail)")
    }
}

/// Shared resources: the shipped lexicon.
enum Fixture {
    static let lexicon: MedicalLexicon = {
        try! MedicalLexicon(tsv: String(contentsOf: DemoData.lexicon, encoding: .utf8))
    }()
}
