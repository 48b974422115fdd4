import Foundation

/// Reads one ClinicalTrials.gov API v2 study object (`{"protocolSection": …, "derivedSection": …}`) into a ``Trial``.
///
/// Unknown fields are ignored; a field of the wrong type, an unreadable date or enum value, or a missing NCT id
/// throws a ``RecordError`` naming the field path (e.g. `protocolSection.statusModule.startDateStruct.date`).
public enum CTGovJSON {
    /// Parses one study from its JSON bytes.
    ///
    /// Also accepts the `{"nct_id", "xml"}` objects of AllPublicXML JSON-lines files: the `xml` field is read
    /// with ``CTGovXML``.
    public static func trial(from data: Data) throws(RecordError) -> Trial {
        try read(data).trial
    }

    /// The trial, and the XML document when the object was an AllPublicXML `{"nct_id","xml"}` line.
    static func read(_ data: Data) throws(RecordError) -> (trial: Trial, xml: Data?) {
        var reader = JSONReader(data)
        let study = try V2Study(&reader)
        try reader.end()
        if study.protocolSection == nil {
            guard let xml = study.xml else {
                throw RecordError(field: "protocolSection", reason: "required field is missing")
            }
            let document = Data(xml.utf8)
            return (try CTGovXML.trial(from: document), document)
        }
        return (try study.trial(), nil)
    }
}

/// A required field that was absent.
private func missing(_ reader: JSONReader, _ key: String) -> RecordError {
    reader.error(at: key, "required field is missing")
}

/// Reads a controlled-vocabulary value, naming the bad value.
private func coded<Value: RawRepresentable>(_ reader: inout JSONReader) throws(RecordError) -> Value?
where Value.RawValue == String {
    guard let text = try reader.optionalString() else { return nil }
    guard let value = Value(rawValue: text) else { throw reader.error("unknown value \"\(text)\"") }
    return value
}

// The subset of the API v2 schema Passerelle reads. Names follow the API exactly.
private struct V2Study {
    var protocolSection: ProtocolSection?
    var derivedSection: DerivedSection?
    /// Set instead of `protocolSection` in AllPublicXML JSON-lines files.
    var xml: String?

    init(_ r: inout JSONReader) throws(RecordError) {
        var protocolSection: ProtocolSection?
        var derivedSection: DerivedSection?
        var xml: String?
        try r.object { r, key throws(RecordError) in
            switch key {
            case "protocolSection": protocolSection = try ProtocolSection(&r)
            case "derivedSection": derivedSection = try DerivedSection(&r)
            case "xml": xml = try r.optionalString()
            default: try r.skip()
            }
        }
        self.protocolSection = protocolSection
        self.derivedSection = derivedSection
        self.xml = xml
    }

    struct ProtocolSection {
        var identificationModule = IdentificationModule()
        var statusModule = StatusModule()
        var sponsorCollaboratorsModule: SponsorModule?
        var descriptionModule: DescriptionModule?
        var conditionsModule: ConditionsModule?
        var designModule: DesignModule?
        var armsInterventionsModule: [InterventionEntry]?
        var eligibilityModule: EligibilityModule?
        var contactsLocationsModule: ContactsModule?

        init(_ r: inout JSONReader) throws(RecordError) {
            var identification: IdentificationModule?
            var status: StatusModule?
            var section = ProtocolSection()
            try r.object { r, key throws(RecordError) in
                switch key {
                case "identificationModule": identification = try IdentificationModule(&r)
                case "statusModule": status = try StatusModule(&r)
                case "sponsorCollaboratorsModule": section.sponsorCollaboratorsModule = try SponsorModule(&r)
                case "descriptionModule": section.descriptionModule = try DescriptionModule(&r)
                case "conditionsModule": section.conditionsModule = try ConditionsModule(&r)
                case "designModule": section.designModule = try DesignModule(&r)
                case "armsInterventionsModule":
                    var interventions: [InterventionEntry] = []
                    try r.object { r, key throws(RecordError) in
                        guard key == "interventions" else { return try r.skip() }
                        try r.array { r throws(RecordError) in interventions.append(try InterventionEntry(&r)) }
                    }
                    section.armsInterventionsModule = interventions
                case "eligibilityModule": section.eligibilityModule = try EligibilityModule(&r)
                case "contactsLocationsModule": section.contactsLocationsModule = try ContactsModule(&r)
                default: try r.skip()
                }
            }
            guard let identification else { throw missing(r, "identificationModule") }
            guard let status else { throw missing(r, "statusModule") }
            section.identificationModule = identification
            section.statusModule = status
            self = section
        }

