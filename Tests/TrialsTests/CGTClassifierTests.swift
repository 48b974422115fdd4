import Foundation
import Testing

@testable import Trials

/// One hand-checked case from Fixtures/cgt/cases.tsv.
struct CGTCase: Sendable, CustomTestStringConvertible {
    var nctId: String
    var primary: CGTType
    var vector: VectorType?
    var alsoTypes: [CGTType]
    var reason: String

    var testDescription: String { "\(nctId) \(primary.rawValue): \(reason)" }

    static func fixtureURL(_ name: String) throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return folder.appendingPathComponent("cgt").appendingPathComponent(name)
    }

    /// Every case in cases.tsv; comment lines start with "#".
    static func all() throws -> [CGTCase] {
        let text = try String(contentsOf: fixtureURL("cases.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(columns.count == 5, "bad line: \(line)")
            let primary = try #require(CGTType(rawValue: columns[1]), "unknown type in: \(line)")
            var vector: VectorType?
            if columns[2] != "-" {
                let parsed = try #require(VectorType(rawValue: columns[2]), "bad vector: \(line)")
                vector = parsed
            }
            let also = columns[3] == "-" ? [] : try columns[3].split(separator: ",").map { name in
                try #require(CGTType(rawValue: String(name)), "unknown type in: \(line)")
            }
            return CGTCase(nctId: columns[0], primary: primary, vector: vector, alsoTypes: also, reason: columns[4])
        }
    }

    /// The fixture records (original ClinicalTrials.gov lines, API v2 or AllPublicXML), by NCT id.
    static func records() throws -> [String: Trial] {
        let text = try String(contentsOf: fixtureURL("records.jsonl"), encoding: .utf8)
        var trials: [String: Trial] = [:]
        for line in text.split(separator: "\n") {
            let trial = try CTGovJSON.trial(from: Data(line.utf8))
            trials[trial.nctId] = trial
        }
        return trials
    }
}

@Suite("CGT classification")
struct CGTClassifierTests {
    static let records = Result { try CGTCase.records() }

