import Foundation

// The Charts module: accessible SVG renderings of survival curves, the cost-effectiveness plane and bar
// charts, each with the same data as a table (pure: strings in, strings out).

/// A chart as an SVG document and the same data as a table, for an HTML `<table>` next to or instead of it.
public struct RenderedChart: Sendable, Equatable {
    /// A standalone `<svg>` element (no XML declaration), with `role="img"`, `<title>` and `<desc>`.
    public var svg: String
    public var table: DataTable
}

/// A plain table: a caption, column headings and rows of formatted cells (one cell per column).
public struct DataTable: Codable, Sendable, Equatable {
    public var caption: String
    public var columns: [String]
    public var rows: [[String]]

    public init(caption: String, columns: [String], rows: [[String]]) {
        self.caption = caption
        self.columns = columns
        self.rows = rows
    }
}

/// The accessible name and description of a chart, and the `id` prefix of its elements
/// (`<id>-title`, `<id>-desc`), which must be unique in the page.
public struct ChartText: Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String

    public init(id: String, title: String, description: String) {
        self.id = id
        self.title = title
        self.description = description
    }
}

/// Invalid chart input, naming the field.
public enum ChartError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(field, reason): "\(field): \(reason)"
        }
    }
}

/// How numbers shown to the reader are written; the caller picks the app's language.
public struct NumberFormat: Sendable, Equatable {
    public var decimalSeparator: String
    /// Between groups of three digits; "" for none.
    public var groupingSeparator: String

    public init(decimalSeparator: String, groupingSeparator: String) {
        self.decimalSeparator = decimalSeparator
        self.groupingSeparator = groupingSeparator
    }

    /// 1,234.5
    public static let english = NumberFormat(decimalSeparator: ".", groupingSeparator: ",")
    /// 1 234,5 (narrow no-break space, as the Office québécois de la langue française recommends).
    public static let french = NumberFormat(decimalSeparator: ",", groupingSeparator: "\u{202F}")

    /// `value` rounded half away from zero to `decimals` places, with grouping; never "-0".
    /// Non-finite values give "∞", "-∞" or "NaN".
    public func string(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : value < 0 ? "-∞" : "∞" }
        let digits = Fixed.digits(value, decimals: decimals)
        var whole = ""
        for (offset, character) in digits.whole.reversed().enumerated() {
            if offset > 0, offset % 3 == 0 { whole = groupingSeparator + whole }
            whole = String(character) + whole
        }
        let sign = digits.negative ? "-" : ""
        return digits.fraction.isEmpty ? sign + whole : sign + whole + decimalSeparator + digits.fraction
    }
}

/// Locale-free fixed-point digits, shared by `NumberFormat` and SVG coordinates.
enum Fixed {
    /// The integer and fraction digits of |value| rounded to `decimals` places, and whether the rounded value is negative.
    static func digits(_ value: Double, decimals: Int) -> (negative: Bool, whole: String, fraction: String) {
        let places = max(0, min(decimals, 9))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return (value < 0, String(format: "%.0f", abs(value)), "") }
        let units = Int(scaled)
        let divisor = Int(scale)
        let fraction = places == 0 ? "" : String(units % divisor)
        return (value < 0 && units != 0, String(units / divisor),
                String(repeating: "0", count: max(0, places - fraction.count)) + fraction)
    }

    /// An SVG coordinate: at most two decimals, trailing zeros dropped ("12", "12.5", "-3.25").
    static func coordinate(_ value: Double) -> String {
        var (negative, whole, fraction) = digits(value, decimals: 2)
        while fraction.last == "0" { fraction.removeLast() }
        return (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
