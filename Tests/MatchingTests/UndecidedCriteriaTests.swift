@testable import Matching
import Testing
import Trials

/// Criteria that look like conditions but decide nothing about a patient who has the condition: washouts,
/// permissions, rules about treatment during the study, severity the patient does not state, age text that is not
/// the patient's age. Each text is quoted from a real registration (legacy XML, ../shared/data/ctgov-xml); each test
/// also checks a decided neighbour, so a rule that made everything unknown would fail.
@Suite struct UndecidedCriteriaTests {
    let evaluator = Demo.matcher.evaluator

    /// The criteria of `block` (a whole criteria text), assessed for a patient.
    func assess(_ block: String, age: Double? = 58, sex: PatientProfile.Sex = .female, _ note: String) -> [String: CriterionStatus] {
        let facts = evaluator.facts(for: PatientProfile(age: age, sex: sex, text: note))
        var statuses: [String: CriterionStatus] = [:]
        for criterion in CriteriaParser.parse(block) { statuses[criterion.statement] = evaluator.assess(criterion, facts: facts).status }
        return statuses
    }

    /// NCT00003470 (anaplastic astrocytoma), "PRIOR CONCURRENT THERAPY" and "Cardiovascular" headings.
    static let astrocytoma = """
        DISEASE CHARACTERISTICS:

          -  Histologically or cytologically confirmed incurable adult anaplastic astrocytoma

        PATIENT CHARACTERISTICS:

        Cardiovascular:

          -  No uncontrolled hypertension

          -  No history of congestive heart failure

        PRIOR CONCURRENT THERAPY:

        Chemotherapy:

          -  At least 4 weeks since prior chemotherapy (6 weeks for nitrosoureas) and recovered

          -  No concurrent antineoplastic agents

        Endocrine therapy:

          -  Concurrent corticosteroids allowed

        Radiotherapy:

          -  No prior myelosuppressive radiotherapy
        """

    @Test func washoutsPermissionsAndConcurrentRulesStayUnknown() {
        let statuses = assess(Self.astrocytoma,
            "Anaplastic astrocytoma, progressed after temozolomide chemotherapy and radiotherapy. On dexamethasone. Hypertension.")
        #expect(statuses["At least 4 weeks since prior chemotherapy (6 weeks for nitrosoureas) and recovered"] == .unknown)
        #expect(statuses["No concurrent antineoplastic agents"] == .unknown)
        #expect(statuses["Concurrent corticosteroids allowed"] == .unknown)
        // Decided neighbours: the diagnosis, and a rule about the past that the note answers.
        #expect(statuses["Histologically or cytologically confirmed incurable adult anaplastic astrocytoma"] == .met)
        #expect(statuses["No prior myelosuppressive radiotherapy"] == .notMet)
    }

    @Test func aQualifiedConditionExcludesOnlyWhenTheQualifierIsStated() {
        let plain = assess(Self.astrocytoma, "Anaplastic astrocytoma. Hypertension. Congestive heart failure in 2019.")
        #expect(plain["No uncontrolled hypertension"] == .unknown)
        #expect(plain["No history of congestive heart failure"] == .notMet)
        let stated = assess(Self.astrocytoma, "Anaplastic astrocytoma. Uncontrolled hypertension despite three drugs.")
        #expect(stated["No uncontrolled hypertension"] == .notMet)
        let exclusion = assess("Exclusion Criteria:\n* Severe psychological or medical illness", "Mild depression.")
        #expect(exclusion["Severe psychological or medical illness"] != .met)
    }