        private init() {}
    }

    struct IdentificationModule {
        var nctId = ""
        var orgStudyId: String?
        var secondaryIds: [String] = []
        var nctIdAliases: [String] = []
        var briefTitle: String?
        var officialTitle: String?
        var acronym: String?

        init() {}

        init(_ r: inout JSONReader) throws(RecordError) {
            var module = IdentificationModule()
            var nctId: String?
            try r.object { r, key throws(RecordError) in
                switch key {
                case "nctId": nctId = try r.string()
                case "orgStudyIdInfo": module.orgStudyId = try idInfo(&r)
                case "secondaryIdInfos":
                    try r.array { r throws(RecordError) in
                        if let id = try idInfo(&r) { module.secondaryIds.append(id) }
                    }
                case "nctIdAliases": module.nctIdAliases = try r.strings()
                case "briefTitle": module.briefTitle = try r.optionalString()
                case "officialTitle": module.officialTitle = try r.optionalString()
                case "acronym": module.acronym = try r.optionalString()
                default: try r.skip()
                }
            }
            guard let nctId else { throw missing(r, "nctId") }
            module.nctId = nctId
            self = module
        }

        /// `{"id": …}`; the id is required when the object is present.
        private func idInfo(_ r: inout JSONReader) throws(RecordError) -> String? {
            var id: String?
            var present = false
            try r.object { r, key throws(RecordError) in
                present = true
                if key == "id" { id = try r.string() } else { try r.skip() }
            }
            if present, id == nil { throw missing(r, "id") }
            return id
        }
    }

    /// `{"date": …}` structs; the date is required when the struct is present.
    static func dateStruct(_ r: inout JSONReader) throws(RecordError) -> PartialDate? {
        var date: PartialDate?
        var present = false
        try r.object { r, key throws(RecordError) in
            present = true
            guard key == "date" else { return try r.skip() }
            let text = try r.string()
            do throws(RecordError) {
                date = try PartialDate(parsing: text)
            } catch {
                throw r.error(error.reason)
            }
        }
        if present, date == nil { throw missing(r, "date") }
        return date
    }

    struct StatusModule {
        var overallStatus = OverallStatus.unknown
        var whyStopped: String?
        var start: PartialDate?
        var primaryCompletion: PartialDate?
        var completion: PartialDate?
        var firstPosted: PartialDate?
        var lastUpdatePosted = PartialDate(year: 1900, month: 1)

        init() {}

        init(_ r: inout JSONReader) throws(RecordError) {
            var module = StatusModule()
            var status: OverallStatus?
            var lastUpdate: PartialDate?
            try r.object { r, key throws(RecordError) in
                switch key {
                case "overallStatus": status = try coded(&r)
                case "whyStopped": module.whyStopped = try r.optionalString()
                case "startDateStruct": module.start = try V2Study.dateStruct(&r)
                case "primaryCompletionDateStruct": module.primaryCompletion = try V2Study.dateStruct(&r)
                case "completionDateStruct": module.completion = try V2Study.dateStruct(&r)
                case "studyFirstPostDateStruct": module.firstPosted = try V2Study.dateStruct(&r)
                case "lastUpdatePostDateStruct": lastUpdate = try V2Study.dateStruct(&r)
                default: try r.skip()
                }
            }
            guard let status else { throw missing(r, "overallStatus") }
            guard let lastUpdate else { throw missing(r, "lastUpdatePostDateStruct") }
            module.overallStatus = status
            module.lastUpdatePosted = lastUpdate
            self = module
        }
    }

