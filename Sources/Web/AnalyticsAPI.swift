import API
import Analytics
import Foundation
import OpenAPIRuntime

/// `/api/v1/analytics/*`: the Analytics domain's calculations on the data sent; nothing is stored. Invalid input is
/// a `400` problem naming the field (`phases[0].transitions[1]`) or the query parameter.
struct AnalyticsAPI: Sendable {
    /// Most PSA iterations one request may ask for (the CLI has no limit).
    static let maximumPSAIterations = 20_000
    /// Largest CSV body for Kaplan–Meier.
    static let maximumCSVBytes = 64 * 1024 * 1024

    func kaplanMeier(_ input: Operations.KaplanMeier.Input) async throws -> Operations.KaplanMeier.Output {
        let query = input.query
        let times: [Double]?
        do {
            times = try query.times.map { try Self.numberList($0, parameter: "times") }
        } catch let error as ParameterError {
            return .badRequest(Problems.badRequest(error))
        }
        let rows: (times: [Double], events: [Bool], groups: [String]?)
        do {
            switch input.body {
            case let .json(body): rows = try Self.rows(body)
            case let .csv(body): rows = try Self.rows(csv: try await String(collecting: body, upTo: Self.maximumCSVBytes))
            }
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
        let level = query.confLevel ?? 0.95
        guard level > 0, level < 1 else {
            return .badRequest(Problems.badRequest(ParameterError(parameter: "conf_level", reason: "must lie in (0, 1)")))
        }
        do {
            let survival = try GroupedSurvival(times: rows.times, events: rows.events, groups: rows.groups)
            let type = ConfidenceType(rawValue: query.confType?.rawValue ?? "log") ?? .log
            let report = try KaplanMeierReport(survival, type: type, level: level, times: times, tau: query.tau)
            return .ok(.init(body: .json(try JSONBridge.convert(report, to: Components.Schemas.KaplanMeierReport.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
    }

    func incrementalAnalysis(_ input: Operations.IncrementalAnalysis.Input) async throws
        -> Operations.IncrementalAnalysis.Output
    {
        guard case let .json(body) = input.body else { return .badRequest(Problems.invalidBody(.empty(field: "strategies"))) }
        let outcomes = body.strategies.map { StrategyOutcome(strategy: $0.strategy, cost: $0.cost, effect: $0.effect) }
        do {
            let report = try IncrementalReport(outcomes, willingnessToPay: body.willingnessToPay)
            return .ok(.init(body: .json(try JSONBridge.convert(report, to: Components.Schemas.ICERReport.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(Self.prefixed(error, "strategies")))
        }
    }

    func partitionedSurvivalModel(_ input: Operations.PartitionedSurvivalModel.Input) async throws
        -> Operations.PartitionedSurvivalModel.Output
    {
        guard case let .json(body) = input.body else { return .badRequest(Problems.invalidBody(.empty(field: "(root)"))) }
        do {
            let result = try Self.decode(PartitionedSurvivalModel.self, body).run()
            return .ok(.init(body: .json(try JSONBridge.convert(result, to: Components.Schemas.CohortResult.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
    }

    func markovModel(_ input: Operations.MarkovModel.Input) async throws -> Operations.MarkovModel.Output {
        guard case let .json(body) = input.body else { return .badRequest(Problems.invalidBody(.empty(field: "(root)"))) }
        do {
            let result = try Self.decode(MarkovModel.self, body).run()
            return .ok(.init(body: .json(try JSONBridge.convert(result, to: Components.Schemas.CohortResult.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
    }

    func probabilisticAnalysis(_ input: Operations.ProbabilisticAnalysis.Input) async throws
        -> Operations.ProbabilisticAnalysis.Output
    {
        guard case let .json(body) = input.body else { return .badRequest(Problems.invalidBody(.empty(field: "(root)"))) }
        do {
            let analysis = try Self.decode(PSAInput.self, body)
            guard analysis.iterations <= Self.maximumPSAIterations else {
                throw AnalyticsError.invalid(
                    field: "iterations", reason: "at most \(Self.maximumPSAIterations) through the API (use passerelle analytics psa)")
            }
            return .ok(.init(body: .json(try JSONBridge.convert(try analysis.run(), to: Components.Schemas.ModelDocument.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
    }

    func budgetImpact(_ input: Operations.BudgetImpact.Input) async throws -> Operations.BudgetImpact.Output {
        guard case let .json(body) = input.body else { return .badRequest(Problems.invalidBody(.empty(field: "(root)"))) }
        do {
            let result = try BudgetImpact.analyse(try Self.decode(BudgetImpactInput.self, body))
            return .ok(.init(body: .json(try JSONBridge.convert(result, to: Components.Schemas.ModelDocument.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
    }

    func paymentSchedule(_ input: Operations.PaymentSchedule.Input) async throws -> Operations.PaymentSchedule.Output {
        guard case let .json(body) = input.body else { return .badRequest(Problems.invalidBody(.empty(field: "(root)"))) }
        do {
            let result = try Self.decode(PaymentAnalysis.self, body).run()
            return .ok(.init(body: .json(try JSONBridge.convert(result, to: Components.Schemas.ModelDocument.self))))
        } catch let error as AnalyticsError {
            return .badRequest(Problems.invalidBody(error))
        }
    }

    // MARK: Input

    /// A free-form request document decoded into the domain type, decoding errors naming the JSON path.
    static func decode<T: Decodable>(_ type: T.Type, _ document: OpenAPIObjectContainer) throws -> T {
        try JSONValue.decode(type, from: JSONEncoder().encode(document))
    }

    static func rows(_ body: Components.Schemas.SurvivalRows) throws -> (times: [Double], events: [Bool], groups: [String]?) {
        let grouped = body.rows.contains { $0.group != nil }
        var groups: [String] = []
        for (index, row) in body.rows.enumerated() {
            guard row.time.isFinite, row.time >= 0 else {
                throw AnalyticsError.invalid(field: "rows[\(index)].time", reason: "must be ≥ 0, got \(row.time)")
            }
            if grouped {
                guard let group = row.group else {
                    throw AnalyticsError.invalid(field: "rows[\(index)].group", reason: "missing while other rows have one")
                }
                groups.append(group)
            }
        }
        return (body.rows.map(\.time), body.rows.map(\.event), grouped ? groups : nil)
    }

    /// Rows from CSV with columns `time`, `event` (1 or 0) and optionally `group`; errors name line and column.
    static func rows(csv text: String) throws -> (times: [Double], events: [Bool], groups: [String]?) {
        do {
            let table = try CSVTable(parsing: text)
            let times = try table.numbers("time")
            let eventColumn = try table.columnIndex("event")
            let events = try table.rows.enumerated().map { offset, row -> Bool in
                switch row[eventColumn].trimmingCharacters(in: .whitespaces) {
                case "1": return true
                case "0": return false
                default:
                    throw AnalyticsError.invalid(field: "line \(table.lines[offset]), column \"event\"",
                                                 reason: "must be 1 (event) or 0 (censored), got \"\(row[eventColumn])\"")
                }
            }
            for (offset, time) in times.enumerated() where !(time.isFinite && time >= 0) {
                throw AnalyticsError.invalid(field: "line \(table.lines[offset]), column \"time\"", reason: "must be ≥ 0, got \(time)")
            }
            let groups = table.header.contains("group") ? try table.strings("group") : nil
            return (times, events, groups)
        } catch let error as CSVTable.ParseError {
            throw AnalyticsError.invalid(field: "body", reason: "\(error)")
        }
    }

    static func numberList(_ text: String, parameter: String) throws -> [Double] {
        try text.split(separator: ",").map { part in
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw ParameterError(parameter: parameter, reason: "\"\(part)\" is not a number")
            }
            return value
        }
    }

    /// `error` with its field put under `parent` (the ICER rows are `strategies[i]` in the request).
    static func prefixed(_ error: AnalyticsError, _ parent: String) -> AnalyticsError {
        guard case let .invalid(field, reason) = error, !field.hasPrefix(parent) else { return error }
        return .invalid(field: field.hasPrefix("[") ? parent + field : "\(parent).\(field)", reason: reason)
    }
}

extension Problems {
    /// `400` for a request body field, named in `field` (a JSON path, or the CSV line and column).
    static func invalidBody(_ error: AnalyticsError) -> Components.Responses.BadRequest {
        let field: String = switch error {
        case let .invalid(field, _), let .empty(field), let .lengthMismatch(field, _, _): field
        }
        return .init(body: .applicationProblemJson(.init(
            _type: "about:blank", title: "Invalid request body", status: 400, detail: error.description, field: field)))
    }
}
