import Registry
import Testing

/// The worked example of docs/REGISTRY.md.
enum WorkedExample {
    static let patients = """
        id,birthYear,sex,region
        P-001,1962,female,06
        P-002,1958,male,03

        """
    static let episodes = """
        id,patientId,product,indication,centre,referralDate,approvalDate,apheresisDate,infusionDate,bridging,lymphodepletion
        E-001,P-001,axicabtagene-ciloleucel,lbcl,HMR,2024-01-08,2024-01-15,2024-01-22,2024-02-14,chemotherapy,flu-cy
        E-002,P-002,ciltacabtagene-autoleucel,mm,"CHU de Québec, Enfant-Jésus",2024-02-01,2024-02-09,2024-02-20,,none,none

        """
    static let toxicities = """
        episodeId,date,temperatureCelsius,feverMaskedByTreatment,hypotension,hypoxia,encephalopathyScreen,encephalopathyScore,consciousness,seizure,motor,intracranialPressure,tocilizumab,corticosteroids
        E-001,2024-02-16,39.2,false,not-requiring-vasopressors,none,ice,10,normal,none,none,none,true,false
        E-001,2024-02-19,37.1,false,none,none,ice,5,awakens-to-voice,none,none,none,false,true

        """
    static let responses = """
        episodeId,date,category
        E-001,2024-03-13,PR
        E-001,2024-05-14,CR

        """
    static let visits = """
        episodeId,date
        E-001,2024-05-24

        """
    static let deaths = """
        patientId,date,cause

        """
    static let costs = """
        id,episodeId,category,amountCAD,date
        C-001,E-001,acquisition,485000,2024-02-14
        C-002,E-001,hospitalisation,28000.00,2024-02-14
        C-003,E-001,tocilizumab,1100.5,2024-02-16

        """
    static var files: RegistryCSVFiles {
        RegistryCSVFiles(patients: patients, episodes: episodes, toxicities: toxicities, responses: responses,
                         visits: visits, deaths: deaths, costs: costs)
    }
}

@Suite struct RegistryCSVImportTests {
    static let today = Fixture.date("2025-06-01")

    @Test func workedExample() throws {
        let result = RegistryCSV.importTables(WorkedExample.files, asOf: Self.today)
        #expect(result.issues == [])
        let data = result.data
        let counts: [Int] = [data.patients.count, data.episodes.count, data.toxicities.count, data.responses.count,
                             data.visits.count, data.deaths.count, data.costs.count]
        #expect(counts == [2, 2, 2, 2, 1, 0, 3])
        #expect(data.episodes[1].centre == "CHU de Québec, Enfant-Jésus")
        #expect(data.episodes[1].infusionDate == nil)
        #expect(data.costs.map(\.amountCents) == [48_500_000, 2_800_000, 110_050])
        #expect(try data.peakToxicity() == [PeakToxicity(episodeId: "E-001", crsGrade: 2, icansGrade: 2)])
        #expect(data.bestResponse(episodeId: "E-001") == .completeResponse)
        #expect(data.validate(asOf: Self.today) == [])
    }

