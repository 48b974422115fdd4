import Analytics

/// Kaplan–Meier curves as an accessible SVG: step functions, shaded confidence bands, censoring ticks,
/// optional median lines, axes with ticks, a legend and the numbers at risk under the time axis.
///
/// Survival is drawn on a 0–100 % axis. Every visible string comes from `labels` and `chart`, numbers are
/// written with `format`, so the caller chooses the language.
public struct SurvivalChart: Sendable {
    /// One curve and its legend name.
    public struct Series: Sendable {
        public var name: String
        public var curve: KaplanMeier

        public init(name: String, curve: KaplanMeier) {
            self.name = name
            self.curve = curve
        }
    }

    /// The caller's strings.
    public struct Labels: Sendable, Equatable {
        /// Time axis title, e.g. "Months since infusion" / "Mois depuis la perfusion".
        public var time: String
        /// Survival axis title, e.g. "Overall survival (%)".
        public var survival: String
        /// Heading of the numbers at risk, e.g. "Number at risk".
        public var atRisk: String
        /// Table columns: group, time, survival (%), lower and upper confidence limits (%), number at risk.
        public var groupColumn: String
        public var lowerColumn: String
        public var upperColumn: String
        /// Shown in the table where a limit is undefined.
        public var notAvailable: String

        public init(time: String, survival: String, atRisk: String, groupColumn: String, lowerColumn: String,
                    upperColumn: String, notAvailable: String = "—") {
            self.time = time
            self.survival = survival
            self.atRisk = atRisk
            self.groupColumn = groupColumn
            self.lowerColumn = lowerColumn
            self.upperColumn = upperColumn
            self.notAvailable = notAvailable
        }
    }

    public var series: [Series]
    public var chart: ChartText
    public var labels: Labels
    /// Times of the axis ticks, the numbers at risk and the table rows; `nil` for about six round values
    /// from 0 to the last observed time. The axis ends at the last tick; curves are cut there.
    public var timeTicks: [Double]?
    /// Pointwise confidence band; `nil` for none.
    public var confidence: ConfidenceType?
    public var confidenceLevel: Double
    /// Dashed lines from 50 % to each reached median.
    public var showMedians: Bool
    public var format: NumberFormat
    public var width: Double

    public init(series: [Series], chart: ChartText, labels: Labels, timeTicks: [Double]? = nil,
                confidence: ConfidenceType? = .log, confidenceLevel: Double = 0.95, showMedians: Bool = true,
                format: NumberFormat = .english, width: Double = 640) {
        self.series = series
        self.chart = chart
        self.labels = labels
        self.timeTicks = timeTicks
        self.confidence = confidence
        self.confidenceLevel = confidenceLevel
        self.showMedians = showMedians
        self.format = format
        self.width = width
    }

    private static let plotHeight = 260.0, rowHeight = 18.0

    /// The SVG and the table: one row per series and tick time with S(t), its confidence limits
    /// (`KaplanMeier.summary(at:)`) and the number at risk, percentages with one decimal.
    /// - Throws: `ChartError` for no series, ticks that are not finite, ≥ 0 and increasing, a confidence level
    ///   outside (0, 1), a width under 320 or an invalid id.
    public func render() throws -> RenderedChart {
        guard !series.isEmpty else { throw ChartError.invalid(field: "series", reason: "must not be empty") }
        guard confidenceLevel > 0, confidenceLevel < 1 else {
            throw ChartError.invalid(field: "confidenceLevel", reason: "must lie in (0, 1)")
        }
        guard width >= 320 else { throw ChartError.invalid(field: "width", reason: "must be ≥ 320") }
        let (ticks, decimals) = try resolvedTicks()
        let maxTime = ticks.last!

        let left = max(56, 12 + (series.map { SeriesStyle.textWidth($0.name) }.max() ?? 0))
        let legendHeight = Double(series.count) * Self.rowHeight + 8
        let top = legendHeight + 12
        let x = LinearScale(domain: 0...maxTime, range: left...(width - 20), inverted: false)
        let y = LinearScale(domain: 0...1, range: top...(top + Self.plotHeight), inverted: true)
        let atRiskTop = top + Self.plotHeight + 56
        let height = atRiskTop + Self.rowHeight * Double(series.count + 1) + 8

        var svg = try SVGWriter(width: width, height: height, chart: chart)
        drawLegend(&svg, left: left)
        drawAxes(&svg, x: x, y: y, ticks: ticks, decimals: decimals)
        for (index, s) in series.enumerated() {
            svg.start("g", [("fill", "none")] + SeriesStyle.stroke(index))
            if let confidence {
                let band = s.curve.confidenceBand(confidence, level: confidenceLevel)
                for path in Self.bandPaths(s.curve, band, maxTime: maxTime, x: x, y: y) {
                    svg.element("path", [("class", "band"), ("d", path), ("fill", SeriesStyle.colour(index)), ("fill-opacity", "0.15"), ("stroke", "none")])
                }
            }
            svg.element("path", [("class", "curve"), ("d", Self.stepPath(s.curve, maxTime: maxTime, x: x, y: y)), ("stroke-width", "2")])
            let censored = Self.censorPath(s.curve, maxTime: maxTime, x: x, y: y)
            if !censored.isEmpty { svg.element("path", [("class", "censored"), ("d", censored), ("stroke-width", "1.5"), ("stroke-dasharray", "none")]) }
            if showMedians, let median = s.curve.median(confidence ?? .log, level: confidenceLevel).median, median <= maxTime {
                let d = "M\(Fixed.coordinate(x(0))) \(Fixed.coordinate(y(0.5)))H\(Fixed.coordinate(x(median)))V\(Fixed.coordinate(y(0)))"
                svg.element("path", [("class", "median"), ("d", d), ("stroke-width", "1"), ("stroke-dasharray", "4 4")])
            }
            svg.end()
        }
        drawAtRisk(&svg, x: x, ticks: ticks, top: atRiskTop)
        return RenderedChart(svg: svg.finish(), table: table(ticks: ticks, decimals: decimals))
    }

