/// Where a study sits among cell and gene therapies, the vector it names and the biosafety containment it implies.
///
/// Computed by ``CGTClassifier`` on import and stored with the record, so filters and the portrait can count it.
public struct CGTClassification: Sendable, Codable, Equatable {
    /// The main category, `types[0]` (`.notCGT` when none): the first in ``CGTClassifier/precedence`` order,
    /// except that a stem-cell transplant comes before the donor lymphocytes given with it.
    public var primary: CGTType
    /// Every category found, primary first, then most specific first; empty for a study that is not a CGT.
    public var types: [CGTType]
    /// The gene-transfer vector, where the record states one or names a product whose vector is known.
    public var vector: VectorType?
    /// The containment level the vector implies under the Canadian Biosafety Standard (see docs/CGT.md);
    /// `nil` when no vector is known (unmodified cells, oligonucleotides, unstated vector).
    public var containmentLevel: ContainmentLevel?
    /// The phrases that decided the classification, as "field: phrase" (e.g. "intervention: tisagenlecleucel").
    public var evidence: [String]

    public init(
        primary: CGTType, types: [CGTType], vector: VectorType? = nil, containmentLevel: ContainmentLevel? = nil,
        evidence: [String] = []
    ) {
        self.primary = primary
        self.types = types
        self.vector = vector
        self.containmentLevel = containmentLevel
        self.evidence = evidence
    }

    /// A study that is not a cell or gene therapy.
    public static let notCGT = CGTClassification(primary: .notCGT, types: [])

    public var isCGT: Bool { primary != .notCGT }
}

/// Cell and gene therapy categories.
public enum CGTType: String, Sendable, Codable, CaseIterable {
    /// Chimeric antigen receptor T cells.
    case carT = "car-t"
    /// Other engineered or non-engineered T cells: TCR-T, TIL, virus-specific T cells, donor lymphocyte infusion.
    case otherTCell = "t-cell"
    /// NK cells and other immune effector cells (CAR-NK, macrophages, dendritic-cell vaccines, CIK).
    case nkOrOtherImmuneCell = "nk-immune-cell"
    /// Haematopoietic stem-cell transplant and other stem or progenitor cells (MSC, iPSC/ESC-derived, cord blood).
    case stemCell = "stem-cell"
    /// Gene therapy given in vivo (AAV, adenovirus, lentivirus, non-viral such as plasmid DNA), including
    /// viral-vector cancer vaccines.
    case inVivoGeneTherapy = "in-vivo-gene-therapy"
    /// Cells modified ex vivo by gene transfer (other than CAR-T), e.g. lentiviral HSC gene therapy.
    case exVivoGeneModifiedCells = "ex-vivo-gene-modified-cells"
    /// CRISPR, base or prime editing, zinc-finger nucleases, TALEN, meganucleases.
    case geneEditing = "gene-editing"
    /// Replicating viruses given to kill tumour cells (T-VEC, reovirus, JX-594).
    case oncolyticVirus = "oncolytic-virus"
    /// siRNA, antisense oligonucleotides, mRNA therapeutics and cancer vaccines; not vaccines against infections.
    case rnaOrAntisense = "rna-antisense"
    case notCGT = "not-cgt"
}

/// Gene-transfer vector families.
public enum VectorType: String, Sendable, Codable, CaseIterable {
    case aav = "aav"
    case adenovirus = "adenovirus"
    case lentivirus = "lentivirus"
    case gammaretrovirus = "gammaretrovirus"
    case herpesSimplex = "hsv"
    case vaccinia = "vaccinia"
    case otherVirus = "other-virus"
    case nonViral = "non-viral"
}

/// Canadian Biosafety Standard containment levels.
public enum ContainmentLevel: Int, Sendable, Codable, CaseIterable, Comparable {
    case cl1 = 1, cl2 = 2, cl3 = 3, cl4 = 4

    public static func < (lhs: ContainmentLevel, rhs: ContainmentLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension VectorType {
    /// The containment level for the clinical product made with this vector family: CL1 for replication-deficient
    /// AAV and non-viral vectors, CL2 for the others (risk group 2 parents, or lentiviral and gammaretroviral
    /// vectors under PHAC guidance). The sources and assumptions are in docs/CGT.md.
    public var containmentLevel: ContainmentLevel {
        switch self {
        case .aav, .nonViral: .cl1
        case .adenovirus, .lentivirus, .gammaretrovirus, .herpesSimplex, .vaccinia, .otherVirus: .cl2
        }
    }
}
