import API
import Search
import Trials

/// A stored trial as the API's `TrialRecord`: labels in the requested language, criteria split for reading, sites
/// placed in their province and Québec health region.
enum TrialRecordMapper {
    static func make(_ trial: Trial, geography: Geography, labels: Labels) -> Components.Schemas.TrialRecord {
        let criteria = CriteriaText(trial.eligibility.criteria ?? "")
        let eligibility = trial.eligibility
        return Components.Schemas.TrialRecord(
            nctId: trial.nctId, title: trial.briefTitle, officialTitle: trial.officialTitle, acronym: trial.acronym,
            summary: trial.briefSummary, description: trial.detailedDescription,
            status: labels.label("status", trial.overallStatus.rawValue), whyStopped: trial.whyStopped,
            phases: trial.phases.map { labels.label("phase", $0.rawValue) },
            studyType: labels.label("studyType", trial.studyType.rawValue), conditions: trial.conditions,
            keywords: trial.keywords,
            interventions: trial.interventions.map {
                .init(_type: $0.type.rawValue, name: $0.name, description: $0.description, otherNames: $0.otherNames)
            },
            sponsor: .init(
                name: trial.leadSponsor.name,
                category: labels.label("sponsorCategory", trial.leadSponsor.agencyClass.category.rawValue)),
            collaborators: trial.collaborators.map(\.name), enrollment: trial.enrollment,
            startDate: trial.dates.start?.description, primaryCompletionDate: trial.dates.primaryCompletion?.description,
            completionDate: trial.dates.completion?.description, firstPosted: trial.dates.firstPosted?.description,
            lastUpdate: trial.dates.lastUpdatePosted.description,
            eligibility: .init(
                sex: eligibility.sex.rawValue, minimumAge: eligibility.minimumAge.map(labels.age),
                maximumAge: eligibility.maximumAge.map(labels.age), healthyVolunteers: eligibility.healthyVolunteers,
                ageGroups: eligibility.ageGroups.map(\.rawValue), criteria: eligibility.criteria,
                inclusion: criteria.inclusion, exclusion: criteria.exclusion),
            contacts: trial.centralContacts.map(contact),
            sites: trial.locations.map { location in
                let place = geography.place(of: location)
                return .init(
                    facility: location.facility, status: location.status?.rawValue, city: location.city,
                    state: location.state, postalCode: location.postalCode, country: location.country,
                    province: place.province?.rawValue, healthRegion: place.healthRegion?.code,
                    latitude: location.geo?.latitude, longitude: location.geo?.longitude,
                    contacts: location.contacts.map(contact))
            },
            cgt: .init(
                types: trial.cgt.types.map { labels.label("cgt", $0.rawValue) }, vector: trial.cgt.vector?.rawValue,
                containmentLevel: trial.cgt.containmentLevel?.rawValue, evidence: trial.cgt.evidence),
            url: "https://clinicaltrials.gov/study/\(trial.nctId)")
    }

    static func contact(_ contact: Contact) -> Components.Schemas.ContactPoint {
        .init(name: contact.name, role: contact.role, phone: contact.phone, email: contact.email)
    }
}

/// A trial as a FHIR R4 ResearchStudy (https://hl7.org/fhir/R4/researchstudy.html). Status and phase use the R4
/// value sets; conditions and keywords are text-only CodeableConcepts; countries go in `location`, facilities in
/// `site` as display-only references.
enum FHIRResearchStudy {
    static func make(_ trial: Trial) -> Components.Schemas.ResearchStudy {
        let phaseCode = phase(trial.phases)
        return Components.Schemas.ResearchStudy(
            resourceType: .researchStudy, id: trial.nctId,
            meta: .init(lastUpdated: nil),
            identifier: [.init(system: "https://clinicaltrials.gov", value: trial.nctId)]
                + (trial.orgStudyId.map { [.init(system: "urn:passerelle:org-study-id", value: $0)] } ?? []),
            title: trial.officialTitle ?? trial.briefTitle,
            status: .init(rawValue: status(trial.overallStatus)) ?? .active,
            primaryPurposeType: nil,
            phase: .init(
                coding: [
                    .init(
                        system: "http://terminology.hl7.org/CodeSystem/research-study-phase", code: phaseCode,
                        display: phaseCode)
                ], text: trial.phases.map(\.rawValue).joined(separator: "/")),
            category: [.init(coding: nil, text: trial.studyType.rawValue)],
            condition: trial.conditions.map { .init(coding: nil, text: $0) },
            keyword: trial.keywords.map { .init(coding: nil, text: $0) },
            location: trial.countries.map {
                .init(coding: nil, text: $0)
            },
            description: trial.briefSummary,
            period: .init(start: trial.dates.start.map(fhirDate), end: trial.dates.completion.map(fhirDate)),
            sponsor: .init(display: trial.leadSponsor.name),
            contact: trial.centralContacts.map { contact in
                .init(
                    name: contact.name,
                    telecom: [contact.phone.map { .init(system: .phone, value: $0) }, contact.email.map { .init(system: .email, value: $0) }]
                        .compactMap { $0 })
            },
            site: trial.locations.map { location in
                .init(display: [location.facility, location.city, location.country].compactMap { $0 }.joined(separator: ", "))
            })
    }

    /// ClinicalTrials.gov overall status → R4 research-study-status.
    static func status(_ status: OverallStatus) -> String {
        switch status {
        case .recruiting, .available: "active"
        case .notYetRecruiting: "approved"
        case .enrollingByInvitation: "active"
        case .activeNotRecruiting: "closed-to-accrual"
        case .suspended, .temporarilyNotAvailable: "temporarily-closed-to-accrual"
        case .terminated: "administratively-completed"
        case .completed, .noLongerAvailable, .approvedForMarketing: "completed"
        case .withdrawn: "withdrawn"
        case .unknown, .withheld: "in-review"
        }
    }

    /// ClinicalTrials.gov phases → R4 research-study-phase.
    static func phase(_ phases: [Phase]) -> String {
        let set = Set(phases)
        if set == [.phase1, .phase2] { return "phase-1-phase-2" }
        if set == [.phase2, .phase3] { return "phase-2-phase-3" }
        switch phases.first {
        case .earlyPhase1: return "early-phase-1"
        case .phase1: return "phase-1"
        case .phase2: return "phase-2"
        case .phase3: return "phase-3"
        case .phase4: return "phase-4"
        case .notApplicable, nil: return "n-a"
        }
    }

    /// FHIR `date`: year-month or full date.
    static func fhirDate(_ date: PartialDate) -> String { date.description }
}
