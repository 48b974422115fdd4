import Foundation
import Registry
import Testing

@Suite struct FollowUpScheduleTests {
    static func date(_ text: String) throws -> CivilDate { try CivilDate(iso: text) }

    @Test func dueDatesFollowTheCalendar() throws {
        let visits = try FollowUpSchedule().visits(infusion: Self.date("2024-08-31"))
        #expect(visits.count == 17)
        #expect(visits.map(\.key).prefix(3) == ["day-100", "month-6", "year-1"])
        #expect(visits.last?.key == "year-15")
        #expect(visits[0].dueDate == (try Self.date("2024-12-09")))
        #expect(visits[1].dueDate == (try Self.date("2025-02-28")))
        #expect(visits[2].dueDate == (try Self.date("2025-08-31")))
        #expect(visits[16].dueDate == (try Self.date("2039-08-31")))
        #expect(visits[0].windowOpens == (try Self.date("2024-11-25")))
        #expect(visits[2].windowCloses == (try Self.date("2025-10-30")))
    }

    @Test func leapDayInfusion() throws {
        let visits = try FollowUpSchedule().visits(infusion: Self.date("2024-02-29"))
        #expect(visits[2].dueDate == (try Self.date("2025-02-28")))
        #expect(visits[5].dueDate == (try Self.date("2028-02-29")))
    }

    @Test func statusOnAGivenDay() throws {
        let items = try FollowUpSchedule().status(
            infusion: Self.date("2024-01-10"),
            recorded: [Self.date("2024-04-15"), Self.date("2025-03-01")],
            today: Self.date("2025-06-01"))
        #expect(items[0].status == .completed)
        #expect(items[0].recordedOn == (try Self.date("2024-04-15")))
        #expect(items[1].status == .overdue)
        #expect(items[2].status == .completed)
        #expect(items[3].status == .upcoming)

        let openToday = try FollowUpSchedule().status(infusion: Self.date("2024-01-10"), recorded: [],
                                                      today: Self.date("2025-01-01"))
        #expect(openToday.map(\.status).prefix(3) == [.overdue, .overdue, .open])
    }

    @Test func aRecordedVisitCountsOnce() throws {
        let schedule = FollowUpSchedule(day100WindowDays: 90, month6WindowDays: 90)
        let items = try schedule.status(infusion: Self.date("2024-01-01"), recorded: [Self.date("2024-05-20")],
                                        today: Self.date("2024-12-31"))
        #expect(items.filter { $0.status == .completed }.count == 1)
    }

    @Test func civilDateRoundTrips() throws {
        for text in ["1970-01-01", "2000-02-29", "2100-12-31", "1899-03-01"] {
            let date = try Self.date(text)
            #expect(CivilDate(dayNumber: date.dayNumber) == date)
            #expect(date.description == text)
        }
        #expect(try Self.date("1970-01-02").dayNumber == 1)
        #expect(throws: RegistryError.self) { try Self.date("2023-02-29") }
        let encoded = try JSONEncoder().encode([try Self.date("2024-03-05")])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"2024-03-05\"]")
    }
}
