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
        let study: V2Study
        do {
            study = try JSONDecoder().decode(V2Study.self, from: data)
            if study.protocolSection == nil {
                guard let xml = study.xml else {
                    throw RecordError(field: "protocolSection", reason: "required field is missing")
                }
                let document = Data(xml.utf8)
                return (try CTGovXML.trial(from: document), document)
            }
        } catch let error as DecodingError {
            throw RecordError(decoding: error)
        } catch let error as RecordError {
            throw error
        } catch {
            throw RecordError(field: "study", reason: "\(error)")
        }
        return (try study.trial(), nil)
    }
}

extension RecordError {
    /// Turns a decoding failure into a field path and a short reason.
    init(decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(field: path(context.codingPath), reason: "expected \(type)")
        case .valueNotFound(let type, let context):
            self.init(field: path(context.codingPath), reason: "missing \(type) value")
        case .keyNotFound(let key, let context):
            self.init(field: path(context.codingPath + [key]), reason: "required field is missing")
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as? RecordError {
                self.init(field: path(context.codingPath), reason: underlying.reason)
            } else if context.codingPath.isEmpty {
                self.init(field: "json", reason: "malformed JSON")
            } else {
                self.init(field: path(context.codingPath), reason: context.debugDescription)
            }
        @unknown default:
            self.init(field: "study", reason: "\(error)")
        }
    }
}

/// A decodable string enum that reports the bad value and the allowed ones.
private struct Coded<Value: RawRepresentable & CaseIterable & Sendable>: Decodable, Sendable
where Value.RawValue == String {
    var value: Value

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Value(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown value \"\(text)\""))
        }
        self.value = value
    }
}

// The subset of the API v2 schema Passerelle reads. Names follow the API exactly.
private struct V2Study: Decodable {
    var protocolSection: ProtocolSection?
    var derivedSection: DerivedSection?
    /// Set instead of `protocolSection` in AllPublicXML JSON-lines files.
    var xml: String?

    struct ProtocolSection: Decodable {
        var identificationModule: IdentificationModule
        var statusModule: StatusModule
        var sponsorCollaboratorsModule: SponsorModule?
        var descriptionModule: DescriptionModule?
        var conditionsModule: ConditionsModule?
        var designModule: DesignModule?
        var armsInterventionsModule: ArmsModule?
        var eligibilityModule: EligibilityModule?
        var contactsLocationsModule: ContactsModule?
    }

    struct IdentificationModule: Decodable {
        var nctId: String
        var orgStudyIdInfo: IdInfo?
        var secondaryIdInfos: [IdInfo]?
        var nctIdAliases: [String]?
        var briefTitle: String?
        var officialTitle: String?
        var acronym: String?
    }

    struct IdInfo: Decodable { var id: String }

    struct DateStruct: Decodable { var date: PartialDate }

    struct StatusModule: Decodable {
        var overallStatus: Coded<OverallStatus>
        var whyStopped: String?
        var startDateStruct: DateStruct?
        var primaryCompletionDateStruct: DateStruct?
        var completionDateStruct: DateStruct?
        var studyFirstPostDateStruct: DateStruct?
        var lastUpdatePostDateStruct: DateStruct
    }

    struct SponsorEntry: Decodable {
        var name: String
        var `class`: Coded<AgencyClass>?
    }

    struct SponsorModule: Decodable {
        var leadSponsor: SponsorEntry?
        var collaborators: [SponsorEntry]?
    }

    struct DescriptionModule: Decodable {
        var briefSummary: String?
        var detailedDescription: String?
    }

    struct ConditionsModule: Decodable {
        var conditions: [String]?
        var keywords: [String]?
    }

    struct DesignModule: Decodable {
        var studyType: Coded<StudyType>?
        var phases: [Coded<Phase>]?
        var enrollmentInfo: EnrollmentInfo?
    }

    struct EnrollmentInfo: Decodable { var count: Int? }

    struct ArmsModule: Decodable {
        var interventions: [InterventionEntry]?
    }

    struct InterventionEntry: Decodable {
        var type: Coded<InterventionType>?
        var name: String
        var description: String?
        var otherNames: [String]?
    }

    struct EligibilityModule: Decodable {
        var eligibilityCriteria: String?
        var healthyVolunteers: Bool?
        var sex: Coded<Sex>?
        var minimumAge: String?
        var maximumAge: String?
        var stdAges: [Coded<AgeGroup>]?
    }

