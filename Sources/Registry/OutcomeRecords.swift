/// The raw signs of one toxicity assessment day after an infusion. The ASTCT grades are computed from
/// them with `ASTCTGrader`, never entered directly. Key: (`episodeId`, `date`).
public struct ToxicityAssessment: Codable, Sendable, Equatable {
    public var episodeId: String
    public var date: CivilDate
    /// Highest temperature of the day, if measured.
    public var temperatureCelsius: Double?
    /// Fever masked by antipyretics or anti-cytokine therapy (see `CRSAssessment.feverMaskedByTreatment`).
    public var feverMaskedByTreatment: Bool
    public var hypotension: Hypotension
    /// Oxygen support needed.
    public var hypoxia: Hypoxia
    /// ICE (or, under 12, CAPD) screen; `nil` when not done.
    public var encephalopathy: EncephalopathyScreen?
    public var consciousness: ConsciousnessLevel
    public var seizure: SeizureFinding
    public var motor: MotorFinding
    /// Raised intracranial pressure or cerebral oedema.
    public var intracranialPressure: IntracranialPressureFinding
    /// Tocilizumab given that day.
    public var tocilizumab: Bool
    /// Corticosteroids given that day.
    public var corticosteroids: Bool

    public init(episodeId: String, date: CivilDate, temperatureCelsius: Double? = nil, feverMaskedByTreatment: Bool = false,
                hypotension: Hypotension = .none, hypoxia: Hypoxia = .none, encephalopathy: EncephalopathyScreen? = nil,
                consciousness: ConsciousnessLevel = .normal, seizure: SeizureFinding = .none, motor: MotorFinding = .none,
                intracranialPressure: IntracranialPressureFinding = .none, tocilizumab: Bool = false,
                corticosteroids: Bool = false) {
        self.episodeId = episodeId
        self.date = date
        self.temperatureCelsius = temperatureCelsius
        self.feverMaskedByTreatment = feverMaskedByTreatment
        self.hypotension = hypotension
        self.hypoxia = hypoxia
        self.encephalopathy = encephalopathy
        self.consciousness = consciousness
        self.seizure = seizure
        self.motor = motor
        self.intracranialPressure = intracranialPressure
        self.tocilizumab = tocilizumab
        self.corticosteroids = corticosteroids
    }

    /// The CRS grader input: fever is a temperature ≥ 38 °C (`CRSAssessment.isFever`).
    public var crsAssessment: CRSAssessment {
        CRSAssessment(fever: temperatureCelsius.map(CRSAssessment.isFever) ?? false,
                      feverMaskedByTreatment: feverMaskedByTreatment, hypotension: hypotension, hypoxia: hypoxia)
    }

    /// ASTCT CRS grade 0–4.
    public var crsGrade: Int { ASTCTGrader.crsGrade(crsAssessment) }

    /// The ICANS grader input for a patient aged `ageYears`.
    public func icansAssessment(ageYears: Double?) -> ICANSAssessment {
        ICANSAssessment(ageYears: ageYears, encephalopathy: encephalopathy, consciousness: consciousness,
                        seizure: seizure, motor: motor, intracranialPressure: intracranialPressure)
    }

    /// ASTCT ICANS grade 0–4.
    /// - Throws: `RegistryError` for an out-of-range screen score, or a CAPD screen at age 12 or more.
    public func icansGrade(ageYears: Double?) throws -> Int {
        try ASTCTGrader.icansGrade(icansAssessment(ageYears: ageYears))
    }

    /// Problems with the record on its own: a temperature outside 25–45 °C, an invalid screen for the age.
    func problems(ageYears: Double?) -> [RegistryError] {
        var problems: [RegistryError] = []
        if let t = temperatureCelsius, !(t.isFinite && (25...45).contains(t)) {
            problems.append(.invalid(field: "temperatureCelsius", reason: "must be 25–45 °C, got \(t)"))
        }
        do {
            _ = try icansGrade(ageYears: ageYears)
        } catch let error as RegistryError {
            problems.append(error)
        } catch {
            problems.append(.invalid(field: "encephalopathy", reason: "\(error)"))
        }
        return problems
    }
}