    @Test func runOnHeadingsAndOtherPeoplesAgesAreNotThePatientsAge() {
        // NCT00002542: PDQ headings run together on one line are split, each heading kept as context; "Age: Not
        // specified" reads no age, and "at least 1 of the following" is no age either.
        let runOnText = """
            PATIENT CHARACTERISTICS: Age: Not specified Sex: Female Menopausal status: Pre- or perimenopausal, i.e., \
            meeting at least 1 of the following criteria:
            """
        #expect(CriteriaText(runOnText).items.map(\.context) == [
            "PATIENT CHARACTERISTICS: Age:", "PATIENT CHARACTERISTICS: Sex:", "PATIENT CHARACTERISTICS: Menopausal status:",
        ])
        let runOn = assess(runOnText, age: 42, "42-year-old woman with breast cancer.")
        #expect(runOn["Not specified"] == .unknown, "\(runOn)")
        #expect(runOn["Female"] == .met, "\(runOn)")
        #expect(runOn.values.allSatisfy { $0 != .notMet }, "\(runOn)")
        // A long sentence that mentions an age among other things is not read as the patient's age.
        let long = assess("""
            Inclusion Criteria:
            * Menopausal status: pre- or perimenopausal, meeting at least 1 of the following criteria, aged 18 or over \
            at the time of registration, with a partner willing to take part in the study visits
            """, age: 16, "16-year-old girl with breast cancer.")
        #expect(long.values.allSatisfy { $0 == .unknown }, "\(long)")
        // NCT00005267: the age at onset of hypertension, not the patient's age now.
        let onset = assess("Inclusion Criteria:\n* Onset of hypertension by age 60 years", age: 70, "70-year-old man with hypertension.")
        #expect(onset.values.allSatisfy { $0 == .unknown }, "\(onset)")
        // NCT00001356: "from birth to 80 years" is a range that holds 22.
        let range = assess("Inclusion Criteria:\n* Subjects include children and adults from birth to 80 years of age.", age: 22, "Mastocytosis.")
        #expect(range.values.allSatisfy { $0 == .met }, "\(range)")
        let plainAge = assess("Inclusion Criteria:\n* Age 18 and over", age: 15, "15-year-old boy with asthma.")
        #expect(plainAge.values.allSatisfy { $0 == .notMet }, "\(plainAge)")
    }

    @Test func noGreaterThanIsAMaximum() {
        // NCT00004492 (sickle cell disease), "Hepatic:" heading.
        let block = "Hepatic:\n\n  -  AST/ALT no greater than 100 units/L"
        let low = assess(block, "Sickle cell disease. ALT 43 U/L.")
        #expect(low.values.allSatisfy { $0 == .met }, "\(low)")
        let high = assess(block, "Sickle cell disease. ALT 180 U/L.")
        #expect(high.values.allSatisfy { $0 == .notMet }, "\(high)")
        // A multiple of normal is a multiple of the upper limit, which an absolute value cannot be compared with.
        let relative = "PROTOCOL ENTRY CRITERIA: Hepatic: ALT no greater than 2 times normal"
        #expect(assess(relative, "Sickle cell disease. ALT 43 U/L.").values.allSatisfy { $0 == .unknown })
        #expect(assess(relative, "Sickle cell disease. ALT 1.5 x ULN.").values.allSatisfy { $0 == .met })
    }

    @Test func anExclusionWrittenAmongInclusionsIsReadAsOne() {
        // NCT00009659: a tobacco rule phrased "are not eligible" under no exclusion heading.
        let block = "Participants with tobacco use currently or within 90 days of study entry are not eligible."
        let smoker = assess(block, "Menopausal woman with hot flashes. She smokes a pack a day.")
        #expect(smoker.values.allSatisfy { $0 == .notMet }, "\(smoker)")
        let nonSmoker = assess(block, "Menopausal woman with hot flashes. She does not smoke.")
        #expect(nonSmoker.values.allSatisfy { $0 != .notMet }, "\(nonSmoker)")
    }

    @Test func aNegationElsewhereDoesNotUndoAStatedCancer() throws {
        // TREC 2021 topic 25 style: the receptor status is negative, the carcinoma is not.
        let facts = evaluator.facts(for: PatientProfile(text: """
            Core biopsy revealed a 1.8 cm infiltrating ductal breast carcinoma. The tumor was HER2-positive and ER/PR negative.
            """))
        let lexicon = evaluator.lexicon
        let cancer = try #require(lexicon.groups.firstIndex { $0.id == "cancer" })
        #expect(!facts.absentGroups.contains(cancer))
        let criterion = CriteriaParser.parse("Inclusion Criteria:\n* Histologically confirmed carcinoma")[0]
        #expect(evaluator.assess(criterion, facts: facts).status != .notMet)
    }
}
