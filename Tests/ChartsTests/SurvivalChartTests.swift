import Analytics
import Charts
import Testing

@Suite struct SurvivalChartTests {
    /// R's `aml` data set (survival package): maintained and non-maintained groups.
    static func curves() throws -> [SurvivalChart.Series] {
        let maintained: [(Double, Bool)] = [(9, true), (13, true), (13, false), (18, true), (23, true), (28, false),
                                            (31, true), (34, true), (45, false), (48, true), (161, false)]
        let nonMaintained: [(Double, Bool)] = [(5, true), (5, true), (8, true), (8, true), (12, true), (16, false),
                                               (23, true), (27, true), (30, true), (33, true), (43, true), (45, true)]
        return [
            SurvivalChart.Series(name: "Maintained & <x>", curve: try KaplanMeier(maintained.map { SurvivalObservation(time: $0.0, event: $0.1) })),
            SurvivalChart.Series(name: "Nonmaintained", curve: try KaplanMeier(nonMaintained.map { SurvivalObservation(time: $0.0, event: $0.1) })),
        ]
    }

    static let labels = SurvivalChart.Labels(time: "Weeks", survival: "Survival (%)", atRisk: "Number at risk",
                                             groupColumn: "Group", lowerColumn: "95% CI lower", upperColumn: "95% CI upper")

    static func chart(ticks: [Double]? = [0, 10, 20, 30, 40, 50], format: NumberFormat = .english) throws -> SurvivalChart {
        SurvivalChart(series: try curves(), chart: ChartText(id: "km", title: "AML \"maintenance\"", description: "Two Kaplan–Meier curves"),
                      labels: labels, timeTicks: ticks, format: format)
    }

    @Test func validAccessibleSVG() throws {
        let rendered = try Self.chart().render()
        let doc = try SVGDocument(rendered.svg)
        let root = try #require(doc.root)
        #expect(root.name == "svg")
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["aria-labelledby"] == "km-title km-desc")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(doc.all("title").map(\.text) == ["AML \"maintenance\""])
        #expect(doc.all("title").first?.attributes["id"] == "km-title")
        #expect(doc.all("desc").map(\.text) == ["Two Kaplan–Meier curves"])
        #expect(doc.nodes[1].name == "title" && doc.nodes[2].name == "desc")
    }

    @Test func curvesBandsCensoringAndMedians() throws {
        let doc = try SVGDocument(try Self.chart().render().svg)
        let paths = doc.all("path")
        func count(_ kind: String) -> Int { paths.count { $0.attributes["class"] == kind } }
        // Two step curves, at least one shaded band each, censoring ticks for both groups, two medians (31 and 23 weeks).
        #expect(count("curve") == 2)
        #expect(count("band") >= 2 && paths.filter { $0.attributes["class"] == "band" }.allSatisfy { $0.attributes["d"]?.hasSuffix("Z") == true })
        #expect(count("censored") == 2)
        #expect(count("median") == 2)
        // The maintained group's curve steps down at 9, 13, 18, 23, 31, 34 and 48 weeks.
        let first = try #require(paths.first { $0.attributes["class"] == "curve" })
        #expect(first.attributes["d"]?.filter { $0 == "V" }.count == 7)
        // Its censoring ticks at 13, 28 and 45 weeks (161 is beyond the last tick).
        let censored = try #require(paths.first { $0.attributes["class"] == "censored" })
        #expect(censored.attributes["d"]?.filter { $0 == "M" }.count == 3)
    }

    @Test func numbersAtRiskUnderTheAxis() throws {
        let doc = try SVGDocument(try Self.chart().render().svg)
        let texts = doc.texts()
        let start = try #require(texts.firstIndex(of: "Number at risk"))
        #expect(Array(texts[(start + 1)...]) == [
            "Maintained & <x>", "11", "10", "7", "5", "3", "1",
            "Nonmaintained", "12", "8", "6", "4", "2", "0",
        ])
        #expect(texts.contains("Weeks") && texts.contains("Survival (%)"))
        #expect(texts.contains("Maintained & <x>"))
    }

    @Test func dataTable() throws {
        let table = try Self.chart().render().table
        #expect(table.caption == "AML \"maintenance\"")
        #expect(table.columns == ["Group", "Weeks", "Survival (%)", "95% CI lower", "95% CI upper", "Number at risk"])
        #expect(table.rows.count == 12)
        #expect(table.rows[0] == ["Maintained & <x>", "0", "100.0", "100.0", "100.0", "11"])
        // R: summary(survfit(Surv(time, status) ~ x, aml), times = 10): S = 0.909, 95 % CI 0.754–1.
        #expect(table.rows[1] == ["Maintained & <x>", "10", "90.9", "75.4", "100.0", "10"])
    }

    @Test func frenchNumbersAndDeterminism() throws {
        let french = try Self.chart(format: .french).render()
        #expect(french.table.rows[1][2] == "90,9")
        #expect(try Self.chart(format: .french).render() == french)
    }

    @Test func automaticTicks() throws {
        let rendered = try Self.chart(ticks: nil).render()
        _ = try SVGDocument(rendered.svg)
        // The last observation is at 161 weeks: ticks every 50 weeks up to 200, for each group.
        #expect(rendered.table.rows.map { $0[1] } == ["0", "50", "100", "150", "200", "0", "50", "100", "150", "200"])
    }

    @Test func invalidInput() throws {
        var chart = try Self.chart()
        chart.series = []
        #expect(throws: ChartError.invalid(field: "series", reason: "must not be empty")) { try chart.render() }
        chart = try Self.chart(ticks: [0, 20, 10])
        #expect(throws: ChartError.self) { try chart.render() }
        chart = try Self.chart()
        chart.chart.id = "1 bad id"
        #expect(throws: ChartError.self) { try chart.render() }
    }
}
