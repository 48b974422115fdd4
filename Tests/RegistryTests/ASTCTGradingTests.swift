import Registry
import Testing

/// One test per row of the ASTCT consensus grading tables (Lee et al., Biol Blood Marrow Transplant
/// 2019;25:625–638, Table 3 for CRS, Table 5 for ICANS in adults, Table 7 for children).
@Suite struct CRSTableTests {
    /// Row "Fever": temperature ≥ 38 °C in every grade; grade 1 is fever alone.
    @Test func feverRow() {
        #expect(CRSAssessment.isFever(temperatureCelsius: 38.0))
        #expect(!CRSAssessment.isFever(temperatureCelsius: 37.9))
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: true)) == 1)
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: false)) == 0)
    }

    /// Row "with hypotension": none (1), not requiring vasopressors (2), one vasopressor ± vasopressin (3),
    /// multiple vasopressors excluding vasopressin (4).
    @Test(arguments: [(Hypotension.none, 1), (.notRequiringVasopressors, 2), (.oneVasopressor, 3), (.multipleVasopressors, 4)])
    func hypotensionRow(hypotension: Hypotension, grade: Int) {
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: true, hypotension: hypotension)) == grade)
    }

    /// Row "and/or hypoxia": none (1), low-flow ≤ 6 L/min or blow-by (2), high-flow, facemask,
    /// non-rebreather or Venturi (3), positive pressure (4).
    @Test(arguments: [(Hypoxia.none, 1), (.lowFlow, 2), (.highFlow, 3), (.positivePressure, 4)])
    func hypoxiaRow(hypoxia: Hypoxia, grade: Int) throws {
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: true, hypoxia: hypoxia)) == grade)
    }

    @Test func nasalCannulaFlowThreshold() throws {
        #expect(try Hypoxia.nasalCannula(litresPerMinute: 6) == .lowFlow)
        #expect(try Hypoxia.nasalCannula(litresPerMinute: 6.5) == .highFlow)
        #expect(throws: RegistryError.self) { try Hypoxia.nasalCannula(litresPerMinute: -1) }
    }

    /// The grade is the more severe of hypotension and hypoxia.
    @Test func mostSevereEventDrivesTheGrade() {
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: true, hypotension: .notRequiringVasopressors,
                                                   hypoxia: .positivePressure)) == 4)
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: true, hypotension: .oneVasopressor, hypoxia: .lowFlow)) == 3)
    }

    /// Footnote: fever is required, unless masked by antipyretic or anti-cytokine therapy after CRS began.
    @Test func feverRequiredUnlessMasked() {
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: false, hypotension: .multipleVasopressors)) == 0)
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: false, feverMaskedByTreatment: true,
                                                   hypotension: .oneVasopressor)) == 3)
        #expect(ASTCTGrader.crsGrade(CRSAssessment(fever: false, feverMaskedByTreatment: true)) == 0)
    }
}

@Suite struct ICANSTableTests {
    /// Row "ICE score": 7–9 (1), 3–6 (2), 0–2 (3), unarousable and unable to undergo ICE (4); 10 is normal.
    @Test(arguments: [(EncephalopathyScreen.ice(score: 10), 0), (.ice(score: 9), 1), (.ice(score: 7), 1),
                      (.ice(score: 6), 2), (.ice(score: 3), 2), (.ice(score: 2), 3), (.ice(score: 0), 3),
                      (.unableToPerform, 4)])
    func iceScoreRow(screen: EncephalopathyScreen, grade: Int) throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(encephalopathy: screen)) == grade)
    }

    /// Row "Depressed level of consciousness".
    @Test(arguments: [(ConsciousnessLevel.normal, 0), (.awakensSpontaneously, 1), (.awakensToVoice, 2),
                      (.awakensToTactileStimulus, 3), (.unarousable, 4)])
    func consciousnessRow(level: ConsciousnessLevel, grade: Int) throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(consciousness: level)) == grade)
    }

    /// Row "Seizure": N/A for grades 1–2.
    @Test(arguments: [(SeizureFinding.none, 0), (.resolvesRapidly, 3), (.lifeThreatening, 4)])
    func seizureRow(seizure: SeizureFinding, grade: Int) throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(seizure: seizure)) == grade)
    }

    /// Row "Motor findings": N/A for grades 1–3.
    @Test(arguments: [(MotorFinding.none, 0), (.deepFocalWeakness, 4)])
    func motorRow(motor: MotorFinding, grade: Int) throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(motor: motor)) == grade)
    }

    /// Row "Elevated ICP/cerebral edema": N/A for grades 1–2.
    @Test(arguments: [(IntracranialPressureFinding.none, 0), (.focalOedema, 3), (.diffuseOedema, 4)])
    func intracranialPressureRow(finding: IntracranialPressureFinding, grade: Int) throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(intracranialPressure: finding)) == grade)
    }

    /// Paediatric row "CAPD score (children < 12)": 1–8 (grades 1–2), ≥ 9 (3), unable to perform (4).
    @Test(arguments: [(0, 0), (1, 1), (8, 1), (9, 3), (32, 3)])
    func capdRow(score: Int, grade: Int) throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(ageYears: 6, encephalopathy: .capd(score: score))) == grade)
    }

    @Test func capdGradeTwoComesFromConsciousness() throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(ageYears: 6, encephalopathy: .capd(score: 5),
                                                           consciousness: .awakensToVoice)) == 2)
    }

    @Test func gradeIsTheMostSevereDomain() throws {
        #expect(try ASTCTGrader.icansGrade(ICANSAssessment(encephalopathy: .ice(score: 8), consciousness: .awakensToVoice,
                                                           intracranialPressure: .focalOedema)) == 3)
    }

    @Test func rejectsInvalidScreens() {
        #expect(throws: RegistryError.invalid(field: "encephalopathy.ice", reason: "ICE score must be 0–10, got 11")) {
            try ASTCTGrader.icansGrade(ICANSAssessment(encephalopathy: .ice(score: 11)))
        }
        #expect(throws: RegistryError.self) {
            try ASTCTGrader.icansGrade(ICANSAssessment(ageYears: 14, encephalopathy: .capd(score: 3)))
        }
    }
}