    static func sponsor(_ r: inout JSONReader) throws(RecordError) -> Sponsor? {
        var name: String?
        var agencyClass: AgencyClass?
        var present = false
        try r.object { r, key throws(RecordError) in
            present = true
            switch key {
            case "name": name = try r.string()
            case "class": agencyClass = try coded(&r)
            default: try r.skip()
            }
        }
        guard present else { return nil }
        guard let name else { throw missing(r, "name") }
        return Sponsor(name: name, agencyClass: agencyClass ?? .unknown)
    }

    struct SponsorModule {
        var leadSponsor: Sponsor?
        var collaborators: [Sponsor] = []

        init(_ r: inout JSONReader) throws(RecordError) {
            var lead: Sponsor?
            var collaborators: [Sponsor] = []
            try r.object { r, key throws(RecordError) in
                switch key {
                case "leadSponsor": lead = try V2Study.sponsor(&r)
                case "collaborators":
                    try r.array { r throws(RecordError) in
                        if let sponsor = try V2Study.sponsor(&r) { collaborators.append(sponsor) }
                    }
                default: try r.skip()
                }
            }
            leadSponsor = lead
            self.collaborators = collaborators
        }
    }

    struct DescriptionModule {
        var briefSummary: String?
        var detailedDescription: String?

        init(_ r: inout JSONReader) throws(RecordError) {
            var summary: String?
            var description: String?
            try r.object { r, key throws(RecordError) in
                switch key {
                case "briefSummary": summary = try r.optionalString()
                case "detailedDescription": description = try r.optionalString()
                default: try r.skip()
                }
            }
            briefSummary = summary
            detailedDescription = description
        }
    }

    struct ConditionsModule {
        var conditions: [String] = []
        var keywords: [String] = []

        init(_ r: inout JSONReader) throws(RecordError) {
            var conditions: [String] = []
            var keywords: [String] = []
            try r.object { r, key throws(RecordError) in
                switch key {
                case "conditions": conditions = try r.strings()
                case "keywords": keywords = try r.strings()
                default: try r.skip()
                }
            }
            self.conditions = conditions
            self.keywords = keywords
        }
    }

    struct DesignModule {
        var studyType: StudyType?
        var phases: [Phase] = []
        var enrollment: Int?

        init(_ r: inout JSONReader) throws(RecordError) {
            var studyType: StudyType?
            var phases: [Phase] = []
            var enrollment: Int?
            try r.object { r, key throws(RecordError) in
                switch key {
                case "studyType": studyType = try coded(&r)
                case "phases":
                    try r.array { r throws(RecordError) in
                        if let phase: Phase = try coded(&r) { phases.append(phase) }
                    }
                case "enrollmentInfo":
                    try r.object { r, key throws(RecordError) in
                        if key == "count" { enrollment = try r.optionalInt() } else { try r.skip() }
                    }
                default: try r.skip()
                }
            }
            self.studyType = studyType
            self.phases = phases
            self.enrollment = enrollment
        }
    }

    struct InterventionEntry {
        var type: InterventionType?
        var name = ""
        var description: String?
        var otherNames: [String] = []

        init(_ r: inout JSONReader) throws(RecordError) {
            var entry = InterventionEntry()
            var name: String?
            try r.object { r, key throws(RecordError) in
                switch key {
                case "type": entry.type = try coded(&r)
                case "name": name = try r.string()
                case "description": entry.description = try r.optionalString()
                case "otherNames": entry.otherNames = try r.strings()
                default: try r.skip()
                }
            }
            guard let name else { throw missing(r, "name") }
            entry.name = name
            self = entry
        }

        private init() {}
    }

    struct EligibilityModule {
        var eligibilityCriteria: String?
        var healthyVolunteers: Bool?
        var sex: Sex?
        var minimumAge: String?
        var maximumAge: String?
        var stdAges: [AgeGroup]?

