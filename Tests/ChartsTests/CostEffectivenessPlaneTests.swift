import Analytics
import Charts
import Testing

@Suite struct CostEffectivenessPlaneTests {
    /// dampack's example (docs/ANALYTICS.md): frontier UC, B, D, E; C extendedly dominated; A dominated.
    static let strategies = [
        StrategyOutcome(strategy: "UC", cost: 5_000, effect: 1), StrategyOutcome(strategy: "A", cost: 12_000, effect: 1.5),
        StrategyOutcome(strategy: "B", cost: 10_000, effect: 2), StrategyOutcome(strategy: "C", cost: 25_000, effect: 3),
        StrategyOutcome(strategy: "D", cost: 35_000, effect: 4), StrategyOutcome(strategy: "E", cost: 55_000, effect: 5),
    ]
    static let labels = CostEffectivenessPlane.Labels(
        effect: "QALYs", cost: "Cost (CAD)", nonDominated: "Efficient", extendedlyDominated: "Extendedly dominated",
        dominated: "Dominated", frontier: "Efficient frontier", willingnessToPay: "50,000 $/QALY", strategyColumn: "Strategy",
        incrementalCostColumn: "Incremental cost", incrementalEffectColumn: "Incremental QALYs", icerColumn: "ICER",
        statusColumn: "Status")

    static func plane(wtp: Double? = 50_000) -> CostEffectivenessPlane {
        CostEffectivenessPlane(strategies: strategies, chart: ChartText(id: "ce", title: "CE plane", description: "Six strategies"),
                               labels: labels, willingnessToPay: wtp)
    }

    @Test func validSVGWithMarkedPoints() throws {
        let doc = try SVGDocument(try Self.plane().render().svg)
        #expect(doc.root?.attributes["role"] == "img")
        #expect(doc.root?.attributes["aria-labelledby"] == "ce-title ce-desc")
        // Points plus one legend marker each.
        #expect(doc.all("circle").count { $0.attributes["class"] == "non-dominated" } == 5)
        #expect(doc.all("circle").count { $0.attributes["class"] == "extendedly-dominated" } == 2)
        #expect(doc.all("path").count { $0.attributes["class"] == "dominated" } == 2)
        let frontier = try #require(doc.all("path").first { $0.attributes["class"] == "frontier" })
        #expect(frontier.attributes["d"]?.filter { $0 == "L" }.count == 3)
        let wtp = try #require(doc.all("path").first { $0.attributes["class"] == "wtp" })
        #expect(wtp.attributes["clip-path"] == "url(#ce-plot)")
        #expect(doc.all("clipPath").first?.attributes["id"] == "ce-plot")
        let texts = doc.texts()
        for name in ["UC", "A", "B", "C", "D", "E", "50,000 $/QALY", "QALYs", "Cost (CAD)"] {
            #expect(texts.contains(name), "\(name)")
        }
    }

    @Test func noThresholdLineWithoutWillingnessToPay() throws {
        let doc = try SVGDocument(try Self.plane(wtp: nil).render().svg)
        #expect(!doc.all("path").contains { $0.attributes["class"] == "wtp" })
        #expect(!doc.texts().contains("50,000 $/QALY"))
    }

    @Test func incrementalTable() throws {
        let table = try Self.plane().render().table
        #expect(table.columns == ["Strategy", "Cost (CAD)", "QALYs", "Incremental cost", "Incremental QALYs", "ICER", "Status"])
        #expect(table.rows == [
            ["UC", "5,000", "1.00", "—", "—", "—", "Efficient"],
            ["B", "10,000", "2.00", "5,000", "1.00", "5,000", "Efficient"],
            ["D", "35,000", "4.00", "25,000", "2.00", "12,500", "Efficient"],
            ["E", "55,000", "5.00", "20,000", "1.00", "20,000", "Efficient"],
            ["C", "25,000", "3.00", "—", "—", "—", "Extendedly dominated"],
            ["A", "12,000", "1.50", "—", "—", "—", "Dominated"],
        ])
    }

    @Test func invalidInput() {
        var plane = Self.plane()
        plane.strategies = []
        #expect(throws: AnalyticsError.self) { try plane.render() }
        plane = Self.plane(wtp: .infinity)
        #expect(throws: ChartError.self) { try plane.render() }
    }
}
