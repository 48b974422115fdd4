import API
import Analytics
import Foundation
import OpenAPIRuntime
import Registry

/// `/api/v1/registry/*`: the registry's overview, survival curves and overdue follow-up, computed by the Registry
/// domain. Access is checked before these run (`StaffAccessMiddleware`).
struct RegistryAPI: Sendable {
    let registry: RegistryService

    func getRegistrySummary(_ input: Operations.GetRegistrySummary.Input) async throws -> Operations.GetRegistrySummary.Output {
        let labels = Labels(input.query.lang == .en ? .en : .fr)
        let data = try await registry.data()
        let summary = try data.summary(asOf: registry.today())
        return .ok(.init(body: .json(Self.schema(summary, synthetic: data.isSynthetic, labels: labels))))
    }

    func getRegistrySurvival(_ input: Operations.GetRegistrySurvival.Input) async throws -> Operations.GetRegistrySurvival.Output {
        let query = input.query
        let endpoint = SurvivalEndpoint(rawValue: query.endpoint?.rawValue ?? "os") ?? .overall
        let grouping = SurvivalGrouping(rawValue: query.group?.rawValue ?? "product") ?? .product
        let type = ConfidenceType(rawValue: query.confType?.rawValue ?? "log") ?? .log
        let level = query.confLevel ?? 0.95
        guard level > 0, level < 1 else {
            return .badRequest(Problems.badRequest(ParameterError(parameter: "conf_level", reason: "must lie in (0, 1)")))
        }
        let labels = Labels(query.lang == .en ? .en : .fr)
        let today = registry.today()
        let groups = try await registry.data().survivalGroups(endpoint, by: grouping, cutoff: today)
        var report = try Self.curves(groups, type: type, level: level)
        for index in report.groups.indices {
            report.groups[index].label = Self.groupLabel(report.groups[index].name, grouping, labels)
        }
        return .ok(.init(body: .json(.init(
            endpoint: .init(rawValue: endpoint.rawValue)!, group: .init(rawValue: grouping.rawValue)!,
            asOf: today.description, timeUnit: .months, groups: report.groups, logRank: report.logRank,
            suppressedGroups: groups.suppressed))))
    }

    func getOverdueFollowUp(_ input: Operations.GetOverdueFollowUp.Input) async throws -> Operations.GetOverdueFollowUp.Output {
        let today = registry.today()
        var overdue = try await registry.data().overdueFollowUp(asOf: today)
        if let centre = input.query.centre?.trimmingCharacters(in: .whitespaces), !centre.isEmpty {
            overdue = overdue.filter { $0.centre == centre }
        }
        return .ok(.init(body: .json(.init(
            asOf: today.description, total: overdue.count,
            visits: overdue.map {
                .init(episodeId: $0.episodeId, patientId: $0.patientId, centre: $0.centre, visit: $0.visit.key,
                      dueDate: $0.visit.dueDate.description, windowCloses: $0.visit.windowCloses.description,
                      daysOverdue: $0.daysOverdue)
            }))))
    }

    /// The Kaplan–Meier report of the survival groups, in the API's types.
    static func curves(_ groups: RegistrySurvivalGroups, type: ConfidenceType, level: Double) throws
        -> Components.Schemas.KaplanMeierReport
    {
        guard !groups.groups.isEmpty else { return .init(groups: []) }
        let rows = groups.groups.flatMap { group in group.observations.map { (group.code, $0) } }
        let survival = try GroupedSurvival(times: rows.map(\.1.time), events: rows.map(\.1.event),
                                           groups: rows.map(\.0))
        return try JSONBridge.convert(KaplanMeierReport(survival, type: type, level: level),
                                      to: Components.Schemas.KaplanMeierReport.self)
    }

    static func groupLabel(_ code: String, _ grouping: SurvivalGrouping, _ labels: Labels) -> String {
        switch grouping {
        case .none: labels.text("registry_all_patients")
        case .product: labels.text("product_\(code)")
        case .indication: labels.text("indication_\(code)")
        }
    }

    static func schema(_ summary: RegistrySummary, synthetic: Bool, labels: Labels) -> Components.Schemas.RegistrySummary {
        func count(_ value: SuppressedCount) -> Components.Schemas.SuppressedCount {
            .init(value: value.value, suppressed: value.isSuppressed)
        }
        func categories(_ items: [CategoryCount], _ prefix: String?) -> [Components.Schemas.CategoryCount] {
            items.map { item in
                .init(code: item.code, label: prefix.map { labels.text("\($0)_\(item.code)") } ?? item.code,
                      count: count(item.count))
            }
        }
        return .init(
            asOf: summary.asOf.description, synthetic: synthetic, patients: count(summary.patients),
            episodes: count(summary.episodes), infused: count(summary.infused), deaths: count(summary.deaths),
            overdueVisits: count(summary.overdueVisits), byProduct: categories(summary.byProduct, "product"),
            byIndication: categories(summary.byIndication, "indication"), byCentre: categories(summary.byCentre, nil),
            crsGrades: categories(summary.crsGrades, "grade"), icansGrades: categories(summary.icansGrades, "grade"))
    }
}

/// Converts between the domain's and the generated API's `Codable` types through their shared JSON form (the API
/// document describes the domain's JSON).
enum JSONBridge {
    static func convert<T: Decodable>(_ value: some Encodable, to type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: JSONEncoder().encode(value))
    }
}
