/// Hypotension, by the support it needs (ASTCT 2019 consensus, Lee et al., Biol Blood Marrow Transplant 2019;25:625–638).
public enum Hypotension: String, Codable, Sendable, CaseIterable {
    case none
    /// Hypotension not requiring vasopressors (grade 2).
    case notRequiringVasopressors = "not-requiring-vasopressors"
    /// Requiring one vasopressor, with or without vasopressin (grade 3).
    case oneVasopressor = "one-vasopressor"
    /// Requiring multiple vasopressors, excluding vasopressin (grade 4).
    case multipleVasopressors = "multiple-vasopressors"

    var grade: Int {
        switch self {
        case .none: 0
        case .notRequiringVasopressors: 2
        case .oneVasopressor: 3
        case .multipleVasopressors: 4
        }
    }
}

/// Hypoxia, by the oxygen delivery it needs.
public enum Hypoxia: String, Codable, Sendable, CaseIterable {
    case none
    /// Low-flow nasal cannula (≤ 6 L/min) or blow-by (grade 2).
    case lowFlow = "low-flow"
    /// High-flow nasal cannula (> 6 L/min), facemask, non-rebreather or Venturi mask (grade 3).
    case highFlow = "high-flow"
    /// Positive pressure: CPAP, BiPAP, intubation and mechanical ventilation (grade 4).
    case positivePressure = "positive-pressure"

    var grade: Int {
        switch self {
        case .none: 0
        case .lowFlow: 2
        case .highFlow: 3
        case .positivePressure: 4
        }
    }

    /// Classifies a nasal cannula by its flow: ≤ 6 L/min is low-flow, above is high-flow.
    /// - Throws: `RegistryError` if the flow is negative or not finite.
    public static func nasalCannula(litresPerMinute flow: Double) throws -> Hypoxia {
        guard flow.isFinite, flow >= 0 else {
            throw RegistryError.invalid(field: "oxygenFlowLitresPerMinute", reason: "must be a finite number ≥ 0")
        }
        return flow <= 6 ? .lowFlow : .highFlow
    }
}

/// The findings graded for cytokine release syndrome at one assessment.
public struct CRSAssessment: Codable, Sendable, Equatable {
    /// Temperature ≥ 38 °C not attributable to another cause.
    public var fever: Bool
    /// Fever is masked by antipyretics or anti-cytokine therapy (e.g. tocilizumab, steroids) given for CRS:
    /// fever is then no longer required, and the grade is driven by hypotension and hypoxia.
    public var feverMaskedByTreatment: Bool
    public var hypotension: Hypotension
    public var hypoxia: Hypoxia

    public init(fever: Bool, feverMaskedByTreatment: Bool = false, hypotension: Hypotension = .none, hypoxia: Hypoxia = .none) {
        self.fever = fever
        self.feverMaskedByTreatment = feverMaskedByTreatment
        self.hypotension = hypotension
        self.hypoxia = hypoxia
    }

    /// The ASTCT fever threshold: a temperature of at least 38.0 °C.
    public static func isFever(temperatureCelsius: Double) -> Bool {
        temperatureCelsius >= 38.0
    }
}

/// ASTCT consensus grading (Lee et al. 2019).
public enum ASTCTGrader {
    /// CRS grade 0–4.
    ///
    /// - Without fever (and fever not masked) there is no CRS: grade 0, whatever else is present.
    /// - With fever: grade 1 alone; otherwise the more severe of the hypotension grade
    ///   (2 no vasopressors, 3 one vasopressor ± vasopressin, 4 multiple vasopressors excluding vasopressin)
    ///   and the hypoxia grade (2 low-flow ≤ 6 L/min or blow-by, 3 high-flow/facemask/non-rebreather/Venturi,
    ///   4 positive pressure).
    /// - With fever masked by treatment: the more severe of the hypotension and hypoxia grades
    ///   (0 when neither is present). Organ toxicities do not enter the grade.
    public static func crsGrade(_ assessment: CRSAssessment) -> Int {
        let driven = max(assessment.hypotension.grade, assessment.hypoxia.grade)
        if assessment.fever { return max(1, driven) }
        return assessment.feverMaskedByTreatment ? driven : 0
    }
}
