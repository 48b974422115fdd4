/// Horizontal bars with their values written at the end, for counts (e.g. a trial's sites by region).
public struct BarChart: Sendable {
    /// One bar.
    public struct Bar: Sendable, Equatable {
        public var label: String
        public var value: Double

        public init(label: String, value: Double) {
            self.label = label
            self.value = value
        }
    }

    public var bars: [Bar]
    public var chart: ChartText
    /// Table columns, e.g. "Region" and "Sites".
    public var categoryColumn: String
    public var valueColumn: String
    /// Decimals of the values (0 for counts).
    public var decimals: Int
    public var format: NumberFormat
    public var width: Double

    public init(bars: [Bar], chart: ChartText, categoryColumn: String, valueColumn: String, decimals: Int = 0,
                format: NumberFormat = .english, width: Double = 480) {
        self.bars = bars
        self.chart = chart
        self.categoryColumn = categoryColumn
        self.valueColumn = valueColumn
        self.decimals = decimals
        self.format = format
        self.width = width
    }

    private static let barHeight = 20.0, gap = 6.0

    /// The SVG (bars in the order given, lengths proportional to the values, the largest filling the width
    /// left by labels and values) and a two-column table.
    /// - Throws: `ChartError` for a negative or non-finite value, a width under 240 or an invalid id.
    public func render() throws -> RenderedChart {
        for (index, bar) in bars.enumerated() where !(bar.value.isFinite && bar.value >= 0) {
            throw ChartError.invalid(field: "bars[\(index)].value", reason: "must be a finite number ≥ 0")
        }
        guard width >= 240 else { throw ChartError.invalid(field: "width", reason: "must be ≥ 240") }
        let texts = bars.map { format.string($0.value, decimals: decimals) }
        let labelWidth = 12 + (bars.map { SeriesStyle.textWidth($0.label) }.max() ?? 0)
        let valueWidth = 12 + (texts.map(SeriesStyle.textWidth).max() ?? 0)
        let largest = bars.map(\.value).max() ?? 0
        let length = LinearScale(domain: 0...max(largest, 1e-12), range: 0...max(width - labelWidth - valueWidth, 1), inverted: false)
        let height = Double(bars.count) * (Self.barHeight + Self.gap) + Self.gap

        var svg = try SVGWriter(width: width, height: height, chart: chart)
        for (index, (bar, text)) in zip(bars, texts).enumerated() {
            let top = Self.gap + Double(index) * (Self.barHeight + Self.gap)
            let middle = top + Self.barHeight / 2 + 4
            svg.start("g", [("class", "bar")])
            svg.label(bar.label, x: labelWidth - 8, y: middle, anchor: "end")
            svg.element("rect", [("x", Fixed.coordinate(labelWidth)), ("y", Fixed.coordinate(top)),
                                 ("width", Fixed.coordinate(length(bar.value))), ("height", Fixed.coordinate(Self.barHeight)),
                                 ("fill", SeriesStyle.colour(0))])
            svg.label(text, x: labelWidth + length(bar.value) + 6, y: middle)
            svg.end()
        }
        return RenderedChart(svg: svg.finish(),
                             table: DataTable(caption: chart.title, columns: [categoryColumn, valueColumn],
                                              rows: zip(bars, texts).map { [$0.label, $1] }))
    }
}