    @Test("hand-checked real records", arguments: try CGTCase.all())
    func realRecord(_ expected: CGTCase) throws {
        let trial = try #require(try Self.records.get()[expected.nctId], "no record for \(expected.nctId)")
        let cgt = trial.cgt
        #expect(cgt.primary == expected.primary, "\(cgt.evidence)")
        #expect(cgt.vector == expected.vector)
        #expect(cgt.containmentLevel == expected.vector?.containmentLevel)
        for type in expected.alsoTypes { #expect(cgt.types.contains(type), "\(cgt.types)") }
        #expect(cgt.types.first ?? .notCGT == cgt.primary)
        #expect(cgt.isCGT == !cgt.evidence.isEmpty)
        #expect(cgt == CGTClassifier.classify(trial))
    }

    @Test("the fixture keeps at least 30 positives over six categories and 30 negatives")
    func fixtureCoverage() throws {
        let cases = try CGTCase.all()
        let records = try Self.records.get()
        #expect(Set(cases.map(\.nctId)) == Set(records.keys))
        #expect(cases.count { $0.primary == .notCGT } >= 30)
        #expect(cases.count { $0.primary != .notCGT } >= 30)
        #expect(Set(cases.map(\.primary)).subtracting([.notCGT]).count >= 8)
    }

    // Rules the shared data does not exercise, on minimal records.

    static func trial(
        title: String, interventions: [Intervention] = [], conditions: [String] = [], keywords: [String] = [],
        criteria: String? = nil
    ) -> Trial {
        Trial(
            nctId: "NCT00000000", briefTitle: title, conditions: conditions, keywords: keywords,
            interventions: interventions, studyType: .interventional, overallStatus: .recruiting,
            dates: KeyDates(lastUpdatePosted: PartialDate(year: 2025, month: 1)),
            leadSponsor: Sponsor(name: "Sponsor", agencyClass: .industry),
            eligibility: Eligibility(criteria: criteria), sourceFormat: .ctgovJSON)
    }

    @Test("named products give their category and the vector on their label")
    func namedProducts() {
        let cases: [(String, CGTType, VectorType?)] = [
            ("Tisagenlecleucel", .carT, .lentivirus),
            ("Axicabtagene ciloleucel", .carT, .gammaretrovirus),
            ("Exagamglogene autotemcel (exa-cel)", .geneEditing, .nonViral),
            ("Betibeglogene autotemcel", .exVivoGeneModifiedCells, .lentivirus),
            ("Onasemnogene abeparvovec", .inVivoGeneTherapy, .aav),
            ("Nadofaragene firadenovec", .inVivoGeneTherapy, .adenovirus),
            ("Talimogene laherparepvec", .oncolyticVirus, .herpesSimplex),
            ("Pexastimogene devacirepvec (JX-594)", .oncolyticVirus, .vaccinia),
            ("Afamitresgene autoleucel", .otherTCell, .lentivirus),
            ("Lifileucel", .otherTCell, nil),
            ("Nusinersen", .rnaOrAntisense, nil),
            ("Inclisiran", .rnaOrAntisense, nil),
        ]
        for (name, type, vector) in cases {
            let cgt = Self.trial(title: "A study", interventions: [Intervention(type: .biological, name: name)]).cgt
            #expect(cgt.primary == type, "\(name): \(cgt.evidence)")
            #expect(cgt.vector == vector, "\(name)")
            #expect(cgt.containmentLevel == vector?.containmentLevel, "\(name)")
        }
    }

    @Test("CAR-T outranks gene editing; CAR on NK cells is NK")
    func precedence() {
        let edited = Self.trial(
            title: "CRISPR-edited allogeneic CAR-T cells",
            interventions: [Intervention(type: .biological, name: "CTX110")]).cgt
        #expect(edited.primary == .carT)
        #expect(edited.types == [.carT, .geneEditing])
        let carNK = Self.trial(
            title: "CD19 chimeric antigen receptor NK cells",
            interventions: [Intervention(type: .biological, name: "CAR-NK cells")]).cgt
        #expect(carNK.primary == .nkOrOtherImmuneCell)
        #expect(!carNK.types.contains(.carT))
    }

    @Test("eligibility criteria are never read: excluding prior CAR-T does not make a CAR-T study")
    func eligibilityIgnored() {
        let cgt = Self.trial(
            title: "Venetoclax in relapsed AML",
            interventions: [Intervention(type: .drug, name: "Venetoclax")],
            criteria: "Exclusion Criteria:\n- Prior CAR-T therapy or gene therapy").cgt
        #expect(cgt == .notCGT)
    }

    @Test("supportive care for CAR-T or transplant recipients is not a CGT")
    func supportiveCare() {
        let crs = Self.trial(
            title: "Tocilizumab to prevent cytokine release syndrome after CAR-T cell therapy",
            interventions: [Intervention(type: .drug, name: "Tocilizumab")],
            conditions: ["Cytokine Release Syndrome"]).cgt
        #expect(crs == .notCGT)
        let related = Self.trial(
            title: "Anakinra for CAR T cell related neurotoxicity",
            interventions: [Intervention(type: .drug, name: "Anakinra")]).cgt
        #expect(related == .notCGT)
        let listed = Self.trial(
            title: "Tocilizumab prophylaxis with axicabtagene ciloleucel",
            interventions: [
                Intervention(type: .drug, name: "Tocilizumab"),
                Intervention(type: .biological, name: "Axicabtagene ciloleucel"),
            ]).cgt
        #expect(listed.primary == .carT)
    }

    @Test("mRNA therapeutics count; vaccines against infections do not")
    func mRNA() {
        let cancer = Self.trial(
            title: "mRNA-4157 individualized neoantigen therapy with pembrolizumab in melanoma",
            interventions: [Intervention(type: .biological, name: "mRNA-4157")], conditions: ["Melanoma"]).cgt
        #expect(cancer.primary == .rnaOrAntisense)
        let covid = Self.trial(
            title: "mRNA-1273 vaccine in adolescents",
            interventions: [Intervention(type: .biological, name: "mRNA-1273")], conditions: ["COVID-19"]).cgt
        #expect(covid == .notCGT)
        let adenoVaccine = Self.trial(
            title: "Ad26.COV2.S adenovirus vector vaccine", conditions: ["SARS-CoV-2 Infection"]).cgt
        #expect(adenoVaccine == .notCGT)
    }

    @Test("bispecific T-cell engagers and T-cell diseases are not T-cell therapies")
    func hardNegatives() {
        let blinatumomab = Self.trial(
            title: "Blinatumomab in minimal residual disease",
            interventions: [
                Intervention(
                    type: .biological, name: "Blinatumomab",
                    description: "A bispecific T-cell engager that binds CD3 on T cells and CD19 on B cells.")
            ]).cgt
        #expect(blinatumomab == .notCGT)
        let lymphoma = Self.trial(
            title: "Romidepsin for peripheral T-cell lymphoma and NK cell lymphoma",
            interventions: [Intervention(type: .drug, name: "Romidepsin")]).cgt
        #expect(lymphoma == .notCGT)
        let mobilisation = Self.trial(
            title: "Plerixafor for stem cell mobilization before autologous transplant",
            interventions: [Intervention(type: .drug, name: "Plerixafor")]).cgt
        #expect(mobilisation == .notCGT)
    }

    @Test("a coded product is classified from its keywords; a named drug is not")
    func weakFields() {
        let coded = Self.trial(
            title: "A study of CT1182 in B-cell lymphoma",
            interventions: [Intervention(type: .biological, name: "CT1182 injection")], keywords: ["CAR-T"]).cgt
        #expect(coded.primary == .carT)
        let named = Self.trial(
            title: "Lenalidomide maintenance in myeloma",
            interventions: [Intervention(type: .drug, name: "Lenalidomide")],
            keywords: ["autologous stem cell transplantation"]).cgt
        #expect(named == .notCGT)
    }

    @Test("rule phrases are unique and written as the tokeniser folds text")
    func rulePhrases() {
        let phrases = CGTClassifier.rules.map(\.phrase)
        #expect(Set(phrases).count == phrases.count)
        for phrase in phrases {
            for word in phrase.split(separator: " ") {
                let literal = word.trimmingCharacters(in: CharacterSet(charactersIn: "*#"))
                guard !literal.isEmpty else { continue }
                let tokens = CGTTokens(literal)
                #expect(tokens.count == 1 && tokens.text(0..<1) == literal, "\(phrase)")
            }
        }
    }

    @Test("tokens fold case and split on punctuation; phrase words match exactly, by prefix, stem or digits")
    func phraseMatching() {
        let tokens = CGTTokens("Anti-CD19 CAR-T (Kymriah®), CAR19 & γδ T-cells")
        #expect(tokens.text(0..<tokens.count) == "anti cd19 car t kymriah car19 γδ t cells")
        let index = CGTPhraseIndex(["car t", "car#", "*cabtagene", "γδ t*", "kym*"])
        let found = index.matches(in: tokens).map { tokens.text($0.range) }
        #expect(found == ["car t", "kymriah", "car19", "γδ t"])
        #expect(index.matches(in: CGTTokens("a car and cartilage")).isEmpty)
        #expect(index.matches(in: CGTTokens("ciltacabtagene")).map(\.phrase) == [2])
        #expect(CGTClassifier.isProductCode("KLN-1010"))
        #expect(CGTClassifier.isProductCode("SAR445419"))
        #expect(!CGTClassifier.isProductCode("IL-3"))
        #expect(!CGTClassifier.isProductCode("Cyclophosphamide 500 mg"))
    }
}