    @Test func everyFieldErrorOfARowIsReported() {
        var files = WorkedExample.files
        files.patients = "id,birthYear,sex,region\nP-001,1962,female,06\nP-002,19x8,male,19\n"
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        let patientIssues = result.issues.filter { $0.table == .patients }
        #expect(patientIssues.map(\.description) == [
            "patients.csv line 3 (P-002): birthYear: \"19x8\" is not an integer",
            "patients.csv line 3 (P-002): region: RSS code must be 01–18, got 19",
        ])
        #expect(result.data.patients.map(\.id) == ["P-001"])
        // E-002 belonged to the rejected patient.
        #expect(result.data.episodes.map(\.id) == ["E-001"])
        #expect(result.issues.contains { $0.table == .episodes && $0.line == 3 && $0.field == "patientId"
            && $0.reason == "unknown patient \"P-002\"" })
    }

    @Test func recordRulesRejectTheRow() {
        var files = WorkedExample.files
        files.patients = WorkedExample.patients + "P-003,2031,male,16\n"
        files.episodes = WorkedExample.episodes
            + "E-003,P-001,tisagenlecleucel,lbcl,HMR,2024-03-01,2024-03-05,2024-03-10,2024-03-09,none,flu-cy\n"
        files.deaths = "patientId,date,cause\nP-001,2024-02-10,disease-progression\n"
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        #expect(result.issues.map(\.description) == [
            "patients.csv line 4 (P-003): birthYear: 2031 is in the future",
            "episodes.csv line 4 (E-003): infusionDate: 2024-03-09 is before apheresisDate 2024-03-10",
            "deaths.csv line 2 (P-001): date: 2024-02-10 is before infusionDate 2024-02-14 of episode E-001",
        ])
        #expect(result.data.deaths.isEmpty)
    }

    @Test func duplicateKeysAreAllRejected() {
        var files = WorkedExample.files
        files.visits = "episodeId,date\nE-001,2024-05-24\nE-001,2024-08-14\nE-001,2024-05-24\n"
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        #expect(result.data.visits.map(\.date) == [Fixture.date("2024-08-14")])
        #expect(result.issues.map(\.description) == [
            "visits.csv line 2 (E-001@2024-05-24): duplicate key E-001@2024-05-24, also on line 4",
            "visits.csv line 4 (E-001@2024-05-24): duplicate key E-001@2024-05-24, also on line 2",
        ])
    }

    @Test func rowsOfRejectedParentsAreRejected() {
        var files = WorkedExample.files
        files.episodes = WorkedExample.episodes.replacingOccurrences(of: "2024-02-14,chemotherapy", with: "2024-02-14,surgery")
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        #expect(result.issues.first?.description
            == "episodes.csv line 2 (E-001): bridging: \"surgery\" is not one of none, chemotherapy, radiotherapy, chemoradiotherapy, corticosteroids, other")
        let kept: [Int] = [result.data.toxicities.count, result.data.responses.count, result.data.visits.count,
                           result.data.costs.count]
        #expect(kept == [0, 0, 0, 0])
        #expect(result.issues.filter { $0.field == "episodeId" }.count == 8)
    }

    @Test func quotingLineEndsByteOrderMarkAndBlankLines() {
        var files = WorkedExample.files
        files.patients = "\u{FEFF}id,birthYear,sex,region\r\n\r\n\"P-001\", 1962 ,female,06\r\n\r\nP-002,1958,male,\"03\"\r\n"
        files.episodes = WorkedExample.episodes.replacingOccurrences(
            of: "\"CHU de Québec, Enfant-Jésus\"", with: "\"CHU \"\"Enfant-Jésus\"\",\nQuébec\"")
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        #expect(result.issues == [])
        #expect(result.data.patients.map(\.birthYear) == [1962, 1958])
        #expect(result.data.episodes[1].centre == "CHU \"Enfant-Jésus\",\nQuébec")
    }

    @Test func malformedFilesAreRejectedWhole() {
        var files = WorkedExample.files
        files.responses = "episodeId,date,category\nE-001,2024-03-13,PR\nE-001,\"2024-05-14,CR\n"
        files.visits = "episodeId,when\nE-001,2024-05-24\n"
        files.costs = "id,episodeId,category,amountCAD,date\nC-001,E-001,acquisition,485000\n"
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        #expect(result.issues.map(\.description) == [
            "responses.csv line 3: line 3: unterminated quoted field",
            "visits.csv line 1: date: missing column",
            "costs.csv line 2: line 2: expected 5 fields, found 4",
        ])
        let kept: [Int] = [result.data.responses.count, result.data.visits.count, result.data.costs.count]
        #expect(kept == [0, 0, 0])
    }

    @Test(arguments: [("12.3", 1230), ("0.05", 5), ("7", 700)])
    func amounts(text: String, cents: Int) {
        var files = WorkedExample.files
        files.costs = "id,episodeId,category,amountCAD,date\nC-9,E-001,other,\(text),2024-02-14\n"
        #expect(RegistryCSV.importTables(files, asOf: Self.today).data.costs.map(\.amountCents) == [cents])
    }

    @Test(arguments: ["-5", "1.234", "1,5", "", "1e3", ".5"])
    func invalidAmounts(text: String) {
        var files = WorkedExample.files
        files.costs = "id,episodeId,category,amountCAD,date\nC-9,E-001,other,\"\(text)\",2024-02-14\n"
        let result = RegistryCSV.importTables(files, asOf: Self.today)
        #expect(result.data.costs.isEmpty)
        #expect(result.issues.map(\.field) == ["amountCAD"])
    }
}

@Suite struct RegistryCSVExportTests {
    @Test func exportsTheWorkedExampleVerbatim() {
        let imported = RegistryCSV.importTables(WorkedExample.files, asOf: Fixture.date("2025-06-01")).data
        let exported = RegistryCSV.export(imported)
        #expect(exported.patients == WorkedExample.patients)
        #expect(exported.episodes == WorkedExample.episodes)
        #expect(exported.responses == WorkedExample.responses)
        #expect(exported.deaths == WorkedExample.deaths)
        #expect(exported.costs == WorkedExample.costs.replacingOccurrences(of: "485000,", with: "485000.00,")
            .replacingOccurrences(of: "1100.5,", with: "1100.50,"))
    }

    @Test func roundTripOfASyntheticCohort() {
        let data = SyntheticRegistry.generate(patients: 300, seed: 7)
        let result = RegistryCSV.importTables(RegistryCSV.export(data), asOf: SyntheticRegistry.defaultCutoff)
        #expect(result.issues == [])
        #expect(result.data == data)
    }

    @Test func columnsMatchTheHeaders() {
        let exported = RegistryCSV.export(RegistryData())
        for table in RegistryTable.allCases {
            #expect(exported[table] == RegistryCSV.columns(table).joined(separator: ",") + "\n")
        }
    }
}

@Suite struct ToxicityCSVTests {
    static func importing(_ row: String) -> RegistryImport {
        var files = WorkedExample.files
        files.toxicities = WorkedExample.toxicities + row + "\n"
        return RegistryCSV.importTables(files, asOf: Fixture.date("2025-06-01"))
    }

    @Test func screenAndScoreGoTogether() {
        let unable = Self.importing("E-001,2024-02-20,,false,none,none,unable,,unarousable,none,none,none,false,true")
        #expect(unable.issues == [])
        #expect(unable.data.toxicities.last?.encephalopathy == .unableToPerform)
        let missingScore = Self.importing("E-001,2024-02-20,,false,none,none,ice,,normal,none,none,none,false,false")
        #expect(missingScore.issues.map(\.description) == [
            "toxicities.csv line 4 (E-001@2024-02-20): encephalopathyScore: required for an ICE or CAPD screen",
        ])
        let unknownKind = Self.importing("E-001,2024-02-20,,false,none,none,mmse,7,normal,none,none,none,false,false")
        #expect(unknownKind.issues.map(\.field) == ["encephalopathyScreen"])
        let outOfRange = Self.importing("E-001,2024-02-20,36.9,false,none,none,ice,11,normal,none,none,none,false,false")
        #expect(outOfRange.issues.map(\.description) == [
            "toxicities.csv line 4 (E-001@2024-02-20): encephalopathy.ice: ICE score must be 0–10, got 11",
        ])
    }
}
