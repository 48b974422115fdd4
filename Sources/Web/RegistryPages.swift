import Analytics
import Charts
import Foundation
import Hummingbird
import Registry

/// The staff registry pages: `/registry` (overview), `/registry/survival`, `/registry/follow-up` and
/// `/registry/cost-effectiveness`. Server-rendered, French by default, no JavaScript. `StaffAccessMiddleware` has
/// checked the staff role before any of these run.
func addRegistryPages(to router: Router<AppRequestContext>, pages: Pages, registry: RegistryService) {
    router.get("/registry") { request, _ -> Response in
        let language = Language.from(request)
        let data = try await registry.data()
        let summary = try data.summary(asOf: registry.today())
        return pages.render("registry", RegistryOverviewPage(summary: summary, synthetic: data.isSynthetic, language: language),
                            language: language)
    }

    router.get("/registry/survival") { request, _ -> Response in
        let language = Language.from(request)
        let form = FormQuery(request.uri.query)
        let endpoint = form.first("endpoint").flatMap(SurvivalEndpoint.init(rawValue:)) ?? .overall
        let grouping = form.first("group").flatMap(SurvivalGrouping.init(rawValue:)) ?? .product
        let data = try await registry.data()
        let groups = data.survivalGroups(endpoint, by: grouping, cutoff: registry.today())
        let model = try RegistrySurvivalPage(endpoint: endpoint, grouping: grouping, groups: groups,
                                             synthetic: data.isSynthetic, language: language)
        return pages.render("registry-survival", model, language: language)
    }

    router.get("/registry/follow-up") { request, _ -> Response in
        let language = Language.from(request)
        let centre = FormQuery(request.uri.query).first("centre")
        let data = try await registry.data()
        let overdue = try data.overdueFollowUp(asOf: registry.today())
        let model = RegistryFollowUpPage(overdue: overdue, centre: centre, asOf: registry.today(),
                                         synthetic: data.isSynthetic, language: language)
        return pages.render("registry-follow-up", model, language: language)
    }

    router.get("/registry/cost-effectiveness") { request, _ -> Response in
        let language = Language.from(request)
        let form = FormQuery(request.uri.query)
        var model = CostEffectivenessPage(
            strategiesText: form.first("strategies") ?? CostEffectivenessPage.example(language),
            willingnessToPayText: form.first("wtp") ?? "50000", language: language)
        do {
            try model.compute()
            return pages.render("registry-ce", model, language: language)
        } catch {
            model.error = "\(error)"
            return pages.render("registry-ce", model, language: language, status: .badRequest)
        }
    }
}

/// Strings and formats of one page language, for the registry pages.
private struct RegistryText {
    let language: Language
    let strings: [String: String]
    let format: NumberFormat

    init(_ language: Language) {
        self.language = language
        strings = Strings.table(for: language)
        format = language == .fr ? .french : .english
    }

    subscript(_ key: String) -> String { strings[key] ?? key }

    /// A suppressed count: "< 5" or the number with this language's separators.
    func count(_ value: SuppressedCount) -> String { value.text(language.format) }

    func number(_ value: Double?, decimals: Int) -> String {
        value.map { format.string($0, decimals: decimals) } ?? "—"
    }

    /// The sub-navigation shared by the registry pages, the current one marked.
    func tabs(_ current: String) -> [[String: Any]] {
        [("/registry", "registry_tab_overview"), ("/registry/survival", "registry_tab_survival"),
         ("/registry/follow-up", "registry_tab_follow_up"), ("/registry/cost-effectiveness", "registry_tab_ce")].map {
            ["href": "\($0.0)?lang=\(language.rawValue)", "label": self[$0.1], "current": $0.0 == current]
        }
    }
}

/// `/registry`: headline counts and the distributions, every count suppressed under 5.
struct RegistryOverviewPage: PageModel {
    var summary: RegistrySummary
    var synthetic: Bool
    var language: Language

    var switchHref: String { "/registry?lang=\(language.other.rawValue)" }

    var context: [String: Any] {
        let text = RegistryText(language)
        func table(_ id: String, _ caption: String, _ column: String, _ items: [CategoryCount], _ prefix: String?,
                   counted: String = "column_episodes") -> [String: Any] {
            ["id": id, "caption": text[caption], "column": text[column], "counted": text[counted],
             "rows": items.map { item in
                 ["label": prefix.map { text["\($0)_\(item.code)"] } ?? item.code, "count": text.count(item.count)]
             }]
        }
        return [
            "title": text["registry_title"], "tabs": text.tabs("/registry"), "synthetic": synthetic,
            "asOf": summary.asOf.description,
            "counts": [
                ["key": "patients", "value": text.count(summary.patients), "label": text["registry_patients"]],
                ["key": "episodes", "value": text.count(summary.episodes), "label": text["registry_episodes"]],
                ["key": "infused", "value": text.count(summary.infused), "label": text["registry_infused"]],
                ["key": "deaths", "value": text.count(summary.deaths), "label": text["registry_deaths"]],
                ["key": "overdue", "value": text.count(summary.overdueVisits), "label": text["registry_overdue"]],
            ],
            "tables": [
                table("by-product", "registry_by_product", "column_product", summary.byProduct, "product"),
                table("by-indication", "registry_by_indication", "column_indication", summary.byIndication, "indication"),
                table("by-centre", "registry_by_centre", "column_centre", summary.byCentre, nil),
                table("crs-grades", "registry_crs_grades", "column_grade", summary.crsGrades, "grade", counted: "column_infusions"),
                table("icans-grades", "registry_icans_grades", "column_grade", summary.icansGrades, "grade",
                      counted: "column_infusions"),
            ],
        ]
    }
}

