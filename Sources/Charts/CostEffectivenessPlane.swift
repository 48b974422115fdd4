import Analytics

/// The cost-effectiveness plane as an accessible SVG: each strategy as a point (effect across, cost up), the
/// efficient frontier as a line through the non-dominated strategies, dominated strategies marked ×,
/// extendedly dominated ones as hollow circles, and optionally the willingness-to-pay line through the
/// cheapest frontier strategy. Dominance and ICERs come from `IncrementalAnalysis.calculate`.
public struct CostEffectivenessPlane: Sendable {
    /// The caller's strings.
    public struct Labels: Sendable, Equatable {
        /// Axis titles, e.g. "QALYs" / "AVAQ" and "Cost (CAD)" / "Coût ($ CA)".
        public var effect: String
        public var cost: String
        /// Legend and table names of the dominance statuses.
        public var nonDominated: String
        public var extendedlyDominated: String
        public var dominated: String
        /// Legend name of the frontier line, e.g. "Efficient frontier".
        public var frontier: String
        /// Legend name of the threshold line, e.g. "Willingness to pay: 50,000 $/QALY" (written by the caller).
        public var willingnessToPay: String
        /// Table columns.
        public var strategyColumn: String
        public var incrementalCostColumn: String
        public var incrementalEffectColumn: String
        public var icerColumn: String
        public var statusColumn: String
        /// Shown in the table where a value does not apply (reference and dominated rows).
        public var notApplicable: String

        public init(effect: String, cost: String, nonDominated: String, extendedlyDominated: String, dominated: String,
                    frontier: String, willingnessToPay: String, strategyColumn: String, incrementalCostColumn: String,
                    incrementalEffectColumn: String, icerColumn: String, statusColumn: String, notApplicable: String = "—") {
            self.effect = effect
            self.cost = cost
            self.nonDominated = nonDominated
            self.extendedlyDominated = extendedlyDominated
            self.dominated = dominated
            self.frontier = frontier
            self.willingnessToPay = willingnessToPay
            self.strategyColumn = strategyColumn
            self.incrementalCostColumn = incrementalCostColumn
            self.incrementalEffectColumn = incrementalEffectColumn
            self.icerColumn = icerColumn
            self.statusColumn = statusColumn
            self.notApplicable = notApplicable
        }
    }

    public var strategies: [StrategyOutcome]
    public var chart: ChartText
    public var labels: Labels
    /// Cost per unit of effect; `nil` draws no threshold line.
    public var willingnessToPay: Double?
    /// Decimals of effects in labels and the table (costs and ICERs are whole dollars).
    public var effectDecimals: Int
    public var format: NumberFormat
    public var width: Double
    public var height: Double

    public init(strategies: [StrategyOutcome], chart: ChartText, labels: Labels, willingnessToPay: Double? = nil,
                effectDecimals: Int = 2, format: NumberFormat = .english, width: Double = 640, height: Double = 420) {
        self.strategies = strategies
        self.chart = chart
        self.labels = labels
        self.willingnessToPay = willingnessToPay
        self.effectDecimals = effectDecimals
        self.format = format
        self.width = width
        self.height = height
    }

