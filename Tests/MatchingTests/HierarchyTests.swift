import Matching
import Testing
import Trials

/// The lexicon hierarchy in eligibility: a narrower stated concept meets a criterion naming a broader one (DLBCL is a
/// B-cell non-Hodgkin lymphoma, ibrutinib a BTK inhibitor), never the reverse.
@Suite struct HierarchyTests {
    let evaluator = Demo.matcher.evaluator

    /// The criterion of a bundled real study whose text contains `fragment`.
    func realCriterion(_ nctId: String, containing fragment: String) throws -> Criterion {
        let trial = try #require(Demo.byId[nctId])
        return try #require(CriteriaParser.parse(trial.eligibility.criteria ?? "").first { $0.text.contains(fragment) })
    }

    func assess(_ criterion: Criterion, _ note: String) -> CriterionAssessment {
        evaluator.assess(criterion, facts: evaluator.facts(for: PatientProfile(age: 58, sex: .female, text: note)))
    }

    @Test func aSubtypeMeetsARealCriterionNamingItsFamily() throws {
        let criterion = try realCriterion("NCT00005601", containing: "B-cell non-Hodgkin")
        #expect(criterion.section != .exclusion)
        let english = assess(criterion, "Diffuse large B-cell lymphoma, relapsed after R-CHOP. ECOG 1.")
        #expect(english.status == .met)
        #expect(english.evidence.contains(" is a "), "\(english.evidence)")
        #expect(assess(criterion, "Lymphome diffus à grandes cellules B en rechute.").status == .met)
    }

    @Test func theFamilyAloneDoesNotMeetASubtype() throws {
        let family = try realCriterion("NCT00005601", containing: "B-cell non-Hodgkin")
        #expect(assess(family, "Lymphoma, relapsed after chemotherapy. ECOG 1.").status == .unknown)
        let subtype = CriteriaParser.parse("Inclusion Criteria:\n* Histologically confirmed diffuse large B-cell lymphoma")[0]
        #expect(assess(subtype, "B-cell non-Hodgkin lymphoma, relapsed after chemotherapy.").status == .unknown)
    }

    @Test func aDrugHitsAnExclusionNamingItsClass() {
        let criterion = CriteriaParser.parse("Exclusion Criteria:\n* Prior treatment with a BTK inhibitor")[0]
        let treated = assess(criterion, "Chronic lymphocytic leukemia, progressed on ibrutinib.")
        #expect(treated.status == .met && treated.excludes, "\(treated)")
        #expect(assess(criterion, "Chronic lymphocytic leukemia, untreated.").status != .met)
    }

    /// A trial registered for the family shares its condition with a patient who states a subtype of it.
    @Test func aTrialOfTheFamilySharesItsConditionWithTheSubtype() throws {
        let trial = try #require(Demo.byId["NCT00005601"])
        #expect(trial.conditions == ["Lymphoma"])
        func matched(_ note: String) -> Bool {
            evaluator.report(trial, facts: evaluator.facts(for: PatientProfile(age: 58, text: note))).reasons
                .contains { if case .conditionMatched = $0 { true } else { false } }
        }
        #expect(matched("DLBCL, relapsed after R-CHOP."))
        #expect(matched("LDGCB en rechute après R-CHOP."))
        #expect(!matched("Asthma since childhood."))
    }
}