    struct ContactEntry: Decodable {
        var name: String?
        var role: String?
        var phone: String?
        var phoneExt: String?
        var email: String?

        var contact: Contact {
            let fullPhone = phone.map { number in phoneExt.map { "\(number) ext. \($0)" } ?? number }
            return Contact(name: name, role: role, phone: fullPhone, email: email)
        }
    }

    struct GeoEntry: Decodable {
        var lat: Double
        var lon: Double
    }

    struct LocationEntry: Decodable {
        var facility: String?
        var status: Coded<SiteStatus>?
        var city: String?
        var state: String?
        var zip: String?
        var country: String?
        var geoPoint: GeoEntry?
        var contacts: [ContactEntry]?
    }

    struct ContactsModule: Decodable {
        var centralContacts: [ContactEntry]?
        var locations: [LocationEntry]?
    }

    struct DerivedSection: Decodable {
        var conditionBrowseModule: BrowseModule?
        var interventionBrowseModule: BrowseModule?
    }

    struct BrowseModule: Decodable {
        var meshes: [Mesh]?
    }

    struct Mesh: Decodable { var term: String }

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
        let lead = sponsors?.leadSponsor.map { Sponsor(name: $0.name, agencyClass: $0.class?.value ?? .unknown) }
        return Trial(
            nctId: id.nctId,
            orgStudyId: id.orgStudyIdInfo?.id.nonEmpty,
            secondaryIds: (id.secondaryIdInfos ?? []).map(\.id) + (id.nctIdAliases ?? []),
            briefTitle: title,
            officialTitle: id.officialTitle?.nonEmpty,
            acronym: id.acronym?.nonEmpty,
            briefSummary: p.descriptionModule?.briefSummary?.nonEmpty,
            detailedDescription: p.descriptionModule?.detailedDescription?.nonEmpty,
            conditions: p.conditionsModule?.conditions ?? [],
            keywords: p.conditionsModule?.keywords ?? [],
            conditionMeshTerms: derivedSection?.conditionBrowseModule?.meshes?.map(\.term) ?? [],
            interventionMeshTerms: derivedSection?.interventionBrowseModule?.meshes?.map(\.term) ?? [],
            interventions: (p.armsInterventionsModule?.interventions ?? []).map {
                Intervention(
                    type: $0.type?.value ?? .other, name: $0.name, description: $0.description?.nonEmpty,
                    otherNames: $0.otherNames ?? [])
            },
            phases: (p.designModule?.phases ?? []).map(\.value),
            studyType: p.designModule?.studyType?.value ?? .interventional,
            overallStatus: status.overallStatus.value,
            whyStopped: status.whyStopped?.nonEmpty,
            dates: KeyDates(
                start: status.startDateStruct?.date,
                primaryCompletion: status.primaryCompletionDateStruct?.date,
                completion: status.completionDateStruct?.date,
                firstPosted: status.studyFirstPostDateStruct?.date,
                lastUpdatePosted: status.lastUpdatePostDateStruct.date
            ),
            leadSponsor: lead ?? Sponsor(name: "Unknown", agencyClass: .unknown),
            collaborators: (sponsors?.collaborators ?? []).map {
                Sponsor(name: $0.name, agencyClass: $0.class?.value ?? .unknown)
            },
            enrollment: p.designModule?.enrollmentInfo?.count,
            eligibility: Eligibility(
                criteria: eligibilityModule?.eligibilityCriteria?.nonEmpty,
                sex: eligibilityModule?.sex?.value ?? .all,
                minimumAge: minimumAge,
                maximumAge: maximumAge,
                healthyVolunteers: eligibilityModule?.healthyVolunteers,
                ageGroups: eligibilityModule?.stdAges.map { $0.map(\.value) }
            ),
            centralContacts: (p.contactsLocationsModule?.centralContacts ?? []).map(\.contact),
            locations: (p.contactsLocationsModule?.locations ?? []).map {
                Location(
                    facility: $0.facility, status: $0.status?.value, city: $0.city, state: $0.state,
                    postalCode: $0.zip, country: $0.country.map(Country.canonical),
                    geo: $0.geoPoint.map { GeoPoint(latitude: $0.lat, longitude: $0.lon) },
                    contacts: ($0.contacts ?? []).map(\.contact))
            },
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

extension String {
    /// The string, or `nil` when it is empty or only white space.
    var nonEmpty: String? {
        unicodeScalars.allSatisfy(\.properties.isWhitespace) ? nil : self
    }
}