/// `/registry/survival`: Kaplan–Meier curves with confidence band and numbers at risk, medians and the log-rank test.
struct RegistrySurvivalPage: PageModel {
    var endpoint: SurvivalEndpoint
    var grouping: SurvivalGrouping
    var synthetic: Bool
    var language: Language
    private var chart: RenderedChart?
    private var medians: [[String: Any]] = []
    private var logRank: String?
    private var suppressed: [String] = []

    init(endpoint: SurvivalEndpoint, grouping: SurvivalGrouping, groups: RegistrySurvivalGroups, synthetic: Bool,
         language: Language) throws {
        self.endpoint = endpoint
        self.grouping = grouping
        self.synthetic = synthetic
        self.language = language
        let text = RegistryText(language)
        let labels = Labels(language)
        suppressed = groups.suppressed.map { RegistryAPI.groupLabel($0, grouping, labels) }
        guard !groups.groups.isEmpty else { return }
        let series = try groups.groups.map {
            SurvivalChart.Series(name: RegistryAPI.groupLabel($0.code, grouping, labels), curve: try KaplanMeier($0.observations))
        }
        let title = text["survival_\(endpoint.rawValue)"]
        chart = try SurvivalChart(
            series: series,
            chart: ChartText(id: "survival-chart", title: title, description: text["survival_description"]),
            labels: .init(time: text["survival_time_axis"], survival: text["survival_axis_\(endpoint.rawValue)"],
                          atRisk: text["survival_at_risk"], groupColumn: text["column_group"],
                          lowerColumn: text["survival_lower"], upperColumn: text["survival_upper"]),
            timeTicks: [0, 12, 24, 36, 48, 60, 72, 84], format: text.format
        ).render()
        medians = series.map { item in
            let median = item.curve.median()
            return ["group": item.name, "n": language.format(item.curve.count), "events": language.format(item.curve.eventCount),
                    "median": text.number(median.median, decimals: 1), "lower": text.number(median.lower, decimals: 1),
                    "upper": text.number(median.upper, decimals: 1)]
        }
        if series.count > 1 {
            let rows = groups.groups.flatMap { group in group.observations.map { (group.code, $0) } }
            if let test = try GroupedSurvival(times: rows.map(\.1.time), events: rows.map(\.1.event), groups: rows.map(\.0)).logRank {
                logRank = text["survival_log_rank"]
                    .replacingOccurrences(of: "{chi}", with: text.number(test.chiSquare, decimals: 2))
                    .replacingOccurrences(of: "{df}", with: String(test.degreesOfFreedom))
                    .replacingOccurrences(of: "{p}", with: test.pValue < 0.0001
                                          ? "< " + text.number(0.0001, decimals: 4) : text.number(test.pValue, decimals: 4))
            }
        }
    }

    var switchHref: String {
        "/registry/survival?endpoint=\(endpoint.rawValue)&group=\(grouping.rawValue)&lang=\(language.other.rawValue)"
    }

    var context: [String: Any] {
        let text = RegistryText(language)
        var context: [String: Any] = [
            "title": text["survival_title"], "tabs": text.tabs("/registry/survival"), "synthetic": synthetic,
            "endpoints": SurvivalEndpoint.allCases.map {
                ["value": $0.rawValue, "label": text["survival_\($0.rawValue)"], "selected": $0 == endpoint]
            },
            "groupings": SurvivalGrouping.allCases.map {
                ["value": $0.rawValue, "label": text["grouping_\($0.rawValue)"], "selected": $0 == grouping]
            },
            "medians": medians, "heading": text["survival_\(endpoint.rawValue)"],
        ]
        if let chart {
            context["chart"] = ["svg": chart.svg, "caption": chart.table.caption, "columns": chart.table.columns,
                                "rows": chart.table.rows.map { ["cells": $0] }]
        } else {
            context["empty"] = true
        }
        if let logRank { context["logRank"] = logRank }
        if !suppressed.isEmpty {
            context["suppressed"] = text["survival_suppressed"].replacingOccurrences(of: "{groups}", with: suppressed.joined(separator: ", "))
        }
        return context
    }
}

/// `/registry/follow-up`: the overdue visits, by centre (pseudonymous identifiers only).
struct RegistryFollowUpPage: PageModel {
    var overdue: [OverdueFollowUp]
    var centre: String?
    var asOf: CivilDate
    var synthetic: Bool
    var language: Language

