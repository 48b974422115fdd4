import Foundation
import Registry
import Testing

@Suite struct RegistryValidationTests {
    @Test func fixtureIsValid() {
        #expect(Fixture.registry.validate(asOf: Fixture.today) == [])
    }

    @Test func infusionBeforeApheresis() throws {
        var data = Fixture.registry
        data.episodes[1].infusionDate = Fixture.date("2023-11-19")
        let issues = data.validate(asOf: Fixture.today)
        #expect(issues.map(\.table) == [.episodes])
        #expect(issues.first?.record == "E-B")
        #expect(issues.first?.field == "infusionDate")
        #expect(issues.first?.description == "episodes (E-B): infusionDate: 2023-11-19 is before apheresisDate 2023-11-20")
    }

    @Test func infusionNeedsApheresis() {
        var data = Fixture.registry
        data.episodes[1].apheresisDate = nil
        #expect(data.validate(asOf: Fixture.today).map(\.field) == ["apheresisDate"])
    }

    @Test func deathBeforeInfusion() {
        var data = Fixture.registry
        data.deaths[0].date = Fixture.date("2023-12-31")
        let issues = data.validate(asOf: Fixture.today)
        let death = issues.first { $0.table == .deaths }
        #expect(death?.record == "P-A")
        #expect(death?.field == "date")
        #expect(death?.reason == "2023-12-31 is before infusionDate 2024-01-01 of episode E-A")
    }

    @Test func birthYearInTheFuture() {
        var data = Fixture.registry
        data.patients[0].birthYear = 2026
        #expect(data.validate(asOf: Fixture.today).contains {
            $0.table == .patients && $0.record == "P-A" && $0.field == "birthYear" && $0.reason == "2026 is in the future"
        })
    }

    @Test func regionOutsideQuebecCodes() throws {
        #expect(throws: RegistryError.invalid(field: "region", reason: "RSS code must be 01–18, got 19")) {
            try HealthRegion(code: 19)
        }
        #expect(throws: RegistryError.self) { try HealthRegion(text: "00") }
        #expect(try HealthRegion(text: "6").description == "06")
        #expect(try HealthRegion(code: 6).name == "Montréal")
        let json = #"{"id":"P-1","birthYear":1970,"sex":"male","region":"19"}"#
        #expect(throws: RegistryError.self) { try JSONDecoder().decode(Patient.self, from: Data(json.utf8)) }
    }

    @Test func realIdentifiersAreRejected() {
        #expect(Pseudonym.problems("TREM12345678", field: "id").count == 1)
        #expect(Pseudonym.problems("123456789", field: "id").count == 1)
        #expect(Pseudonym.problems("P é", field: "id").count == 1)
        #expect(Pseudonym.problems("SYN-P000001", field: "id").isEmpty)
    }

    @Test func recordsAfterDeathOrBeforeInfusion() {
        var data = Fixture.registry
        data.visits.append(VisitRecord(episodeId: "E-A", date: Fixture.date("2024-04-10")))
        data.responses.append(ResponseAssessment(episodeId: "E-B", date: Fixture.date("2023-12-01"), category: .stableDisease))
        data.toxicities.append(ToxicityAssessment(episodeId: "E-D", date: Fixture.date("2024-01-02")))
        let issues = data.validate(asOf: Fixture.today)
        #expect(issues.map(\.description) == [
            "toxicities (E-D@2024-01-02): episodeId: episode \"E-D\" has no infusionDate",
            "responses (E-B@2023-12-01): date: 2023-12-01 is before infusionDate 2024-01-01",
            "visits (E-A@2024-04-10): date: 2024-04-10 is after the death on 2024-03-01",
        ])
    }

    @Test func paediatricScreenForAnAdult() {
        var data = Fixture.registry
        data.toxicities[0].encephalopathy = .capd(score: 4)
        let issues = data.validate(asOf: Fixture.today)
        #expect(issues.map(\.field) == ["encephalopathy.capd"])
    }

    @Test func unknownReferencesAndDuplicates() {
        var data = Fixture.registry
        data.costs.append(CostRecord(id: "C-1", episodeId: "E-X", category: .other, amountCents: 100, date: Fixture.date("2024-02-01")))
        let issues = data.validate(asOf: Fixture.today)
        #expect(issues.map(\.description) == [
            "costs (C-1): duplicate key C-1",
            "costs (C-1): duplicate key C-1",
            "costs (C-1): episodeId: unknown episode \"E-X\"",
        ])
    }

    @Test func computedGrades() throws {
        let t = Fixture.registry.toxicities[0]
        #expect(t.crsGrade == 3)
        #expect(try t.icansGrade(ageYears: 64) == 1)
        #expect(try Fixture.registry.peakToxicity() == [PeakToxicity(episodeId: "E-A", crsGrade: 3, icansGrade: 1)])
    }

    @Test func jsonRoundTrip() throws {
        let data = Fixture.registry
        let decoded = try JSONDecoder().decode(RegistryData.self, from: JSONEncoder().encode(data))
        #expect(decoded == data)
    }
}
