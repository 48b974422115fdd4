/// A validation failure raised by an analytics routine.
///
/// Every case names the offending input field (dotted path, e.g. `"states[2].cost"`)
/// so that a caller can point a user at the exact value to fix.
public enum AnalyticsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `field` holds a value outside its allowed domain; `reason` says which domain.
    case invalid(field: String, reason: String)
    /// `field` must not be empty.
    case empty(field: String)
    /// `field` has `actual` elements where `expected` were required.
    case lengthMismatch(field: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .invalid(field, reason): "\(field): \(reason)"
        case let .empty(field): "\(field): must not be empty"
        case let .lengthMismatch(field, expected, actual):
            "\(field): expected \(expected) values, got \(actual)"
        }
    }
}

/// Small validation helpers shared by the analytics inputs.
enum Check {
    static func finite(_ value: Double, _ field: String) throws {
        guard value.isFinite else { throw AnalyticsError.invalid(field: field, reason: "must be a finite number") }
    }

    static func nonNegative(_ value: Double, _ field: String) throws {
        try finite(value, field)
        guard value >= 0 else { throw AnalyticsError.invalid(field: field, reason: "must be ≥ 0, got \(value)") }
    }

    static func positive(_ value: Double, _ field: String) throws {
        try finite(value, field)
        guard value > 0 else { throw AnalyticsError.invalid(field: field, reason: "must be > 0, got \(value)") }
    }

    static func probability(_ value: Double, _ field: String) throws {
        try finite(value, field)
        guard (0...1).contains(value) else {
            throw AnalyticsError.invalid(field: field, reason: "must lie in [0, 1], got \(value)")
        }
    }

    static func rate(_ value: Double, _ field: String) throws {
        try finite(value, field)
        guard value > -1 else { throw AnalyticsError.invalid(field: field, reason: "must be > -1, got \(value)") }
    }

    static func count(_ value: Int, _ field: String, minimum: Int = 1) throws {
        guard value >= minimum else {
            throw AnalyticsError.invalid(field: field, reason: "must be ≥ \(minimum), got \(value)")
        }
    }

    static func length<C: Collection>(_ values: C, _ expected: Int, _ field: String) throws {
        guard values.count == expected else {
            throw AnalyticsError.lengthMismatch(field: field, expected: expected, actual: values.count)
        }
    }
}