        init(_ r: inout JSONReader) throws(RecordError) {
            var module = EligibilityModule()
            try r.object { r, key throws(RecordError) in
                switch key {
                case "eligibilityCriteria": module.eligibilityCriteria = try r.optionalString()
                case "healthyVolunteers": module.healthyVolunteers = try r.optionalBool()
                case "sex": module.sex = try coded(&r)
                case "minimumAge": module.minimumAge = try r.optionalString()
                case "maximumAge": module.maximumAge = try r.optionalString()
                case "stdAges":
                    var groups: [AgeGroup] = []
                    try r.array { r throws(RecordError) in
                        if let group: AgeGroup = try coded(&r) { groups.append(group) }
                    }
                    module.stdAges = groups
                default: try r.skip()
                }
            }
            self = module
        }

        private init() {}
    }

    static func contact(_ r: inout JSONReader) throws(RecordError) -> Contact {
        var contact = Contact()
        var phoneExt: String?
        try r.object { r, key throws(RecordError) in
            switch key {
            case "name": contact.name = try r.optionalString()
            case "role": contact.role = try r.optionalString()
            case "phone": contact.phone = try r.optionalString()
            case "phoneExt": phoneExt = try r.optionalString()
            case "email": contact.email = try r.optionalString()
            default: try r.skip()
            }
        }
        if let number = contact.phone, let phoneExt { contact.phone = "\(number) ext. \(phoneExt)" }
        return contact
    }

    static func location(_ r: inout JSONReader) throws(RecordError) -> Location {
        var location = Location()
        try r.object { r, key throws(RecordError) in
            switch key {
            case "facility": location.facility = try r.optionalString()
            case "status": location.status = try coded(&r)
            case "city": location.city = try r.optionalString()
            case "state": location.state = try r.optionalString()
            case "zip": location.postalCode = try r.optionalString()
            case "country": location.country = try r.optionalString().map(Country.canonical)
            case "geoPoint":
                var latitude: Double?
                var longitude: Double?
                var present = false
                try r.object { r, key throws(RecordError) in
                    present = true
                    switch key {
                    case "lat": latitude = try r.double()
                    case "lon": longitude = try r.double()
                    default: try r.skip()
                    }
                }
                if present {
                    guard let latitude else { throw missing(r, "lat") }
                    guard let longitude else { throw missing(r, "lon") }
                    location.geo = GeoPoint(latitude: latitude, longitude: longitude)
                }
            case "contacts":
                try r.array { r throws(RecordError) in location.contacts.append(try V2Study.contact(&r)) }
            default: try r.skip()
            }
        }
        return location
    }

    struct ContactsModule {
        var centralContacts: [Contact] = []
        var locations: [Location] = []

        init(_ r: inout JSONReader) throws(RecordError) {
            var central: [Contact] = []
            var locations: [Location] = []
            try r.object { r, key throws(RecordError) in
                switch key {
                case "centralContacts":
                    try r.array { r throws(RecordError) in central.append(try V2Study.contact(&r)) }
                case "locations":
                    try r.array { r throws(RecordError) in locations.append(try V2Study.location(&r)) }
                default: try r.skip()
                }
            }
            centralContacts = central
            self.locations = locations
        }
    }

    struct DerivedSection {
        var conditionMeshes: [String] = []
        var interventionMeshes: [String] = []

        init(_ r: inout JSONReader) throws(RecordError) {
            var conditions: [String] = []
            var interventions: [String] = []
            try r.object { r, key throws(RecordError) in
                switch key {
                case "conditionBrowseModule": conditions = try DerivedSection.meshTerms(&r)
                case "interventionBrowseModule": interventions = try DerivedSection.meshTerms(&r)
                default: try r.skip()
                }
            }
            conditionMeshes = conditions
            interventionMeshes = interventions
        }

        /// `{"meshes": [{"term": …}]}`.
        static func meshTerms(_ r: inout JSONReader) throws(RecordError) -> [String] {
            var terms: [String] = []
            try r.object { r, key throws(RecordError) in
                guard key == "meshes" else { return try r.skip() }
                try r.array { r throws(RecordError) in
                    var term: String?
                    try r.object { r, key throws(RecordError) in
                        if key == "term" { term = try r.string() } else { try r.skip() }
                    }
                    guard let term else { throw missing(r, "term") }
                    terms.append(term)
                }
            }
            return terms
        }
    }

