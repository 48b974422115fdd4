import Foundation

/// Who may take part: the criteria text and the structured limits.
public struct Eligibility: Sendable, Codable, Equatable {
    /// The criteria text as written by the sponsor (inclusion and exclusion, usually as bullets).
    public var criteria: String?
    public var sex: Sex
    public var minimumAge: AgeLimit?
    public var maximumAge: AgeLimit?
    public var healthyVolunteers: Bool?
    /// Standard age groups; computed from the limits when the source does not state them.
    public var ageGroups: [AgeGroup]

    public init(
        criteria: String? = nil, sex: Sex = .all, minimumAge: AgeLimit? = nil, maximumAge: AgeLimit? = nil,
        healthyVolunteers: Bool? = nil, ageGroups: [AgeGroup]? = nil
    ) {
        self.criteria = criteria
        self.sex = sex
        self.minimumAge = minimumAge
        self.maximumAge = maximumAge
        self.healthyVolunteers = healthyVolunteers
        self.ageGroups = ageGroups ?? Eligibility.groups(minimum: minimumAge, maximum: maximumAge)
    }

    /// Whether a person of `years` is inside the age limits (limits are inclusive, as ClinicalTrials.gov states them).
    public func accepts(ageInYears years: Double) -> Bool {
        if let minimumAge, years < minimumAge.years { return false }
        if let maximumAge, years > maximumAge.years { return false }
        return true
    }

    /// The standard groups that overlap the closed interval [minimum, maximum].
    public static func groups(minimum: AgeLimit?, maximum: AgeLimit?) -> [AgeGroup] {
        let low = minimum?.years ?? 0
        let high = maximum?.years ?? .infinity
        return AgeGroup.allCases.filter { group in
            low < group.years.upperBound && high >= group.years.lowerBound
        }
    }
}

/// An age limit with its unit, so "6 Months" and "0.5 Years" compare equal and no unit is ever lost.
public struct AgeLimit: Sendable, Codable, Equatable, Comparable {
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case minutes, hours, days, weeks, months, years

        /// Length of one unit in years (a year is 365.25 days).
        var inYears: Double {
            switch self {
            case .minutes: 1 / (365.25 * 24 * 60)
            case .hours: 1 / (365.25 * 24)
            case .days: 1 / 365.25
            case .weeks: 7 / 365.25
            case .months: 1 / 12
            case .years: 1
            }
        }
    }

    public var value: Double
    public var unit: Unit

    public init(value: Double, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    /// Parses ClinicalTrials.gov's "18 Years", "6 Months", "1 Year", "28 Days".
    /// Returns `nil` for "N/A" or an empty string (no limit); throws for anything else.
    public static func parse(_ text: String) throws(RecordError) -> AgeLimit? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.uppercased() == "N/A" { return nil }
        let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let value = Double(parts[0]), value >= 0 else {
            throw RecordError(field: "age", reason: "unreadable age \"\(trimmed)\"")
        }
        var unitText = parts[1].lowercased()
        if !unitText.hasSuffix("s") { unitText += "s" }
        guard let unit = Unit(rawValue: unitText) else {
            throw RecordError(field: "age", reason: "unknown age unit in \"\(trimmed)\"")
        }
        return AgeLimit(value: value, unit: unit)
    }

    /// The limit in years.
    public var years: Double { value * unit.inYears }

    /// The limit as ClinicalTrials.gov writes it ("18 Years").
    public var text: String {
        let number = value == value.rounded() ? String(Int(value)) : String(value)
        let name = unit.rawValue.prefix(1).uppercased() + unit.rawValue.dropFirst()
        return "\(number) \(value == 1 ? String(name.dropLast()) : name)"
    }

    public static func < (lhs: AgeLimit, rhs: AgeLimit) -> Bool { lhs.years < rhs.years }
}

/// A date as precise as the source states it: year and month, or year, month and day.
/// Orders chronologically; a month-only date sorts before every day of that month.
public struct PartialDate: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int?

    public init(year: Int, month: Int, day: Int? = nil) {
        self.year = year
        self.month = month
        self.day = day
    }

    private static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    /// Parses ISO "2015-08" / "2015-08-04" (API v2) and "August 4, 2015" / "August 2015" (legacy XML).
    /// Rejects impossible dates such as 2015-02-30 or month 13.
    public init(parsing text: String) throws(RecordError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var year = 0
        var month = 0
        var day: Int?
        let iso = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        if iso.count >= 2, iso.count <= 3, iso[0].count == 4, let y = Int(iso[0]), let m = Int(iso[1]) {
            year = y
            month = m
            if iso.count == 3 {
                guard let d = Int(iso[2]) else { throw RecordError(field: "date", reason: "unreadable date \"\(trimmed)\"") }
                day = d
            }
        } else {
            let words = trimmed.replacingOccurrences(of: ",", with: " ").split(separator: " ")
            guard words.count == 2 || words.count == 3,
                let m = PartialDate.monthNames.firstIndex(of: words[0].lowercased()),
                let y = Int(words[words.count - 1]), words[words.count - 1].count == 4
            else {
                throw RecordError(field: "date", reason: "unreadable date \"\(trimmed)\"")
            }
            year = y
            month = m + 1
            if words.count == 3 {
                guard let d = Int(words[1]) else { throw RecordError(field: "date", reason: "unreadable date \"\(trimmed)\"") }
                day = d
            }
        }
        guard (1800...2200).contains(year), (1...12).contains(month) else {
            throw RecordError(field: "date", reason: "impossible date \"\(trimmed)\"")
        }
        if let day, !(1...PartialDate.daysIn(month: month, year: year)).contains(day) {
            throw RecordError(field: "date", reason: "impossible date \"\(trimmed)\"")
        }
        self.init(year: year, month: month, day: day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// ISO 8601: "2015-08" or "2015-08-04". Sorts as text in date order.
    public var description: String {
        let ym = String(format: "%04d-%02d", year, month)
        guard let day else { return ym }
        return ym + String(format: "-%02d", day)
    }

    public static func < (lhs: PartialDate, rhs: PartialDate) -> Bool {
        (lhs.year, lhs.month, lhs.day ?? 0) < (rhs.year, rhs.month, rhs.day ?? 0)
    }
}

extension PartialDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.reason, underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why a source record cannot be read: the field and a reason a person can act on.
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