    var switchHref: String {
        "/registry/follow-up?" + (centre.map { "centre=\(SignInPage.escape($0))&" } ?? "") + "lang=\(language.other.rawValue)"
    }

    var context: [String: Any] {
        let text = RegistryText(language)
        let shown = centre.map { centre in overdue.filter { $0.centre == centre } } ?? overdue
        return [
            "title": text["follow_up_title"], "tabs": text.tabs("/registry/follow-up"), "synthetic": synthetic,
            "total": text["follow_up_total"].replacingOccurrences(of: "{n}", with: language.format(shown.count))
                .replacingOccurrences(of: "{date}", with: asOf.description),
            "centres": Set(overdue.map(\.centre)).sorted().map { ["value": $0, "selected": $0 == centre] },
            "rows": shown.map {
                ["centre": $0.centre, "episode": $0.episodeId, "patient": $0.patientId,
                 "visit": text["visit_\($0.visit.key.hasPrefix("year-") ? "year" : $0.visit.key)"]
                    .replacingOccurrences(of: "{n}", with: String($0.visit.key.dropFirst("year-".count))),
                 "due": $0.visit.dueDate.description, "closes": $0.visit.windowCloses.description,
                 "days": language.format($0.daysOverdue)]
            },
            "none": shown.isEmpty,
        ]
    }
}

/// `/registry/cost-effectiveness`: strategies typed as CSV (strategy,cost,effect) drawn on the cost-effectiveness
/// plane with the efficient frontier and the willingness-to-pay line, and the incremental table.
struct CostEffectivenessPage: PageModel {
    var strategiesText: String
    var willingnessToPayText: String
    var language: Language
    var error: String?
    private var chart: RenderedChart?

    /// Illustrative strategies (not registry results), named in `language`: standard care, an autologous transplant,
    /// and CAR-T with an up-front or an outcomes-based payment, per patient over a lifetime.
    static func example(_ language: Language) -> String {
        let names = language == .fr
            ? ["Soins usuels", "CAR-T (prix payé d’avance)", "CAR-T (paiement selon les résultats)", "Greffe autologue"]
            : ["Standard care", "CAR-T (up-front price)", "CAR-T (outcomes-based payment)", "Autologous transplant"]
        return """
            strategy,cost,effect
            \(names[0]),95000,1.9
            \(names[1]),560000,4.6
            \(names[2]),470000,4.6
            \(names[3]),180000,2.4
            """
    }

    init(strategiesText: String, willingnessToPayText: String, language: Language) {
        self.strategiesText = strategiesText
        self.willingnessToPayText = willingnessToPayText
        self.language = language
    }

    /// Parses the form and draws the plane.
    /// - Throws: the CSV's or the analysis' error, naming the line, column or field.
    mutating func compute() throws {
        let text = RegistryText(language)
        guard let lambda = Double(willingnessToPayText.replacingOccurrences(of: " ", with: "")), lambda.isFinite, lambda >= 0 else {
            throw ParameterError(parameter: "wtp", reason: text["ce_bad_wtp"])
        }
        let table = try CSVTable(parsing: strategiesText)
        let names = try table.strings("strategy"), costs = try table.numbers("cost"), effects = try table.numbers("effect")
        let strategies = names.indices.map { StrategyOutcome(strategy: names[$0], cost: costs[$0], effect: effects[$0]) }
        chart = try CostEffectivenessPlane(
            strategies: strategies,
            chart: ChartText(id: "ce-plane", title: text["ce_plane"], description: text["ce_description"]),
            labels: .init(effect: text["ce_effect"], cost: text["ce_cost"], nonDominated: text["ce_nd"],
                          extendedlyDominated: text["ce_ed"], dominated: text["ce_d"], frontier: text["ce_frontier"],
                          willingnessToPay: text["ce_wtp_line"].replacingOccurrences(of: "{n}", with: text.number(lambda, decimals: 0)),
                          strategyColumn: text["ce_strategy"], incrementalCostColumn: text["ce_incremental_cost"],
                          incrementalEffectColumn: text["ce_incremental_effect"], icerColumn: text["ce_icer"],
                          statusColumn: text["ce_status"]),
            willingnessToPay: lambda, format: text.format
        ).render()
    }

    var switchHref: String {
        "/registry/cost-effectiveness?strategies=\(SignInPage.escape(strategiesText))&wtp=\(SignInPage.escape(willingnessToPayText))&lang=\(language.other.rawValue)"
    }

    var context: [String: Any] {
        let text = RegistryText(language)
        var context: [String: Any] = [
            "title": text["ce_title"], "tabs": text.tabs("/registry/cost-effectiveness"),
            "strategies": strategiesText, "wtp": willingnessToPayText,
        ]
        if let error { context["error"] = error }
        if let chart {
            context["chart"] = ["svg": chart.svg, "caption": chart.table.caption, "columns": chart.table.columns,
                                "rows": chart.table.rows.map { ["cells": $0] }]
        }
        return context
    }
}
