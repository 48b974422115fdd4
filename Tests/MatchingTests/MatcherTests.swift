import DemoData
import Foundation
@testable import Matching
import Search
import Storage
import Testing
import Trials

/// The bundled real demo studies (1,029) and a matcher over them, built once.
enum Demo {
    static let trials = try! SourceFile.trials(DemoData.studyFiles)

    static let matcher = TrialMatcher(index: MatchingIndex(trials: trials, lexicon: Fixture.lexicon), lexicon: Fixture.lexicon)
    static let byId = Dictionary(trials.map { ($0.nctId, $0) }, uniquingKeysWith: { first, _ in first })
}

@Suite struct PatientProfileTests {
    /// SIGIR 2016 topic 20141 (TrialGPT's copy), a real published case description.
    let sigir = """
        A 58-year-old African-American woman presents to the ER with episodic pressing/burning anterior chest pain \
        that began two days earlier for the first time in her life. The pain started while she was walking, radiates \
        to the back, and is accompanied by nausea, diaphoresis and mild dyspnea, but is not increased on inspiration. \
        The latest episode of pain ended half an hour prior to her arrival. She is known to have hypertension and \
        obesity. She denies smoking, diabetes, hypercholesterolemia, or a family history of heart disease. She \
        currently takes no medications. Physical examination is normal. The EKG shows nonspecific changes.
        """

    @Test func readsAgeSexAndNegationsFromAnEnglishNote() {
        let facts = EligibilityEvaluator(lexicon: Fixture.lexicon).facts(for: PatientProfile(text: sigir))
        #expect(facts.profile.age == 58)
        #expect(facts.profile.sex == .female)
        let evaluator = EligibilityEvaluator(lexicon: Fixture.lexicon)
        func status(_ text: String) -> CriterionStatus {
            evaluator.assess(CriteriaParser.parse("Exclusion Criteria:\n* \(text)")[0], facts: facts).status
        }
        #expect(status("Diabetes mellitus") == .notMet)
        #expect(status("Hypertension") == .met)
        #expect(status("Obesity") == .met)
        #expect(status("Current smoker") == .notMet)
        // A relative's disease is not the patient's.
        #expect(status("Heart disease") == .unknown)
        #expect(status("Chronic kidney disease") == .unknown)
    }

