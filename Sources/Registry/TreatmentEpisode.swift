/// A commercial CAR-T product, by international non-proprietary name.
public enum CARTProduct: String, Codable, Sendable, CaseIterable {
    /// Kymriah (Novartis), CD19.
    case tisagenlecleucel
    /// Yescarta (Kite/Gilead), CD19.
    case axicabtageneCiloleucel = "axicabtagene-ciloleucel"
    /// Tecartus (Kite/Gilead), CD19.
    case brexucabtageneAutoleucel = "brexucabtagene-autoleucel"
    /// Breyanzi (Bristol Myers Squibb), CD19.
    case lisocabtageneMaraleucel = "lisocabtagene-maraleucel"
    /// Abecma (Bristol Myers Squibb), BCMA.
    case idecabtageneVicleucel = "idecabtagene-vicleucel"
    /// Carvykti (Janssen/Legend), BCMA.
    case ciltacabtageneAutoleucel = "ciltacabtagene-autoleucel"
    /// Any other product (academic or investigational).
    case other
}

/// The disease treated.
public enum Indication: String, Codable, Sendable, CaseIterable {
    /// Large B-cell lymphoma (DLBCL, PMBCL, HGBCL, transformed FL).
    case largeBCellLymphoma = "lbcl"
    case follicularLymphoma = "fl"
    case mantleCellLymphoma = "mcl"
    /// B-cell acute lymphoblastic leukaemia.
    case bCellAcuteLymphoblasticLeukaemia = "b-all"
    case multipleMyeloma = "mm"
    case chronicLymphocyticLeukaemia = "cll"
    case other
}

/// Therapy given between apheresis and lymphodepletion to control the disease.
public enum BridgingTherapy: String, Codable, Sendable, CaseIterable {
    case none
    case chemotherapy
    case radiotherapy
    case chemoradiotherapy
    case corticosteroids
    case other
}

/// Lymphodepleting chemotherapy before the infusion.
public enum Lymphodepletion: String, Codable, Sendable, CaseIterable {
    case none
    /// Fludarabine and cyclophosphamide.
    case fludarabineCyclophosphamide = "flu-cy"
    case bendamustine
    case other
}

/// One course of CAR-T therapy for one patient, from referral to infusion.
///
/// Dates must be in the order referral ≤ approval ≤ apheresis ≤ infusion; later steps may be missing
/// (an episode still in progress, or one that ended before infusion), but an infusion needs an apheresis.
public struct TreatmentEpisode: Codable, Sendable, Hashable {
    /// Pseudonymous identifier, unique in the registry (see `Pseudonym`).
    public var id: String
    public var patientId: String
    public var product: CARTProduct
    public var indication: Indication
    /// Treating centre code (e.g. "HMR").
    public var centre: String
    public var referralDate: CivilDate
    /// Funding or eligibility approval.
    public var approvalDate: CivilDate?
    public var apheresisDate: CivilDate?
    /// Day 0 of the follow-up.
    public var infusionDate: CivilDate?
    public var bridging: BridgingTherapy
    public var lymphodepletion: Lymphodepletion

    public init(id: String, patientId: String, product: CARTProduct, indication: Indication, centre: String,
                referralDate: CivilDate, approvalDate: CivilDate? = nil, apheresisDate: CivilDate? = nil,
                infusionDate: CivilDate? = nil, bridging: BridgingTherapy = .none,
                lymphodepletion: Lymphodepletion = .none) {
        self.id = id
        self.patientId = patientId
        self.product = product
        self.indication = indication
        self.centre = centre
        self.referralDate = referralDate
        self.approvalDate = approvalDate
        self.apheresisDate = apheresisDate
        self.infusionDate = infusionDate
        self.bridging = bridging
        self.lymphodepletion = lymphodepletion
    }

    /// The latest of the episode's dates, with the name of its field.
    var lastDate: (field: String, date: CivilDate) {
        if let infusionDate { return ("infusionDate", infusionDate) }
        if let apheresisDate { return ("apheresisDate", apheresisDate) }
        if let approvalDate { return ("approvalDate", approvalDate) }
        return ("referralDate", referralDate)
    }

    /// Problems with this record on its own: identifier, empty centre, dates out of order, dates after `today`.
    func problems(asOf today: CivilDate) -> [RegistryError] {
        var problems = Pseudonym.problems(id, field: "id")
        if centre.isEmpty { problems.append(.invalid(field: "centre", reason: "must not be empty")) }
        let steps: [(String, CivilDate?)] = [("referralDate", referralDate), ("approvalDate", approvalDate),
                                             ("apheresisDate", apheresisDate), ("infusionDate", infusionDate)]
        var previous: (field: String, date: CivilDate)?
        for case let (field, date?) in steps {
            if date > today {
                problems.append(.invalid(field: field, reason: "\(date) is after \(today)"))
            }
            if let previous, date < previous.date {
                problems.append(.invalid(field: field, reason: "\(date) is before \(previous.field) \(previous.date)"))
            }
            previous = (field, date)
        }
        if infusionDate != nil, apheresisDate == nil {
            problems.append(.invalid(field: "apheresisDate", reason: "required when infusionDate is set"))
        }
        return problems
    }
}
