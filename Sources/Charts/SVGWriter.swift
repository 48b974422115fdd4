/// Builds an SVG document with escaped text and attributes in the order given (deterministic output).
struct SVGWriter {
    private(set) var text = ""
    private var open: [String] = []

    /// Opens the root `<svg>` with its accessible name and description.
    /// - Throws: `ChartError` if the id is not an XML name made of ASCII letters, digits, '-', '_' and '.'.
    init(width: Double, height: Double, chart: ChartText) throws {
        let id = chart.id
        guard let first = id.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first),
              id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else { throw ChartError.invalid(field: "id", reason: "\"\(id)\" must start with a letter and hold only ASCII letters, digits, '-', '_' and '.'") }
        start("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(Fixed.coordinate(width)) \(Fixed.coordinate(height))"),
                      ("width", Fixed.coordinate(width)), ("height", Fixed.coordinate(height)), ("role", "img"),
                      ("aria-labelledby", "\(id)-title \(id)-desc"), ("font-family", "sans-serif"), ("font-size", "12")])
        element("title", [("id", "\(id)-title")], text: chart.title)
        element("desc", [("id", "\(id)-desc")], text: chart.description)
    }

    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        text += "<\(name)\(Self.render(attributes))>"
        open.append(name)
    }

    mutating func end() {
        text += "</\(open.removeLast())>"
    }

    /// An element with optional text content (`nil`: self-closing).
    mutating func element(_ name: String, _ attributes: [(String, String)], text content: String? = nil) {
        if let content {
            text += "<\(name)\(Self.render(attributes))>\(XMLText.escape(content))</\(name)>"
        } else {
            text += "<\(name)\(Self.render(attributes))/>"
        }
    }

    /// A `<text>` element at (x, y).
    mutating func label(_ content: String, x: Double, y: Double, anchor: String = "start", extra: [(String, String)] = []) {
        element("text", [("x", Fixed.coordinate(x)), ("y", Fixed.coordinate(y)), ("text-anchor", anchor)] + extra, text: content)
    }

    /// Closes every open element and returns the document.
    mutating func finish() -> String {
        while !open.isEmpty { end() }
        return text
    }

    private static func render(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(XMLText.escape($0.1))\"" }.joined()
    }

}

/// Text for XML documents (SVG here, Atom feeds in the web layer).
public enum XMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and drops characters XML 1.0 does not allow (C0 controls but tab,
    /// line feed and carriage return; U+FFFE, U+FFFF).
    public static func escape(_ raw: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(raw.unicodeScalars.count)
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}


/// A linear map from a data interval to a pixel interval, with "nice" ticks.
struct LinearScale {
    let domain: ClosedRange<Double>
    let range: ClosedRange<Double>
    /// Map `domain.upperBound` to `range.lowerBound` (y axes grow upwards).
    let inverted: Bool

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        let fraction = span == 0 ? 0 : (value - domain.lowerBound) / span
        let f = inverted ? 1 - fraction : fraction
        return range.lowerBound + f * (range.upperBound - range.lowerBound)
    }

    /// About `count` ticks at 1, 2 or 5 × 10ⁿ covering `values` (with `includeZero`, also 0), and the step.
    static func niceTicks(covering values: [Double], count: Int = 5, includeZero: Bool = false) -> (ticks: [Double], step: Double) {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if includeZero {
            low = min(low, 0)
            high = max(high, 0)
        }
        if high - low <= 0 {
            let pad = high == 0 ? 1 : abs(high) * 0.1
            low -= pad
            high += pad
        }
        let raw = (high - low) / Double(max(count, 1))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        return (stride(from: first, through: last, by: 1).map { $0 * step }, step)
    }

    /// Decimals needed to write multiples of `step` exactly (0 for steps ≥ 1).
    static func decimals(forStep step: Double) -> Int {
        var decimals = 0
        var scaled = step
        while decimals < 6, abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }
}

/// Series styles that do not rely on colour alone: the Okabe–Ito colour-blind-safe palette with dash patterns.
enum SeriesStyle {
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let dashes = ["", "6 3", "2 2", "8 3 2 3"]

    static func stroke(_ index: Int) -> [(String, String)] {
        let dash = dashes[index % dashes.count]
        return [("stroke", colours[index % colours.count])] + (dash.isEmpty ? [] : [("stroke-dasharray", dash)])
    }

    static func colour(_ index: Int) -> String { colours[index % colours.count] }

    /// Approximate width of `text` at 12 px sans-serif, for laying out label columns.
    static func textWidth(_ text: String) -> Double { Double(text.count) * 7 }
}
