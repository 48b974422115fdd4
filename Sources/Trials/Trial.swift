/// One clinical study as Passerelle understands it: everything a patient, clinician or planner needs from a
/// ClinicalTrials.gov record, in one shape whatever the source format (API v2 JSON or legacy `clinical_study` XML).
///
/// A `Trial` is a value: two imports of the same source document give equal trials. The CGT classification is
/// computed from the other fields by ``CGTClassifier`` when the record is read, so it is always in step with them.
public struct Trial: Sendable, Codable, Equatable {
    /// The ClinicalTrials.gov identifier, `NCT` followed by eight digits.
    public var nctId: String
    /// The sponsor's own study id.
    public var orgStudyId: String?
    /// Other registry ids (EudraCT, NIH grants, …) and NCT aliases.
    public var secondaryIds: [String]
    public var briefTitle: String
    public var officialTitle: String?
    public var acronym: String?
    public var briefSummary: String?
    public var detailedDescription: String?
    public var conditions: [String]
    public var keywords: [String]
    /// MeSH terms assigned to the conditions by ClinicalTrials.gov (derivedSection / condition_browse).
    public var conditionMeshTerms: [String]
    /// MeSH terms assigned to the interventions (derivedSection / intervention_browse).
    public var interventionMeshTerms: [String]
    public var interventions: [Intervention]
    public var phases: [Phase]
    public var studyType: StudyType
    public var overallStatus: OverallStatus
    public var whyStopped: String?
    public var dates: KeyDates
    public var leadSponsor: Sponsor
    public var collaborators: [Sponsor]
    /// Planned or actual number of participants.
    public var enrollment: Int?
    public var eligibility: Eligibility
    public var centralContacts: [Contact]
    public var locations: [Location]
    /// Cell and gene therapy classification, computed from the fields above.
    public var cgt: CGTClassification
    /// Which format the record was read from.
    public var sourceFormat: SourceFormat

    public init(
        nctId: String, orgStudyId: String? = nil, secondaryIds: [String] = [], briefTitle: String,
        officialTitle: String? = nil, acronym: String? = nil, briefSummary: String? = nil,
        detailedDescription: String? = nil, conditions: [String] = [], keywords: [String] = [],
        conditionMeshTerms: [String] = [], interventionMeshTerms: [String] = [], interventions: [Intervention] = [],
        phases: [Phase] = [], studyType: StudyType, overallStatus: OverallStatus, whyStopped: String? = nil,
        dates: KeyDates, leadSponsor: Sponsor, collaborators: [Sponsor] = [], enrollment: Int? = nil,
        eligibility: Eligibility, centralContacts: [Contact] = [], locations: [Location] = [],
        sourceFormat: SourceFormat
    ) {
        self.nctId = nctId
        self.orgStudyId = orgStudyId
        self.secondaryIds = secondaryIds
        self.briefTitle = briefTitle
        self.officialTitle = officialTitle
        self.acronym = acronym
        self.briefSummary = briefSummary
        self.detailedDescription = detailedDescription
        self.conditions = conditions
        self.keywords = keywords
        self.conditionMeshTerms = conditionMeshTerms
        self.interventionMeshTerms = interventionMeshTerms
        self.interventions = interventions
        self.phases = phases
        self.studyType = studyType
        self.overallStatus = overallStatus
        self.whyStopped = whyStopped
        self.dates = dates
        self.leadSponsor = leadSponsor
        self.collaborators = collaborators
        self.enrollment = enrollment
        self.eligibility = eligibility
        self.centralContacts = centralContacts
        self.locations = locations
        self.sourceFormat = sourceFormat
        self.cgt = .notCGT
        self.cgt = CGTClassifier.classify(self)
    }

    /// Countries with at least one site, sorted and without repeats.
    public var countries: [String] {
        Array(Set(locations.compactMap { $0.country })).sorted()
    }
}

/// The format a record was read from.
public enum SourceFormat: String, Sendable, Codable, CaseIterable {
    /// ClinicalTrials.gov API v2 JSON (`protocolSection`, `derivedSection`).
    case ctgovJSON = "ctgov-json"
    /// Legacy ClinicalTrials.gov `clinical_study` XML (AllPublicXML).
    case ctgovXML = "ctgov-xml"
}

/// A study intervention (drug, device, biological, …).
public struct Intervention: Sendable, Codable, Equatable {
    public var type: InterventionType
    public var name: String
    public var description: String?
    public var otherNames: [String]

    public init(type: InterventionType, name: String, description: String? = nil, otherNames: [String] = []) {
        self.type = type
        self.name = name
        self.description = description
        self.otherNames = otherNames
    }
}

/// A sponsor or collaborator and the class ClinicalTrials.gov gives it.
public struct Sponsor: Sendable, Codable, Equatable {
    public var name: String
    public var agencyClass: AgencyClass

    public init(name: String, agencyClass: AgencyClass) {
        self.name = name
        self.agencyClass = agencyClass
    }
}

/// A person to contact about the study or about one site.
public struct Contact: Sendable, Codable, Equatable {
    public var name: String?
    public var role: String?
    public var phone: String?
    public var email: String?

    public init(name: String? = nil, role: String? = nil, phone: String? = nil, email: String? = nil) {
        self.name = name
        self.role = role
        self.phone = phone
        self.email = email
    }
}

/// A latitude/longitude in decimal degrees (WGS 84).
public struct GeoPoint: Sendable, Codable, Equatable, Hashable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// A study site.
public struct Location: Sendable, Codable, Equatable {
    public var facility: String?
    public var status: SiteStatus?
    public var city: String?
    /// State, province or territory as the record spells it (ClinicalTrials.gov often leaves it empty for Canada).
    public var state: String?
    public var postalCode: String?
    public var country: String?
    /// ClinicalTrials.gov geo points are city centroids, not building coordinates.
    public var geo: GeoPoint?
    public var contacts: [Contact]

    public init(
        facility: String? = nil, status: SiteStatus? = nil, city: String? = nil, state: String? = nil,
        postalCode: String? = nil, country: String? = nil, geo: GeoPoint? = nil, contacts: [Contact] = []
    ) {
        self.facility = facility
        self.status = status
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.country = country
        self.geo = geo
        self.contacts = contacts
    }
}

/// The dates people ask about. Each keeps the precision the source gave (month or day).
public struct KeyDates: Sendable, Codable, Equatable {
    public var start: PartialDate?
    public var primaryCompletion: PartialDate?
    public var completion: PartialDate?
    public var firstPosted: PartialDate?
    public var lastUpdatePosted: PartialDate

    public init(
        start: PartialDate? = nil, primaryCompletion: PartialDate? = nil, completion: PartialDate? = nil,
        firstPosted: PartialDate? = nil, lastUpdatePosted: PartialDate
    ) {
        self.start = start
        self.primaryCompletion = primaryCompletion
        self.completion = completion
        self.firstPosted = firstPosted
        self.lastUpdatePosted = lastUpdatePosted
    }
}