/// Disease response category, independent of the criteria used (Lugano, IMWG, NCCN ALL…):
/// complete, partial, stable or progressive disease.
public enum ResponseCategory: String, Codable, Sendable, CaseIterable, Comparable {
    case completeResponse = "CR"
    case partialResponse = "PR"
    case stableDisease = "SD"
    case progressiveDisease = "PD"

    /// Better responses sort first: CR < PR < SD < PD.
    public static func < (lhs: ResponseCategory, rhs: ResponseCategory) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .completeResponse: 0
        case .partialResponse: 1
        case .stableDisease: 2
        case .progressiveDisease: 3
        }
    }

    /// CR or PR.
    public var isObjectiveResponse: Bool { self == .completeResponse || self == .partialResponse }
}

/// A disease response assessment (e.g. day 28, day 90, month 6). Key: (`episodeId`, `date`).
/// The first `PD` after the infusion dates the progression used for progression-free survival.
public struct ResponseAssessment: Codable, Sendable, Hashable {
    public var episodeId: String
    public var date: CivilDate
    public var category: ResponseCategory

    public init(episodeId: String, date: CivilDate, category: ResponseCategory) {
        self.episodeId = episodeId
        self.date = date
        self.category = category
    }
}

/// A follow-up visit that took place (the patient was known alive that day). Key: (`episodeId`, `date`).
/// Scheduled visits are `FollowUpVisit`s from `FollowUpSchedule`.
public struct VisitRecord: Codable, Sendable, Hashable {
    public var episodeId: String
    public var date: CivilDate

    public init(episodeId: String, date: CivilDate) {
        self.episodeId = episodeId
        self.date = date
    }
}

/// Cause of death, by category.
public enum DeathCause: String, Codable, Sendable, CaseIterable {
    case diseaseProgression = "disease-progression"
    case cytokineReleaseSyndrome = "crs"
    case neurotoxicity = "icans"
    case infection
    case secondaryMalignancy = "secondary-malignancy"
    case otherTreatmentRelated = "other-treatment-related"
    case other
    case unknown
}

/// A patient's death. Key: `patientId` (one per patient).
public struct DeathRecord: Codable, Sendable, Hashable {
    public var patientId: String
    public var date: CivilDate
    public var cause: DeathCause

    public init(patientId: String, date: CivilDate, cause: DeathCause) {
        self.patientId = patientId
        self.date = date
        self.cause = cause
    }
}

/// What a cost paid for.
public enum CostCategory: String, Codable, Sendable, CaseIterable {
    /// The product itself.
    case acquisition
    /// Ward days (including apheresis and infusion admissions).
    case hospitalisation
    /// Intensive care days.
    case intensiveCare = "icu"
    case tocilizumab
    /// Intravenous immunoglobulin.
    case immunoglobulin = "ivig"
    case other
}

/// One cost attached to an episode, in Canadian cents (exact). Key: `id`.
public struct CostRecord: Codable, Sendable, Hashable {
    /// Pseudonymous identifier, unique in the registry (see `Pseudonym`).
    public var id: String
    public var episodeId: String
    public var category: CostCategory
    /// Amount in cents of CAD, ≥ 0 (CSV column `amountCAD`, in dollars with up to two decimals).
    public var amountCents: Int
    /// Date of service.
    public var date: CivilDate

    public init(id: String, episodeId: String, category: CostCategory, amountCents: Int, date: CivilDate) {
        self.id = id
        self.episodeId = episodeId
        self.category = category
        self.amountCents = amountCents
        self.date = date
    }

    /// The amount in dollars.
    public var amountCAD: Double { Double(amountCents) / 100 }
}