    /// The SVG and the incremental table (rows as `IncrementalAnalysis.calculate` orders them: frontier by cost,
    /// then extendedly dominated, then dominated).
    /// - Throws: `AnalyticsError` from the incremental analysis (empty input, duplicate names, non-finite values);
    ///   `ChartError` for a non-finite willingness to pay, a size under 320 × 240 or an invalid id.
    public func render() throws -> RenderedChart {
        let rows = try IncrementalAnalysis.calculate(strategies)
        if let willingnessToPay, !willingnessToPay.isFinite {
            throw ChartError.invalid(field: "willingnessToPay", reason: "must be finite")
        }
        guard width >= 320, height >= 240 else { throw ChartError.invalid(field: "width", reason: "size must be at least 320 × 240") }

        let xTicks = LinearScale.niceTicks(covering: Self.padded(rows.map(\.effect)), count: 5)
        let yTicks = LinearScale.niceTicks(covering: Self.padded(rows.map(\.cost)), count: 5)
        let costLabels = yTicks.ticks.map { format.string($0, decimals: LinearScale.decimals(forStep: yTicks.step)) }
        let left = 28 + (costLabels.map(SeriesStyle.textWidth).max() ?? 0)
        let legend = legendLayout(left: left)
        let legendTop = height - 8 - Double(legend.lines) * 18
        let x = LinearScale(domain: xTicks.ticks.first!...xTicks.ticks.last!, range: left...(width - 24), inverted: false)
        let y = LinearScale(domain: yTicks.ticks.first!...yTicks.ticks.last!, range: 16...(legendTop - 48), inverted: true)

        var svg = try SVGWriter(width: width, height: height, chart: chart)
        svg.start("defs")
        svg.start("clipPath", [("id", "\(chart.id)-plot")])
        svg.element("rect", [("x", Fixed.coordinate(x.range.lowerBound)), ("y", Fixed.coordinate(y.range.lowerBound)),
                             ("width", Fixed.coordinate(x.range.upperBound - x.range.lowerBound)),
                             ("height", Fixed.coordinate(y.range.upperBound - y.range.lowerBound))])
        svg.end()
        svg.end()
        drawAxes(&svg, x: x, y: y, xTicks: xTicks, yTicks: yTicks.ticks, costLabels: costLabels)

        let frontier = rows.filter { $0.status == .nonDominated }
        if let reference = frontier.first, let lambda = willingnessToPay {
            let cost = { (effect: Double) in reference.cost + lambda * (effect - reference.effect) }
            let d = "M\(Fixed.coordinate(x(x.domain.lowerBound))) \(Fixed.coordinate(y(cost(x.domain.lowerBound))))"
                + "L\(Fixed.coordinate(x(x.domain.upperBound))) \(Fixed.coordinate(y(cost(x.domain.upperBound))))"
            svg.element("path", [("class", "wtp"), ("d", d), ("stroke", "#777"), ("stroke-dasharray", "6 4"), ("fill", "none"),
                                 ("clip-path", "url(#\(chart.id)-plot)")])
        }
        if frontier.count > 1 {
            let d = frontier.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(Fixed.coordinate(x($0.element.effect))) \(Fixed.coordinate(y($0.element.cost)))" }.joined()
            svg.element("path", [("class", "frontier"), ("d", d), ("stroke", SeriesStyle.colour(0)), ("stroke-width", "2"), ("fill", "none")])
        }
        svg.start("g", [("class", "strategies")])
        for row in rows {
            let px = x(row.effect), py = y(row.cost)
            Self.marker(&svg, row.status, px, py)
            svg.label(row.strategy, x: px + 8, y: py - 6)
        }
        svg.end()
        drawLegend(&svg, legend.items, top: legendTop)
        return RenderedChart(svg: svg.finish(), table: table(rows))
    }

    private func drawAxes(_ svg: inout SVGWriter, x: LinearScale, y: LinearScale, xTicks: (ticks: [Double], step: Double),
                          yTicks: [Double], costLabels: [String]) {
        svg.start("g", [("class", "axes"), ("stroke", "#555"), ("fill", "#222")])
        svg.element("path", [("d", "M\(Fixed.coordinate(x.range.lowerBound)) \(Fixed.coordinate(y.range.lowerBound))V\(Fixed.coordinate(y.range.upperBound))H\(Fixed.coordinate(x.range.upperBound))"), ("fill", "none")])
        let effectDecimals = LinearScale.decimals(forStep: xTicks.step)
        for tick in xTicks.ticks {
            svg.element("path", [("d", "M\(Fixed.coordinate(x(tick))) \(Fixed.coordinate(y.range.upperBound))v5")])
            svg.label(format.string(tick, decimals: effectDecimals), x: x(tick), y: y.range.upperBound + 18, anchor: "middle", extra: [("stroke", "none")])
        }
        for (tick, text) in zip(yTicks, costLabels) {
            svg.element("path", [("d", "M\(Fixed.coordinate(x.range.lowerBound)) \(Fixed.coordinate(y(tick)))h-5")])
            svg.label(text, x: x.range.lowerBound - 8, y: y(tick) + 4, anchor: "end", extra: [("stroke", "none")])
        }
        svg.label(labels.effect, x: (x.range.lowerBound + x.range.upperBound) / 2, y: y.range.upperBound + 38, anchor: "middle",
                  extra: [("stroke", "none")])
        let midY = (y.range.lowerBound + y.range.upperBound) / 2
        svg.label(labels.cost, x: 14, y: midY, anchor: "middle", extra: [("stroke", "none"), ("transform", "rotate(-90 14 \(Fixed.coordinate(midY)))")])
        svg.end()
    }

    /// What the legend shows.
    private enum LegendKey {
        case marker(DominanceStatus)
        case frontier
        case threshold
    }