    func trial() throws(RecordError) -> Trial {
        guard let p = protocolSection else {
            throw RecordError(field: "protocolSection", reason: "required field is missing")
        }
        let id = p.identificationModule
        try NCTId.validate(id.nctId, field: "protocolSection.identificationModule.nctId")
        guard let title = (id.briefTitle ?? id.officialTitle)?.nonEmpty else {
            throw RecordError(field: "protocolSection.identificationModule.briefTitle", reason: "required field is missing")
        }
        let eligibilityModule = p.eligibilityModule
        let minimumAge: AgeLimit?
        let maximumAge: AgeLimit?
        do {
            minimumAge = try eligibilityModule?.minimumAge.flatMap { text throws(RecordError) in try AgeLimit.parse(text) }
            maximumAge = try eligibilityModule?.maximumAge.flatMap { text throws(RecordError) in try AgeLimit.parse(text) }
        } catch {
            throw RecordError(field: "protocolSection.eligibilityModule", reason: error.reason)
        }
        let status = p.statusModule
        let sponsors = p.sponsorCollaboratorsModule
        return Trial(
            nctId: id.nctId,
            orgStudyId: id.orgStudyId?.nonEmpty,
            secondaryIds: id.secondaryIds + id.nctIdAliases,
            briefTitle: title,
            officialTitle: id.officialTitle?.nonEmpty,
            acronym: id.acronym?.nonEmpty,
            briefSummary: p.descriptionModule?.briefSummary?.nonEmpty,
            detailedDescription: p.descriptionModule?.detailedDescription?.nonEmpty,
            conditions: p.conditionsModule?.conditions ?? [],
            keywords: p.conditionsModule?.keywords ?? [],
            conditionMeshTerms: derivedSection?.conditionMeshes ?? [],
            interventionMeshTerms: derivedSection?.interventionMeshes ?? [],
            interventions: (p.armsInterventionsModule ?? []).map {
                Intervention(
                    type: $0.type ?? .other, name: $0.name, description: $0.description?.nonEmpty,
                    otherNames: $0.otherNames)
            },
            phases: p.designModule?.phases ?? [],
            studyType: p.designModule?.studyType ?? .interventional,
            overallStatus: status.overallStatus,
            whyStopped: status.whyStopped?.nonEmpty,
            dates: KeyDates(
                start: status.start,
                primaryCompletion: status.primaryCompletion,
                completion: status.completion,
                firstPosted: status.firstPosted,
                lastUpdatePosted: status.lastUpdatePosted
            ),
            leadSponsor: sponsors?.leadSponsor ?? Sponsor(name: "Unknown", agencyClass: .unknown),
            collaborators: sponsors?.collaborators ?? [],
            enrollment: p.designModule?.enrollment,
            eligibility: Eligibility(
                criteria: eligibilityModule?.eligibilityCriteria?.nonEmpty,
                sex: eligibilityModule?.sex ?? .all,
                minimumAge: minimumAge,
                maximumAge: maximumAge,
                healthyVolunteers: eligibilityModule?.healthyVolunteers,
                ageGroups: eligibilityModule?.stdAges
            ),
            centralContacts: p.contactsLocationsModule?.centralContacts ?? [],
            locations: p.contactsLocationsModule?.locations ?? [],
            sourceFormat: .ctgovJSON
        )
    }
}

/// ClinicalTrials.gov identifiers.
public enum NCTId {
    /// Checks the `NCT` + 8 digits shape.
    public static func isValid(_ id: String) -> Bool {
        let utf8 = Array(id.utf8)
        guard utf8.count == 11, utf8[0] == UInt8(ascii: "N"), utf8[1] == UInt8(ascii: "C"),
            utf8[2] == UInt8(ascii: "T")
        else { return false }
        return utf8[3...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func validate(_ id: String, field: String) throws(RecordError) {
        guard !id.isEmpty else { throw RecordError(field: field, reason: "required field is missing") }
        guard isValid(id) else { throw RecordError(field: field, reason: "not an NCT id: \"\(id)\"") }
    }
}