    // MARK: - Layout pieces

    private func resolvedTicks() throws -> (ticks: [Double], decimals: Int) {
        if let timeTicks {
            guard !timeTicks.isEmpty, timeTicks.allSatisfy({ $0.isFinite && $0 >= 0 }),
                  zip(timeTicks, timeTicks.dropFirst()).allSatisfy({ $0 < $1 }), timeTicks.last! > 0
            else { throw ChartError.invalid(field: "timeTicks", reason: "must be finite, ≥ 0, increasing and end above 0") }
            let steps = zip(timeTicks, timeTicks.dropFirst()).map { $1 - $0 } + timeTicks
            return (timeTicks, steps.map(LinearScale.decimals(forStep:)).max() ?? 0)
        }
        let last = series.compactMap { $0.curve.times.last }.max() ?? 1
        let nice = LinearScale.niceTicks(covering: [0, max(last, 1e-9)], count: 6)
        return (nice.ticks.filter { $0 >= 0 }, LinearScale.decimals(forStep: nice.step))
    }

    private func drawLegend(_ svg: inout SVGWriter, left: Double) {
        svg.start("g", [("class", "legend")])
        for (index, s) in series.enumerated() {
            let yy = 8 + Double(index) * Self.rowHeight + Self.rowHeight / 2
            svg.element("path", [("d", "M\(Fixed.coordinate(left)) \(Fixed.coordinate(yy))h24"), ("stroke-width", "2")] + SeriesStyle.stroke(index))
            svg.label(s.name, x: left + 30, y: yy + 4)
        }
        svg.end()
    }

    private func drawAxes(_ svg: inout SVGWriter, x: LinearScale, y: LinearScale, ticks: [Double], decimals: Int) {
        let bottom = y(0)
        svg.start("g", [("class", "axes"), ("stroke", "#555"), ("fill", "#222")])
        svg.element("path", [("d", "M\(Fixed.coordinate(x(0))) \(Fixed.coordinate(y(1)))V\(Fixed.coordinate(bottom))H\(Fixed.coordinate(x.range.upperBound))"), ("fill", "none")])
        for tick in ticks {
            svg.element("path", [("d", "M\(Fixed.coordinate(x(tick))) \(Fixed.coordinate(bottom))v5")])
            svg.label(format.string(tick, decimals: decimals), x: x(tick), y: bottom + 18, anchor: "middle", extra: [("stroke", "none")])
        }
        for percent in stride(from: 0.0, through: 100, by: 25) {
            let yy = y(percent / 100)
            svg.element("path", [("d", "M\(Fixed.coordinate(x(0))) \(Fixed.coordinate(yy))h-5")])
            svg.label(format.string(percent, decimals: 0), x: x(0) - 8, y: yy + 4, anchor: "end", extra: [("stroke", "none")])
        }
        let midX = (x.range.lowerBound + x.range.upperBound) / 2
        svg.label(labels.time, x: midX, y: bottom + 38, anchor: "middle", extra: [("stroke", "none")])
        let midY = (y.range.lowerBound + y.range.upperBound) / 2
        svg.label(labels.survival, x: 14, y: midY, anchor: "middle",
                  extra: [("stroke", "none"), ("transform", "rotate(-90 14 \(Fixed.coordinate(midY)))")])
        svg.end()
    }

