/// A scheduled long-term follow-up visit after a cell or gene therapy infusion.
public struct FollowUpVisit: Codable, Sendable, Equatable {
    /// Stable key: "day-100", "month-6", "year-1" … "year-15".
    public var key: String
    public var dueDate: CivilDate
    /// First and last dates on which a recorded visit counts for this one.
    public var windowOpens: CivilDate
    public var windowCloses: CivilDate
}

/// Where a scheduled visit stands on a given day.
public enum FollowUpStatus: String, Codable, Sendable {
    /// A recorded visit falls in the window.
    case completed
    /// The window has closed with no recorded visit.
    case overdue
    /// The window is open today and no visit is recorded yet.
    case open
    /// The window has not opened yet.
    case upcoming
}

/// A visit with its status.
public struct FollowUpItem: Codable, Sendable, Equatable {
    public var visit: FollowUpVisit
    public var status: FollowUpStatus
    /// The recorded visit matched to it, when completed.
    public var recordedOn: CivilDate?
}

/// The CIBMTR-style long-term follow-up schedule: day 100, 6 months, 1 year, then yearly to 15 years
/// after the infusion (day 0).
///
/// Windows (Passerelle's convention, configurable): day 100 ± 14 days, 6 months ± 30 days,
/// yearly visits ± 60 days. Month and year offsets are calendar offsets (see `CivilDate.adding(months:)`).
public struct FollowUpSchedule: Codable, Sendable, Equatable {
    public var day100WindowDays: Int
    public var month6WindowDays: Int
    public var yearlyWindowDays: Int
    /// Last yearly visit (15 by default).
    public var years: Int

    public init(day100WindowDays: Int = 14, month6WindowDays: Int = 30, yearlyWindowDays: Int = 60, years: Int = 15) {
        self.day100WindowDays = day100WindowDays
        self.month6WindowDays = month6WindowDays
        self.yearlyWindowDays = yearlyWindowDays
        self.years = years
    }

    /// The scheduled visits for an infusion on `infusion`, in date order.
    /// - Throws: `RegistryError` for negative windows or fewer than one year.
    public func visits(infusion: CivilDate) throws -> [FollowUpVisit] {
        for (name, value) in [("day100WindowDays", day100WindowDays), ("month6WindowDays", month6WindowDays),
                              ("yearlyWindowDays", yearlyWindowDays)] where value < 0 {
            throw RegistryError.invalid(field: name, reason: "must be ≥ 0, got \(value)")
        }
        guard years >= 1 else { throw RegistryError.invalid(field: "years", reason: "must be ≥ 1, got \(years)") }
        func visit(_ key: String, _ due: CivilDate, _ window: Int) -> FollowUpVisit {
            FollowUpVisit(key: key, dueDate: due, windowOpens: due.adding(days: -window), windowCloses: due.adding(days: window))
        }
        return [visit("day-100", infusion.adding(days: 100), day100WindowDays),
                visit("month-6", infusion.adding(months: 6), month6WindowDays)]
            + (1...years).map { visit("year-\($0)", infusion.adding(months: 12 * $0), yearlyWindowDays) }
    }

    /// Status of every visit on `today`, given the dates of recorded follow-up visits.
    /// Each recorded date is matched to at most one scheduled visit: scheduled visits are taken in order and
    /// each takes the recorded date in its window closest to its due date (earlier on ties) not already taken.
    public func status(infusion: CivilDate, recorded: [CivilDate], today: CivilDate) throws -> [FollowUpItem] {
        var available = recorded.sorted()
        return try visits(infusion: infusion).map { visit in
            let candidates = available.indices.filter {
                available[$0] >= visit.windowOpens && available[$0] <= visit.windowCloses
            }
            if let best = candidates.min(by: {
                abs(available[$0].days(to: visit.dueDate)) < abs(available[$1].days(to: visit.dueDate))
            }) {
                let date = available.remove(at: best)
                return FollowUpItem(visit: visit, status: .completed, recordedOn: date)
            }
            let status: FollowUpStatus = today > visit.windowCloses ? .overdue
                : today >= visit.windowOpens ? .open : .upcoming
            return FollowUpItem(visit: visit, status: status, recordedOn: nil)
        }
    }
}