    /// Legend items placed left to right from `left`, wrapping before the right edge; `line` counts from 0.
    private func legendLayout(left: Double) -> (items: [(key: LegendKey, text: String, x: Double, line: Int)], lines: Int) {
        var keys: [(LegendKey, String)] = [(.marker(.nonDominated), labels.nonDominated),
                                           (.marker(.extendedlyDominated), labels.extendedlyDominated),
                                           (.marker(.dominated), labels.dominated), (.frontier, labels.frontier)]
        if willingnessToPay != nil { keys.append((.threshold, labels.willingnessToPay)) }
        var items: [(key: LegendKey, text: String, x: Double, line: Int)] = []
        var cursor = left
        var line = 0
        for (key, text) in keys {
            let itemWidth = 40 + SeriesStyle.textWidth(text)
            if cursor > left, cursor + itemWidth > width {
                line += 1
                cursor = left
            }
            items.append((key, text, cursor, line))
            cursor += itemWidth
        }
        return (items, line + 1)
    }

    private func drawLegend(_ svg: inout SVGWriter, _ items: [(key: LegendKey, text: String, x: Double, line: Int)], top: Double) {
        svg.start("g", [("class", "legend")])
        for item in items {
            let yy = top + 8 + Double(item.line) * 18
            switch item.key {
            case let .marker(status):
                Self.marker(&svg, status, item.x + 10, yy)
            case .frontier:
                svg.element("path", [("d", "M\(Fixed.coordinate(item.x)) \(Fixed.coordinate(yy))h22"), ("stroke", SeriesStyle.colour(0)),
                                     ("stroke-width", "2")])
            case .threshold:
                svg.element("path", [("d", "M\(Fixed.coordinate(item.x)) \(Fixed.coordinate(yy))h22"), ("stroke", "#777"),
                                     ("stroke-dasharray", "6 4")])
            }
            svg.label(item.text, x: item.x + 28, y: yy + 4)
        }
        svg.end()
    }

    /// The values with 5 % of their range (or of their magnitude, for a single value) added on both sides,
    /// so that no point sits on an axis.
    private static func padded(_ values: [Double]) -> [Double] {
        guard let low = values.min(), let high = values.max() else { return values }
        let pad = high > low ? (high - low) * 0.05 : max(abs(high) * 0.05, 1)
        return [low - pad, high + pad]
    }

    /// Filled circle (frontier), hollow circle (extendedly dominated) or × (dominated), centred on (px, py).
    private static func marker(_ svg: inout SVGWriter, _ status: DominanceStatus, _ px: Double, _ py: Double) {
        let cx = Fixed.coordinate(px), cy = Fixed.coordinate(py)
        switch status {
        case .nonDominated:
            svg.element("circle", [("class", "non-dominated"), ("cx", cx), ("cy", cy), ("r", "5"), ("fill", SeriesStyle.colour(0))])
        case .extendedlyDominated:
            svg.element("circle", [("class", "extendedly-dominated"), ("cx", cx), ("cy", cy), ("r", "5"), ("fill", "white"),
                                   ("stroke", SeriesStyle.colour(1)), ("stroke-width", "2")])
        case .dominated:
            let d = "M\(Fixed.coordinate(px - 5)) \(Fixed.coordinate(py - 5))l10 10M\(Fixed.coordinate(px - 5)) \(Fixed.coordinate(py + 5))l10 -10"
            svg.element("path", [("class", "dominated"), ("d", d), ("stroke", SeriesStyle.colour(1)), ("stroke-width", "2")])
        }
    }

    private func table(_ rows: [IncrementalRow]) -> DataTable {
        func money(_ value: Double?) -> String { value.map { format.string($0, decimals: 0) } ?? labels.notApplicable }
        func effect(_ value: Double?) -> String { value.map { format.string($0, decimals: effectDecimals) } ?? labels.notApplicable }
        func status(_ status: DominanceStatus) -> String {
            switch status {
            case .nonDominated: labels.nonDominated
            case .extendedlyDominated: labels.extendedlyDominated
            case .dominated: labels.dominated
            }
        }
        return DataTable(
            caption: chart.title,
            columns: [labels.strategyColumn, labels.cost, labels.effect, labels.incrementalCostColumn,
                      labels.incrementalEffectColumn, labels.icerColumn, labels.statusColumn],
            rows: rows.map { [$0.strategy, money($0.cost), effect($0.effect), money($0.incrementalCost),
                              effect($0.incrementalEffect), money($0.icer), status($0.status)] })
    }
}
