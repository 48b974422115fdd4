import Charts
import Testing

@Suite struct BarChartTests {
    static func chart(_ bars: [BarChart.Bar]) -> BarChart {
        BarChart(bars: bars, chart: ChartText(id: "sites", title: "Sites by region", description: "Number of sites per RSS"),
                 categoryColumn: "Region", valueColumn: "Sites", format: .french)
    }

    @Test func barsProportionalToValues() throws {
        let rendered = try Self.chart([.init(label: "Montréal", value: 1_200), .init(label: "Capitale-Nationale", value: 600),
                                       .init(label: "Côte-Nord", value: 0)]).render()
        let doc = try SVGDocument(rendered.svg)
        #expect(doc.root?.attributes["role"] == "img")
        let widths = doc.all("rect").compactMap { $0.attributes["width"].flatMap(Double.init) }
        #expect(widths.count == 3)
        #expect(abs(widths[1] * 2 - widths[0]) < 0.02 && widths[2] == 0)
        #expect(doc.texts() == ["Montréal", "1\u{202F}200", "Capitale-Nationale", "600", "Côte-Nord", "0"])
        #expect(rendered.table == DataTable(caption: "Sites by region", columns: ["Region", "Sites"],
                                            rows: [["Montréal", "1\u{202F}200"], ["Capitale-Nationale", "600"], ["Côte-Nord", "0"]]))
    }

    @Test func emptyAndEscaped() throws {
        _ = try SVGDocument(try Self.chart([]).render().svg)
        let doc = try SVGDocument(try Self.chart([.init(label: "R&D <\"pilot\"> 'x'\u{1}", value: 3)]).render().svg)
        #expect(doc.texts().first == "R&D <\"pilot\"> 'x'")
    }

    @Test func negativeValuesAreRejected() {
        #expect(throws: ChartError.invalid(field: "bars[1].value", reason: "must be a finite number ≥ 0")) {
            try Self.chart([.init(label: "a", value: 1), .init(label: "b", value: -1)]).render()
        }
    }
}

@Suite struct NumberFormatTests {
    @Test(arguments: [(1_234_567.891, 2, "1,234,567.89"), (-0.001, 2, "0.00"), (2.5, 0, "3"), (-2.5, 0, "-3"),
                      (999.995, 2, "1,000.00"), (0.05, 1, "0.1"), (12, 0, "12")])
    func english(value: Double, decimals: Int, text: String) {
        #expect(NumberFormat.english.string(value, decimals: decimals) == text)
    }

    @Test func french() {
        #expect(NumberFormat.french.string(1_234_567.891, decimals: 2) == "1\u{202F}234\u{202F}567,89")
        #expect(NumberFormat.french.string(.infinity, decimals: 2) == "∞")
    }
}
