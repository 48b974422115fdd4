import Foundation
import Testing

@testable import Trials

@Suite("Reading ClinicalTrials.gov records")
struct RecordTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name))
    }

    @Test("an API v2 study keeps every field people need")
    func apiV2Study() throws {
        let trial = try CTGovJSON.trial(from: Self.fixture("NCT03390920.json"))
        #expect(trial.nctId == "NCT03390920")
        #expect(trial.orgStudyId == "#2017/05/6")
        #expect(trial.officialTitle == "Evaluation of Regenerative Medicine Outcomes With Umbilical Allograft for Musculoskeletal Conditions")
        #expect(trial.overallStatus == .notYetRecruiting)
        #expect(trial.phases == [.notApplicable])
        #expect(trial.studyType == .interventional)
        #expect(trial.dates.start == PartialDate(year: 2022, month: 1, day: 1))
        #expect(trial.dates.firstPosted == PartialDate(year: 2018, month: 1, day: 4))
        #expect(trial.dates.lastUpdatePosted.description == "2021-09-17")
        #expect(trial.leadSponsor == Sponsor(name: "R3 Stem Cell", agencyClass: .industry))
        #expect(trial.leadSponsor.agencyClass.category == .industry)
        #expect(trial.enrollment == 200)
        #expect(trial.conditions.first == "Osteoarthritis")
        #expect(trial.keywords.contains("stem cell"))
        #expect(trial.conditionMeshTerms.contains("Osteoarthritis"))
        #expect(trial.eligibility.minimumAge == AgeLimit(value: 18, unit: .years))
        #expect(trial.eligibility.maximumAge == nil)
        #expect(trial.eligibility.healthyVolunteers == true)
        #expect(trial.eligibility.ageGroups == [.adult, .olderAdult])
        #expect(trial.eligibility.criteria?.hasPrefix("Inclusion Criteria:") == true)
        #expect(trial.centralContacts.first?.email == "dgreene@r3stemcell.com")
        let site = try #require(trial.locations.first)
        #expect(site.city == "Encino")
        #expect(site.postalCode == "91316")
        #expect(site.geo == GeoPoint(latitude: 34.15917, longitude: -118.50119))
        #expect(site.contacts.first?.phone == "844-438-7836")
        #expect(trial.sourceFormat == .ctgovJSON)
    }

    @Test("a legacy XML study reads into the same shape")
    func legacyXML() throws {
        let trial = try CTGovXML.trial(from: Self.fixture("NCT00000114.xml"))
        #expect(trial.nctId == "NCT00000114")
        #expect(trial.briefTitle == "Randomized Trial of Vitamin A and Vitamin E Supplementation for Retinitis Pigmentosa")
        #expect(trial.overallStatus == .completed)
        #expect(trial.phases == [.phase3])
        #expect(trial.dates.start == PartialDate(year: 1984, month: 5))
        #expect(trial.dates.lastUpdatePosted == PartialDate(year: 2009, month: 9, day: 17))
        #expect(trial.leadSponsor.agencyClass == .nih)
        #expect(trial.leadSponsor.agencyClass.category == .government)
        #expect(trial.interventions.map(\.name) == ["Vitamin E", "Vitamin A"])
        #expect(trial.interventions.allSatisfy { $0.type == .drug })
        #expect(trial.eligibility.maximumAge == AgeLimit(value: 49, unit: .years))
        #expect(trial.eligibility.ageGroups == [.adult])
        #expect(trial.keywords == ["retinitis pigmentosa", "vitamin supplements"])
        // Hard-wrapped lines are joined back into one paragraph.
        let criteria = try #require(trial.eligibility.criteria)
        #expect(criteria.hasPrefix("Men and nonpregnant women between ages 18 and 49 years with common forms of RP were included."))
        #expect(!criteria.contains("\n"))
        #expect(trial.sourceFormat == .ctgovXML)
    }

    @Test("an AllPublicXML JSON line is read through its xml field")
    func xmlLine() throws {
        let xml = String(decoding: try Self.fixture("NCT00000114.xml"), as: UTF8.self)
        let line = try JSONSerialization.data(withJSONObject: ["nct_id": "NCT00000114", "xml": xml])
        let result = try #require(StudySources.line(line, number: 1, file: "f"))
        let record = try result.get()
        #expect(record.trial.nctId == "NCT00000114")
        #expect(record.raw == Data(xml.utf8))
    }

    @Test("dates: both spellings, month precision, impossible dates rejected")
    func dates() throws {
        #expect(try PartialDate(parsing: "2015-08").description == "2015-08")
        #expect(try PartialDate(parsing: "2015-08-04").description == "2015-08-04")
        #expect(try PartialDate(parsing: "August 4, 2015") == PartialDate(year: 2015, month: 8, day: 4))
        #expect(try PartialDate(parsing: "January 2004") == PartialDate(year: 2004, month: 1))
        #expect(try PartialDate(parsing: "2024-02-29").day == 29)
        for bad in ["2023-02-29", "February 30, 2004", "2015-13", "2015-00-10", "someday", "", "1015-01"] {
            #expect(throws: RecordError.self, "\(bad)") { try PartialDate(parsing: bad) }
        }
        #expect(try PartialDate(parsing: "2015-08") < PartialDate(parsing: "2015-08-01"))
        #expect(try PartialDate(parsing: "2015-08-31") < PartialDate(parsing: "2015-09"))
    }

    @Test("age limits keep their unit and compare in years")
    func ages() throws {
        #expect(try AgeLimit.parse("N/A") == nil)
        #expect(try AgeLimit.parse("6 Months")?.years == 0.5)
        #expect(try AgeLimit.parse("1 Year") == AgeLimit(value: 1, unit: .years))
        #expect(try AgeLimit.parse("28 Days")?.text == "28 Days")
        #expect(try #require(try AgeLimit.parse("18 Months")) > #require(try AgeLimit.parse("1 Year")))
        #expect(throws: RecordError.self) { try AgeLimit.parse("eighteen years") }
        #expect(throws: RecordError.self) { try AgeLimit.parse("18 Fortnights") }
        let eligibility = Eligibility(minimumAge: AgeLimit(value: 6, unit: .months), maximumAge: AgeLimit(value: 17, unit: .years))
        #expect(eligibility.ageGroups == [.child])
        #expect(eligibility.accepts(ageInYears: 17.5) == false)
        #expect(eligibility.accepts(ageInYears: 0.5))
        #expect(Eligibility(minimumAge: AgeLimit(value: 65, unit: .years)).ageGroups == [.olderAdult])
    }

    @Test("legacy vocabularies map to API v2 values")
    func vocabularies() {
        #expect(OverallStatus(legacy: "Active, not recruiting") == .activeNotRecruiting)
        #expect(OverallStatus(legacy: "Unknown status") == .unknown)
        #expect(OverallStatus(legacy: "Not yet recruiting") == .notYetRecruiting)
        #expect(Phase.legacy("Phase 1/Phase 2") == [.phase1, .phase2])
        #expect(Phase.legacy("Early Phase 1") == [.earlyPhase1])
        #expect(Phase.legacy("Phase 5") == nil)
        #expect(StudyType(legacy: "Observational [Patient Registry]") == .observational)
        #expect(InterventionType(legacy: "Dietary Supplement") == .dietarySupplement)
        #expect(AgencyClass(legacy: "U.S. Fed") == .fed)
        #expect(SiteStatus(legacy: "Recruiting") == .recruiting)
    }

    @Test("malformed records name the field")
    func malformed() {
        let cases: [(String, String)] = [
            (#"{"protocolSection": {"identificationModule": {"nctId": "NCT123"}, "statusModule": {"overallStatus": "RECRUITING", "lastUpdatePostDateStruct": {"date": "2020-01-01"}}}}"#, "protocolSection.identificationModule.nctId"),
            (#"{"protocolSection": {"identificationModule": {"nctId": "NCT00000001", "briefTitle": "x"}, "statusModule": {"overallStatus": "OPEN", "lastUpdatePostDateStruct": {"date": "2020-01-01"}}}}"#, "protocolSection.statusModule.overallStatus"),
            (#"{"protocolSection": {"identificationModule": {"nctId": "NCT00000001", "briefTitle": "x"}, "statusModule": {"overallStatus": "RECRUITING"}}}"#, "protocolSection.statusModule.lastUpdatePostDateStruct"),
            (#"{"protocolSection": {"identificationModule": {"nctId": 12}}}"#, "protocolSection.identificationModule.nctId"),
            (#"{"hello": 1}"#, "protocolSection"),
            (#"{"protocolSection": "#, "json"),
        ]
        for (json, field) in cases {
            let error = #expect(throws: RecordError.self, "\(json)") { try CTGovJSON.trial(from: Data(json.utf8)) }
            #expect(error?.field == field, "\(json) → \(String(describing: error))")
        }
    }

    @Test("file shapes are recognised from the first line")
    func shapes() {
        #expect(StudySources.shape(firstLine: Data("<clinical_study>".utf8)) == .xml)
        #expect(StudySources.shape(firstLine: Data(#"{"protocolSection": {}}"#.utf8)) == .jsonLines)
        #expect(StudySources.shape(firstLine: Data(#"{"studies": [], "nextPageToken": "x"}"#.utf8)) == .jsonDocument)
        #expect(StudySources.shape(firstLine: Data("[".utf8)) == .jsonDocument)
        #expect(StudySources.shape(firstLine: Data("{".utf8)) == .jsonDocument)
    }

    @Test("changes between versions: status and sites, in a stable order")
    func changes() throws {
        var old = try CTGovJSON.trial(from: Self.fixture("NCT03390920.json"))
        var new = old
        new.overallStatus = .recruiting
        new.locations[0].status = .recruiting
        new.locations.append(Location(facility: "CHUM", city: "Montréal", country: "Canada"))
        old.locations.append(Location(facility: "Closed site", city: "Boston", country: "United States"))
        let changes = TrialChange.between(old, new)
        #expect(changes.map(\.kind) == [.statusChanged, .siteStatusChanged, .siteAdded, .siteRemoved])
        #expect(changes[2].site == "CHUM | Montréal | Canada")
        #expect(TrialChange.between(new, new).isEmpty)
    }

    @Test("text blocks: wrapped lines joined, bullets kept")
    func textBlocks() {
        let raw = "\n        Inclusion Criteria:\r\n\r\n          -  age 18 or\r\n             older\r\n\r\n          -  ECOG 0-1\r\n\r\n        Exclusion Criteria:\r\n\r\n          1. pregnancy\r\n          2. HIV\r\n      "
        #expect(TextBlock.unwrap(raw) == "Inclusion Criteria:\n\n-  age 18 or older\n\n-  ECOG 0-1\n\nExclusion Criteria:\n\n1. pregnancy\n2. HIV")
    }

    @Test("synthetic studies are deterministic, new ids, real fields")
    func synthetic() throws {
        let donor = try Self.fixture("NCT03390920.json")
        var a = SyntheticTrials(donors: [donor, donor], seed: 7)
        var b = SyntheticTrials(donors: [donor, donor], seed: 7)
        let first = a.study(42)
        #expect(first == b.study(42))
        let trial = try CTGovJSON.trial(from: first)
        #expect(trial.nctId == "NCT90000042")
        #expect(trial.conditions.contains("Osteoarthritis"))
    }
}

@Suite("Countries")
struct CountryTests {
    @Test("old and new ClinicalTrials.gov spellings give one name")
    func canonicalNames() {
        #expect(Country.canonical("Korea, Republic of") == "South Korea")
        #expect(Country.canonical("Russian Federation") == "Russia")
        #expect(Country.canonical("Czech Republic") == Country.canonical("Czechia"))
        #expect(Country.canonical(" Canada ") == "Canada")
    }
}