    private func drawAtRisk(_ svg: inout SVGWriter, x: LinearScale, ticks: [Double], top: Double) {
        svg.start("g", [("class", "at-risk")])
        svg.label(labels.atRisk, x: 4, y: top + 12, extra: [("font-weight", "bold")])
        for (index, s) in series.enumerated() {
            let yy = top + Double(index + 1) * Self.rowHeight + 12
            svg.label(s.name, x: 4, y: yy, extra: [("fill", SeriesStyle.colour(index))])
            for tick in ticks {
                svg.label(format.string(Double(s.curve.atRisk(at: tick)), decimals: 0), x: x(tick), y: yy, anchor: "middle")
            }
        }
        svg.end()
    }

    private func table(ticks: [Double], decimals: Int) -> DataTable {
        let rows = series.flatMap { s in
            s.curve.summary(at: ticks, type: confidence ?? .log, level: confidenceLevel).map { point -> [String] in
                func percent(_ value: Double?) -> String {
                    guard confidence != nil, let value else { return labels.notAvailable }
                    return format.string(value * 100, decimals: 1)
                }
                return [s.name, format.string(point.time, decimals: decimals), format.string(point.survival * 100, decimals: 1),
                        percent(point.lower), percent(point.upper), format.string(Double(point.atRisk), decimals: 0)]
            }
        }
        return DataTable(caption: chart.title,
                         columns: [labels.groupColumn, labels.time, labels.survival, labels.lowerColumn, labels.upperColumn, labels.atRisk],
                         rows: rows)
    }

    // MARK: - Paths

    /// The right-continuous step function from (0, 100 %) to the last observed time (cut at `maxTime`).
    static func stepPath(_ curve: KaplanMeier, maxTime: Double, x: LinearScale, y: LinearScale) -> String {
        var d = "M\(Fixed.coordinate(x(0))) \(Fixed.coordinate(y(1)))"
        var current = 1.0
        for (time, s) in zip(curve.times, curve.survival) where time <= maxTime && s != current {
            d += "H\(Fixed.coordinate(x(time)))V\(Fixed.coordinate(y(s)))"
            current = s
        }
        d += "H\(Fixed.coordinate(x(min(curve.times.last ?? 0, maxTime))))"
        return d
    }

    /// Short vertical ticks at censoring times, on the curve.
    static func censorPath(_ curve: KaplanMeier, maxTime: Double, x: LinearScale, y: LinearScale) -> String {
        zip(zip(curve.times, curve.censored), curve.survival)
            .filter { $0.0.0 <= maxTime && $0.0.1 > 0 }
            .map { "M\(Fixed.coordinate(x($0.0.0))) \(Fixed.coordinate(y($0.1) - 4))v8" }
            .joined()
    }

    /// Closed step-shaped polygons between the lower and upper limits, one per run of times where both are defined.
    static func bandPaths(_ curve: KaplanMeier, _ band: (lower: [Double?], upper: [Double?]), maxTime: Double,
                          x: LinearScale, y: LinearScale) -> [String] {
        // Segment k spans [start, end) at limits (lower, upper); the first runs from 0 at (1, 1).
        var segments: [(start: Double, end: Double, lower: Double?, upper: Double?)] = []
        let times = curve.times.filter { $0 <= maxTime }
        var start = 0.0
        var limits: (Double?, Double?) = (1, 1)
        for (index, time) in times.enumerated() {
            if time > start { segments.append((start, time, limits.0, limits.1)) }
            start = time
            limits = (band.lower[index], band.upper[index])
        }
        var paths: [String] = []
        var run: [(start: Double, end: Double, lower: Double, upper: Double)] = []
        func flush() {
            guard let first = run.first, let last = run.last else { return }
            var d = "M\(Fixed.coordinate(x(first.start))) \(Fixed.coordinate(y(first.upper)))"
            for (index, segment) in run.enumerated() {
                if index > 0 { d += "V\(Fixed.coordinate(y(segment.upper)))" }
                d += "H\(Fixed.coordinate(x(segment.end)))"
            }
            d += "V\(Fixed.coordinate(y(last.lower)))"
            for index in run.indices.reversed() {
                d += "H\(Fixed.coordinate(x(run[index].start)))"
                if index > 0 { d += "V\(Fixed.coordinate(y(run[index - 1].lower)))" }
            }
            paths.append(d + "Z")
            run = []
        }
        for segment in segments {
            if let lower = segment.lower, let upper = segment.upper {
                run.append((segment.start, segment.end, lower, upper))
            } else {
                flush()
            }
        }
        flush()
        return paths
    }
}
