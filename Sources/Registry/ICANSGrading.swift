/// The encephalopathy screen used for ICANS grading.
///
/// JSON form: `{"ice": {"score": 7}}`, `{"capd": {"score": 10}}` or `{"unableToPerform": {}}`.
public enum EncephalopathyScreen: Codable, Sendable, Equatable {
    /// Immune effector Cell-associated Encephalopathy score, 0–10 (10 is normal); adults and children ≥ 12.
    case ice(score: Int)
    /// Cornell Assessment of Pediatric Delirium, 0–32 (≥ 9 is delirium); children < 12.
    case capd(score: Int)
    /// The patient is unarousable and cannot undergo the screen (grade 4).
    case unableToPerform

    func grade() throws -> Int {
        switch self {
        case let .ice(score):
            guard (0...10).contains(score) else {
                throw RegistryError.invalid(field: "encephalopathy.ice", reason: "ICE score must be 0–10, got \(score)")
            }
            switch score {
            case 10: return 0
            case 7...9: return 1
            case 3...6: return 2
            default: return 3
            }
        case let .capd(score):
            guard (0...32).contains(score) else {
                throw RegistryError.invalid(field: "encephalopathy.capd", reason: "CAPD score must be 0–32, got \(score)")
            }
            return score == 0 ? 0 : score < 9 ? 1 : 3
        case .unableToPerform:
            return 4
        }
    }
}

/// Depressed level of consciousness (not attributable to another cause, e.g. sedation).
public enum ConsciousnessLevel: String, Codable, Sendable, CaseIterable {
    case normal
    /// Awakens spontaneously (grade 1).
    case awakensSpontaneously = "awakens-spontaneously"
    /// Awakens to voice (grade 2).
    case awakensToVoice = "awakens-to-voice"
    /// Awakens only to tactile stimulus (grade 3).
    case awakensToTactileStimulus = "awakens-to-tactile-stimulus"
    /// Unarousable or needing vigorous or repetitive tactile stimuli to arouse; stupor or coma (grade 4).
    case unarousable

    var grade: Int {
        switch self {
        case .normal: 0
        case .awakensSpontaneously: 1
        case .awakensToVoice: 2
        case .awakensToTactileStimulus: 3
        case .unarousable: 4
        }
    }
}

/// Seizures.
public enum SeizureFinding: String, Codable, Sendable, CaseIterable {
    case none
    /// Any clinical seizure, focal or generalised, that resolves rapidly, or non-convulsive seizures on EEG
    /// that resolve with intervention (grade 3).
    case resolvesRapidly = "resolves-rapidly"
    /// Life-threatening prolonged seizure (> 5 min), or repetitive clinical or electrical seizures without
    /// return to baseline in between (grade 4).
    case lifeThreatening = "life-threatening"

    var grade: Int {
        switch self {
        case .none: 0
        case .resolvesRapidly: 3
        case .lifeThreatening: 4
        }
    }
}

/// Motor findings.
public enum MotorFinding: String, Codable, Sendable, CaseIterable {
    case none
    /// Deep focal motor weakness such as hemiparesis or paraparesis (grade 4).
    case deepFocalWeakness = "deep-focal-weakness"

    var grade: Int { self == .none ? 0 : 4 }
}

/// Elevated intracranial pressure or cerebral oedema.
public enum IntracranialPressureFinding: String, Codable, Sendable, CaseIterable {
    case none
    /// Focal or local oedema on neuroimaging (grade 3).
    case focalOedema = "focal-oedema"
    /// Diffuse cerebral oedema on neuroimaging, decerebrate or decorticate posturing, cranial nerve VI palsy,
    /// papilloedema or Cushing's triad (grade 4).
    case diffuseOedema = "diffuse-oedema"

    var grade: Int {
        switch self {
        case .none: 0
        case .focalOedema: 3
        case .diffuseOedema: 4
        }
    }
}

/// The findings graded for immune effector cell-associated neurotoxicity syndrome at one assessment.
public struct ICANSAssessment: Codable, Sendable, Equatable {
    /// Age in years, if known; the CAPD screen is accepted only for children under 12.
    public var ageYears: Double?
    public var encephalopathy: EncephalopathyScreen?
    public var consciousness: ConsciousnessLevel
    public var seizure: SeizureFinding
    public var motor: MotorFinding
    public var intracranialPressure: IntracranialPressureFinding

    public init(ageYears: Double? = nil, encephalopathy: EncephalopathyScreen? = nil,
                consciousness: ConsciousnessLevel = .normal, seizure: SeizureFinding = .none,
                motor: MotorFinding = .none, intracranialPressure: IntracranialPressureFinding = .none) {
        self.ageYears = ageYears
        self.encephalopathy = encephalopathy
        self.consciousness = consciousness
        self.seizure = seizure
        self.motor = motor
        self.intracranialPressure = intracranialPressure
    }
}

extension ASTCTGrader {
    /// ICANS grade 0–4: the most severe grade among the encephalopathy screen (ICE 7–9 → 1, 3–6 → 2,
    /// 0–2 → 3, unable → 4; paediatric CAPD 1–8 → 1, ≥ 9 → 3, unable → 4), consciousness, seizures,
    /// motor findings and raised intracranial pressure / cerebral oedema.
    /// - Throws: `RegistryError` for an out-of-range score, or a CAPD screen for a patient aged 12 or more.
    public static func icansGrade(_ assessment: ICANSAssessment) throws -> Int {
        if let age = assessment.ageYears {
            guard age.isFinite, age >= 0 else {
                throw RegistryError.invalid(field: "ageYears", reason: "must be a finite number ≥ 0")
            }
            if case .capd = assessment.encephalopathy, age >= 12 {
                throw RegistryError.invalid(field: "encephalopathy.capd",
                                            reason: "CAPD is for children under 12; use the ICE score at age \(age)")
            }
        }
        return try [
            assessment.encephalopathy?.grade() ?? 0,
            assessment.consciousness.grade,
            assessment.seizure.grade,
            assessment.motor.grade,
            assessment.intracranialPressure.grade,
        ].max() ?? 0
    }
}