    @Test func readsAFrenchNote() {
        let text = """
            Femme de 62 ans atteinte d'un lymphome diffus à grandes cellules B en rechute après R-CHOP. ECOG 1. \
            Pas d'infection au VIH. Plaquettes 180 000/mm3, créatinine 90 µmol/L.
            """
        let facts = EligibilityEvaluator(lexicon: Fixture.lexicon).facts(for: PatientProfile(text: text))
        #expect(facts.profile.age == 62)
        #expect(facts.profile.sex == .female)
        #expect(facts.profile.ecog == 1)
        let labs = Dictionary(facts.profile.labs.map { ($0.analyte, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(labs[.platelets] == 180)
        #expect(abs((labs[.creatinine] ?? 0) - 90 / 88.4) < 0.001)
        let evaluator = EligibilityEvaluator(lexicon: Fixture.lexicon)
        let criteria = CriteriaParser.parse("""
            Inclusion Criteria:
            * Relapsed or refractory diffuse large B-cell lymphoma
            * Platelets ≥ 75,000/mm3
            * Serum creatinine ≤ 1.5 mg/dL
            * ECOG performance status 0-1
            Exclusion Criteria:
            * Known HIV infection
            * Pregnant or breastfeeding women
            """)
        let statuses = criteria.map { evaluator.assess($0, facts: facts).status }
        #expect(statuses == [.met, .met, .met, .met, .notMet, .unknown])
    }

    @Test func structuredFieldsWinOverTheNote() {
        let profile = PatientProfile(age: 40, sex: .male, ecog: 2, text: "A 58-year-old woman, ECOG 0.").extracted()
        #expect(profile.age == 40)
        #expect(profile.sex == .male)
        #expect(profile.ecog == 2)
    }

    @Test func notesWithoutAgeOrSexLeaveThemUnknown() {
        let profile = PatientProfile(text: "Relapsed follicular lymphoma after two lines of therapy.").extracted()
        #expect(profile.age == nil)
        #expect(profile.sex == nil)
    }
}

@Suite struct CriterionParsingTests {
    func one(_ text: String) -> Criterion {
        CriteriaParser.parse("Inclusion Criteria:\n* \(text)")[0]
    }

    @Test func readsAgeLimitsInTheirManySpellings() {
        #expect(one("Age ≥ 18 years").ageRange == NumericRange(minimum: 18))
        #expect(one("Aged 18 to 75 years").ageRange == NumericRange(minimum: 18, maximum: 75))
        #expect(one("Patients 18 years of age or older").ageRange == NumericRange(minimum: 18))
        #expect(one("Between 18 and 65 years old").ageRange == NumericRange(minimum: 18, maximum: 65))
        #expect(one("Age \\> 12 years").ageRange == NumericRange(minimum: 12, minimumInclusive: false))
        #expect(one("Children younger than 18 years").ageRange == NumericRange(maximum: 18, maximumInclusive: false))
        #expect(one("Âgé de 18 ans ou plus").ageRange == NumericRange(minimum: 18))
        #expect(one("Treatment for at least 18 weeks").kind != .age)
    }

    @Test func readsPerformanceStatus() {
        #expect(one("ECOG performance status 0-1").ecogRange == NumericRange(minimum: 0, maximum: 1))
        #expect(one("ECOG performance status of 0, 1, or 2").ecogRange == NumericRange(minimum: 0, maximum: 2))
        #expect(one("ECOG ≤ 2").ecogRange == NumericRange(maximum: 2))
        // Karnofsky ≥ 70 % is ECOG 0–1.
        #expect(one("Karnofsky performance status ≥ 70%").ecogRange == NumericRange(maximum: 1))
    }

    @Test func readsLaboratoryThresholdsInCanonicalUnits() {
        let criterion = one("Adequate organ function: ANC ≥ 1.5 x 10^9/L, platelets ≥ 100,000/mm3, hemoglobin ≥ 90 g/L, creatinine ≤ 1.5 x ULN")
        #expect(criterion.kind == .laboratory)
        let byAnalyte = Dictionary(criterion.thresholds.map { ($0.analyte, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byAnalyte[.neutrophils]?.range == NumericRange(minimum: 1.5))
        #expect(byAnalyte[.platelets]?.range == NumericRange(minimum: 100))
        #expect(byAnalyte[.hemoglobin]?.range == NumericRange(minimum: 9))
        #expect(byAnalyte[.creatinine]?.relativeToULN == true)
        #expect(byAnalyte[.creatinine]?.range == NumericRange(maximum: 1.5))
    }

    @Test func typesCommonCriteria() {
        #expect(CriteriaParser.parse("Exclusion Criteria:\n* Known HIV infection")[0].kind == .infection)
        // In inclusion criteria an infection is what the trial is about.
        #expect(one("HIV-1 infection").kind == .diagnosis)
        #expect(one("Untreated brain metastases").kind == .brainMetastases)
        #expect(one("Pregnant or breastfeeding").kind == .pregnancy)
        #expect(one("Signed informed consent").kind == .consent)
        #expect(one("At least 2 prior lines of systemic therapy").kind == .priorTherapy)
        #expect(one("Histologically confirmed diffuse large B-cell lymphoma").kind == .diagnosis)
        #expect(one("Female").kind == .sex)
    }

    @Test func keepsLeadInsAsContext() {
        let text = CriteriaText("""
            Exclusion Criteria:
            * Major neurological deficits such as:

              * Cauda equina syndrome
              * Rapidly progressing neurological symptoms
            * Substance abuse
            """)
        #expect(text.items.map(\.text) == ["Cauda equina syndrome", "Rapidly progressing neurological symptoms", "Substance abuse"])
        #expect(text.items[0].context == "Major neurological deficits such as:")
        #expect(text.items[2].context == nil)
    }
}

@Suite struct MatcherTests {
    let matcher = Demo.matcher

    @Test func ranksTrialsOfThePatientsDiseaseFirst() {
        let matches = matcher.match(PatientProfile(
            text: "62-year-old man with relapsed diffuse large B-cell lymphoma after R-CHOP and salvage chemotherapy. ECOG 1."),
            limit: 10)
        #expect(matches.count == 10)
        let lymphoma = matches.filter { match in
            let trial = Demo.byId[match.nctId]!
            return (trial.conditions + [trial.briefTitle]).joined(separator: " ").lowercased().contains("lymphoma")
        }
        #expect(lymphoma.count >= 8, "\(matches.map(\.nctId))")
        #expect(matches.first?.report.verdict != .excluded)
    }

    @Test func aFrenchNoteFindsTheSameTrialsAsItsEnglishTranslation() {
        let english = matcher.match(PatientProfile(age: 55, sex: .female, text: "Metastatic breast cancer, HER2-positive."), limit: 10)
        let french = matcher.match(PatientProfile(age: 55, sex: .female, text: "Cancer du sein métastatique HER2 positif."), limit: 10)
        let overlap = Set(english.map(\.nctId)).intersection(french.map(\.nctId))
        #expect(overlap.count >= 6, "en \(english.map(\.nctId)) fr \(french.map(\.nctId))")
    }

    @Test func trialsThatExcludeThePatientsAgeOrSexRankBelowThoseThatAccept() {
        let matches = matcher.match(PatientProfile(age: 70, sex: .male, text: "Prostate cancer, metastatic, castration resistant."), limit: 30)
        #expect(!matches.isEmpty)
        for match in matches.prefix(5) {
            let trial = Demo.byId[match.nctId]!
            #expect(trial.eligibility.sex != .female)
            #expect(trial.eligibility.accepts(ageInYears: 70))
        }
    }

    /// What the patient does not have may make a trial topical, but never makes it a match: the migraine trials
    /// come first, and no asthma-only trial outranks them.
    @Test func statedAbsenceIsNoCondition() {
        let matches = matcher.match(PatientProfile(text: "No history of diabetes. Denies asthma. Presents with migraine."), limit: 10)
        func topic(_ nctId: String) -> String {
            let trial = Demo.byId[nctId]!
            return (trial.conditions + [trial.briefTitle]).joined(separator: " ").lowercased()
        }
        let first = try? #require(matches.first)
        #expect(first.map { topic($0.nctId).contains("migraine") || topic($0.nctId).contains("headache") } == true)
        for match in matches.prefix(5) {
            let text = topic(match.nctId)
            #expect(!(text.contains("asthma") && !text.contains("migraine") && !text.contains("headache")), "\(match.nctId) \(text)")
        }
    }

    /// Pseudo-relevance feedback reads the conditions of the best first-pass trials: for a lymphoma note its terms
    /// come from those trials and name the disease, and they bring no trial of another disease into the top ten.
    @Test func feedbackReadsTheConditionsOfTheBestTrials() {
        let note = "62-year-old man with relapsed diffuse large B-cell lymphoma after R-CHOP and salvage chemotherapy. ECOG 1."
        let facts = matcher.evaluator.facts(for: PatientProfile(text: note))
        let first = matcher.retrievalScores(facts)
        let model = matcher.feedbackModel(first)
        #expect(!model.isEmpty && model.count <= matcher.parameters.feedbackTerms)
        #expect(zip(model, model.dropFirst()).allSatisfy { $0.weight >= $1.weight })
        let best = first.indices.sorted { first[$0] > first[$1] }.prefix(matcher.parameters.feedbackDocuments)
        let vocabulary = Set(best.flatMap { matcher.index.documents[$0].conditionTerms.map(\.term) })
        #expect(model.allSatisfy { vocabulary.contains($0.term) }, "\(model)")
        #expect(model.contains { TextAnalyzer.indexTerms("lymphoma").contains($0.term) }, "\(model)")

        var without = matcher
        without.parameters.feedbackWeight = 0
        func lymphomaTrials(_ matcher: TrialMatcher) -> Int {
            matcher.match(facts, limit: 10).filter { match in
                let trial = Demo.byId[match.nctId]!
                return (trial.conditions + [trial.briefTitle]).joined(separator: " ").lowercased().contains("lymphoma")
            }.count
        }
        #expect(lymphomaTrials(matcher) >= lymphomaTrials(without))
    }

    @Test func rankingIsDeterministic() {
        let patient = PatientProfile(text: "45-year-old woman with type 2 diabetes on metformin, HbA1c 8.2%, BMI 32.")
        let first = matcher.match(patient, limit: 50).map(\.nctId)
        let second = matcher.match(patient, limit: 50).map(\.nctId)
        #expect(first == second)
        #expect(first.count == 50)
    }

    @Test func theBaselineIsPlainBM25OverAllText() {
        let ranked = matcher.baseline("pembrolizumab melanoma", limit: 5)
        #expect(ranked.count == 5)
        for entry in ranked {
            let trial = Demo.byId[entry.nctId]!
            let text = [trial.briefTitle, trial.officialTitle ?? "", trial.briefSummary ?? "", trial.detailedDescription ?? "",
                trial.eligibility.criteria ?? "", trial.conditions.joined(separator: " "),
                trial.interventions.map(\.name).joined(separator: " ")].joined(separator: " ").lowercased()
            #expect(text.contains("pembrolizumab") || text.contains("melanoma"))
        }
        #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
}

@Suite struct TrecEvaluationTests {
    @Test func computesMeasuresAsTrecEvalDoes() throws {
        let qrels = try Qrels(text: "1 0 A 2\n1 0 B 1\n1 0 C 0\n1 0 D 2\n2 0 E 1\n")
        let run = try TrecRun(text: "1 Q0 C 1 3.0 x\n1 Q0 A 2 2.0 x\n1 Q0 X 3 1.5 x\n1 Q0 B 4 1.0 x\n2 Q0 Y 1 1 x\n")
        let report = TrecEvaluation.evaluate(run, qrels: qrels)
        // Topic 1: gains 0, 2, 0, 1 → DCG = 2/log2(3) + 1/log2(5); ideal 2, 2, 1 → 2 + 2/log2(3) + 1/2.
        let dcg = 2 / log2(3.0) + 1 / log2(5.0)
        let ideal = 2 + 2 / log2(3.0) + 0.5
        #expect(abs(report.perTopic["1"]!.ndcg10 - dcg / ideal) < 1e-12)
        #expect(report.perTopic["1"]!.precision10 == 0.1)
        #expect(report.perTopic["1"]!.reciprocalRank == 0.5)
        // Topic 2: nothing relevant retrieved.
        #expect(report.perTopic["2"]!.ndcg10 == 0)
        #expect(report.perTopic["2"]!.reciprocalRank == 0)
        #expect(report.topics == 2)
    }

    @Test func ordersTiesByDocumentIdDescending() throws {
        let qrels = try Qrels(text: "1 0 A 2\n")
        let run = try TrecRun(text: "1 Q0 A 1 1.0 x\n1 Q0 B 2 1.0 x\n")
        #expect(TrecEvaluation.evaluate(run, qrels: qrels).perTopic["1"]!.reciprocalRank == 0.5)
    }

    @Test func readsTheTrialGPTFormatAndRestrictsToThePool() throws {
        let qrels = try Qrels(text: "query-id\tcorpus-id\tscore\nq1\tNCT1\t2\nq1\tNCT2\t0\nq2\tNCT3\t0\nq3\tNCT9\t1\n")
        let pool = qrels.restricted(to: ["NCT1", "NCT2", "NCT3"])
        #expect(pool.judgments.keys.sorted() == ["q1"])
        #expect(pool.judgments["q1"] == ["NCT1": 2, "NCT2": 0])
    }

    @Test func namesTheBadLine() {
        #expect(throws: Qrels.ParseError(line: 2, reason: "grade \"x\" is not an integer")) {
            try Qrels(text: "1 0 A 2\n1 0 B x\n")
        }
        #expect(throws: Qrels.ParseError.self) { try TrecRun(text: "1 Q0 A 1 notanumber tag\n") }
    }

    @Test func turnsTemplatedTopicsIntoSentences() {
        let xml = """
            <topics task="2023 TREC Clinical Trials">
              <topic number="7" template="type 2 diabetes">
                <field name="definitive diagnosis">type 2 diabetes</field>
                <field name="age">54</field>
                <field name="insulin">no</field>
                <field name="metformin">yes</field>
                <field name="HbA1c">8.1 %</field>
                <field name="comorbidities"/>
              </topic>
              <topic number="8">
            A 45-year-old man with chest pain.
              </topic>
            </topics>
            """
        let topics = TrecTopics.parse(xml: xml)
        #expect(topics.map(\.id) == ["7", "8"])
        #expect(topics[0].text == "Diagnosis: type 2 diabetes. Age: 54. No insulin. Metformin. HbA1c: 8.1 %.")
        #expect(topics[1].text == "A 45-year-old man with chest pain.")
        let profile = PatientProfile(text: topics[0].text).extracted()
        #expect(profile.age == 54)
        #expect(profile.labs.first { $0.analyte == .hba1c }?.value == 8.1)
    }

    /// TREC CT 2023 topics 2, 6, 8 and 17 as published: the definitive diagnosis ("yes", "no", "pigmentary",
    /// "stage III") only makes sense with the template, which names the condition.
    @Test func statesTheTemplatesConditionWithTheDiagnosis() {
        let xml = """
            <topics task="2023 TREC Clinical Trials">
              <topic number="2" template="glaucoma">
                <field name="definitive diagnosis">pigmentary</field>
                <field name="intraocular pressure">15 mmHg</field>
              </topic>
              <topic number="6" template="anxiety">
                <field name="definitive diagnosis">yes</field>
                <field name="age">25 years old</field>
              </topic>
              <topic number="8" template="anxiety">
                <field name="definitive diagnosis">no</field>
              </topic>
              <topic number="17" template="breast cancer">
                <field name="definitive diagnosis">stage III</field>
                <field name="HER2">positive</field>
              </topic>
            </topics>
            """
        let texts = TrecTopics.parse(xml: xml).map(\.text)
        #expect(texts == [
            "Diagnosis: glaucoma, pigmentary. Intraocular pressure: 15 mmHg.",
            "Diagnosis: anxiety. Age: 25 years old.",
            "Condition: anxiety. No definitive diagnosis.",
            "Diagnosis: breast cancer, stage III. HER2: positive.",
        ])
        // The condition is read as present even when no definitive diagnosis is stated.
        let facts = EligibilityEvaluator(lexicon: Fixture.lexicon).facts(for: PatientProfile(text: texts[2]))
        let criterion = CriteriaParser.parse("Inclusion Criteria:\n* Anxiety disorder")[0]
        #expect(EligibilityEvaluator(lexicon: Fixture.lexicon).assess(criterion, facts: facts).status == .met)
    }
}
