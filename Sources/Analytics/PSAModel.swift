import Foundation

/// A probabilistic sensitivity analysis described as data (the JSON of `passerelle analytics psa` and
/// `POST /api/v1/analytics/psa`): uncertain parameters, and per strategy a cohort model in the JSON of
/// `analytics psm` / `analytics markov` in which any number may be replaced by `{"parameter": "name"}` (or
/// `{"parameter": "name", "scale": a, "offset": b}` for b + a × value).
///
/// Each iteration draws every parameter (in the order given, one `RandomSource` stream), substitutes the draws into
/// every strategy's model, runs the models and records each strategy's total discounted cost and effect.
/// See docs/ANALYTICS.md for a worked example.
public struct PSAInput: Codable, Sendable, Equatable {
    public var iterations: Int
    public var seed: UInt64
    public var parameters: [UncertainParameter]
    public var strategies: [PSAStrategy]
    /// The strategy the CE plane is drawn against; the first strategy when absent.
    public var reference: String?
    /// Willingness-to-pay values of the acceptability curve; `PSAInput.defaultWillingnessToPay` when absent.
    public var willingnessToPay: [Double]?
    /// Adds every iteration's costs, effects and CE plane points to the report (large).
    public var includeIterations: Bool?

    /// 0 to 200,000 per unit of effect by 10,000.
    public static let defaultWillingnessToPay = stride(from: 0.0, through: 200_000, by: 10_000).map { $0 }

    public init(iterations: Int, seed: UInt64, parameters: [UncertainParameter], strategies: [PSAStrategy],
                reference: String? = nil, willingnessToPay: [Double]? = nil, includeIterations: Bool? = nil) {
        self.iterations = iterations
        self.seed = seed
        self.parameters = parameters
        self.strategies = strategies
        self.reference = reference
        self.willingnessToPay = willingnessToPay
        self.includeIterations = includeIterations
    }

    /// Runs the analysis.
    /// - Throws: `AnalyticsError` naming the field (`strategies[1].model.markov.phases[0].costs[2]: unknown
    ///   parameter "x"`, a model invalid at the parameters' means, a reference that is not a strategy, …).
    public func run() throws -> PSAReport {
        guard !strategies.isEmpty else { throw AnalyticsError.invalid(field: "strategies", reason: "must not be empty") }
        guard iterations <= 1_000_000 else {
            throw AnalyticsError.invalid(field: "iterations", reason: "must be ≤ 1,000,000, got \(iterations)")
        }
        var names = Set<String>()
        for (index, strategy) in strategies.enumerated() where !names.insert(strategy.name).inserted {
            throw AnalyticsError.invalid(field: "strategies[\(index)].name", reason: "duplicate \"\(strategy.name)\"")
        }
        let reference = self.reference ?? strategies[0].name
        guard names.contains(reference) else {
            throw AnalyticsError.invalid(field: "reference", reason: "unknown strategy \"\(reference)\"")
        }
        let known = Set(parameters.map(\.name))
        for (index, strategy) in strategies.enumerated() {
            try strategy.model.checkReferences(known: known, field: "strategies[\(index)].model")
        }
        let base = Dictionary(parameters.map { ($0.name, $0.distribution.mean) }, uniquingKeysWith: { first, _ in first })
        for (index, strategy) in strategies.enumerated() {
            _ = try strategy.model.outcome(name: strategy.name, draw: base, field: "strategies[\(index)].model")
        }
        let result = try ProbabilisticAnalysis.run(iterations: iterations, seed: seed, parameters: parameters) { draw in
            try strategies.enumerated().map { index, strategy in
                try strategy.model.outcome(name: strategy.name, draw: draw, field: "strategies[\(index)].model")
            }
        }
        let means = result.means
        let everyIteration = includeIterations ?? false
        return PSAReport(
            strategies: result.strategies, iterations: iterations, seed: seed, reference: reference, means: means,
            incremental: try IncrementalAnalysis.calculate(means),
            acceptability: result.acceptabilityCurve(willingnessToPay: willingnessToPay ?? Self.defaultWillingnessToPay),
            costs: everyIteration ? result.costs : nil, effects: everyIteration ? result.effects : nil,
            plane: everyIteration ? try result.planePoints(reference: reference) : nil)
    }
}

/// One strategy of a `PSAInput`.
public struct PSAStrategy: Codable, Sendable, Equatable {
    public var name: String
    public var model: PSAModelTemplate

    public init(name: String, model: PSAModelTemplate) {
        self.name = name
        self.model = model
    }
}

/// A cohort model whose numbers may name parameters: `{"partitionedSurvival": {…}}` or `{"markov": {…}}`
/// with the JSON of `PartitionedSurvivalModel` / `MarkovModel`, or `{"fixed": {"cost": c, "effect": e}}`.
public enum PSAModelTemplate: Codable, Sendable, Equatable {
    case partitionedSurvival(JSONValue)
    case markov(JSONValue)
    case fixed(JSONValue)

    /// Reads the one-key object `{"partitionedSurvival" | "markov" | "fixed": {…}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Kind.self)
        guard container.allKeys.count == 1, let kind = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "must hold exactly one of partitionedSurvival, markov, fixed"))
        }
        let template = try container.decode(JSONValue.self, forKey: kind)
        switch kind {
        case .partitionedSurvival: self = .partitionedSurvival(template)
        case .markov: self = .markov(template)
        case .fixed: self = .fixed(template)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Kind.self)
        let (key, template) = parts
        try container.encode(template, forKey: Kind(rawValue: key)!)
    }

    private enum Kind: String, CodingKey {
        case partitionedSurvival, markov, fixed
    }

    private var parts: (key: String, template: JSONValue) {
        switch self {
        case let .partitionedSurvival(value): ("partitionedSurvival", value)
        case let .markov(value): ("markov", value)
        case let .fixed(value): ("fixed", value)
        }
    }

    func checkReferences(known: Set<String>, field: String) throws {
        let (key, template) = parts
        try template.checkReferences(known: known, path: "\(field).\(key)")
    }

    /// The strategy's total cost and effect with the parameters set to `draw`.
    func outcome(name: String, draw: [String: Double], field: String) throws -> StrategyOutcome {
        let (key, template) = parts
        var text = ""
        template.substituting(draw).write(to: &text)
        let data = Data(text.utf8)
        let path = "\(field).\(key)"
        return try JSONValue.prefixingErrors(path) {
            switch self {
            case .partitionedSurvival:
                let totals = try JSONValue.decode(PartitionedSurvivalModel.self, from: data, path: path).run(includeTrace: false).totals
                return StrategyOutcome(strategy: name, cost: totals.cost, effect: totals.effect)
            case .markov:
                let totals = try JSONValue.decode(MarkovModel.self, from: data, path: path).run().totals
                return StrategyOutcome(strategy: name, cost: totals.cost, effect: totals.effect)
            case .fixed:
                let fixed = try JSONValue.decode(FixedOutcome.self, from: data, path: path)
                return StrategyOutcome(strategy: name, cost: fixed.cost, effect: fixed.effect)
            }
        }
    }

    private struct FixedOutcome: Decodable {
        var cost: Double
        var effect: Double
    }
}

/// What a PSA gives: mean cost and effect per strategy, the incremental analysis of the means, the acceptability
/// curve; with `includeIterations`, every iteration and the CE plane points against the reference.
public struct PSAReport: Codable, Sendable, Equatable {
    public var strategies: [String]
    public var iterations: Int
    public var seed: UInt64
    public var reference: String
    public var means: [StrategyOutcome]
    public var incremental: [IncrementalRow]
    public var acceptability: [CEACPoint]
    public var costs: [[Double]]?
    public var effects: [[Double]]?
    public var plane: [CEPlanePoint]?
}

/// Any JSON value, kept as a tree so a model template can have parameters substituted before it is decoded.
public indirect enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    /// A reference to a parameter: `{"parameter": "name"}`, optionally with `"scale"` and `"offset"` numbers, standing
    /// for offset + scale × value (`{"parameter": "p", "scale": -1, "offset": 1}` is 1 − p, for a transition row).
    struct ParameterReference {
        var name: String
        var scale = 1.0
        var offset = 0.0
    }

    var parameterReference: ParameterReference? {
        guard case let .object(fields) = self, case let .string(name)? = fields["parameter"],
              Set(fields.keys).isSubset(of: ["parameter", "scale", "offset"]) else { return nil }
        var reference = ParameterReference(name: name)
        if case let .number(scale)? = fields["scale"] { reference.scale = scale }
        if case let .number(offset)? = fields["offset"] { reference.offset = offset }
        return reference
    }

    func checkReferences(known: Set<String>, path: String) throws {
        if let reference = parameterReference {
            guard known.contains(reference.name) else {
                throw AnalyticsError.invalid(field: path, reason: "unknown parameter \"\(reference.name)\"")
            }
            return
        }
        switch self {
        case let .array(items):
            for (index, item) in items.enumerated() { try item.checkReferences(known: known, path: "\(path)[\(index)]") }
        case let .object(fields):
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                try value.checkReferences(known: known, path: "\(path).\(key)")
            }
        default: break
        }
    }

    /// The tree with every parameter reference replaced by its value in `draw`.
    func substituting(_ draw: [String: Double]) -> JSONValue {
        if let reference = parameterReference {
            return draw[reference.name].map { .number(reference.offset + reference.scale * $0) } ?? self
        }
        switch self {
        case let .array(items): return .array(items.map { $0.substituting(draw) })
        case let .object(fields): return .object(fields.mapValues { $0.substituting(draw) })
        default: return self
        }
    }

    /// Appends the value as compact JSON. Faster than `JSONEncoder` for the per-iteration models of a PSA; numbers are
    /// written with Swift's shortest round-trip form, so decoding gives back the same `Double`.
    func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case let .bool(value): text += value ? "true" : "false"
        case let .number(value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 { text += String(Int64(value)) } else { text += "\(value)" }
        case let .string(value): Self.writeString(value, to: &text)
        case let .array(items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                item.write(to: &text)
            }
            text += "]"
        case let .object(fields):
            text += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { text += "," }
                Self.writeString(key, to: &text)
                text += ":"
                value.write(to: &text)
            }
            text += "}"
        }
    }

    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// Decodes a JSON document, turning decoding errors into `AnalyticsError`s whose field is `path` followed by the
    /// JSON path (`strategies[1].model.markov.initial[0]`; without `path`, `initial[0]`, or `(root)`).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String = "") throws -> T {
        func field(_ codingPath: [any CodingKey]) -> String {
            let joined = path + codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined.isEmpty ? "(root)" : joined
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw AnalyticsError.invalid(field: field(context.codingPath + [key]), reason: "missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
            let DecodingError.dataCorrupted(context)
        {
            throw AnalyticsError.invalid(field: field(context.codingPath), reason: context.debugDescription)
        }
    }

    /// Runs `body`, prefixing the field of an `AnalyticsError` it throws with `path` (once: decoding errors already
    /// carry it).
    static func prefixingErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AnalyticsError {
            func prefixed(_ field: String) -> String { field.hasPrefix(path) ? field : "\(path).\(field)" }
            switch error {
            case let .invalid(field, reason): throw AnalyticsError.invalid(field: prefixed(field), reason: reason)
            case let .empty(field): throw AnalyticsError.empty(field: prefixed(field))
            case let .lengthMismatch(field, expected, actual):
                throw AnalyticsError.lengthMismatch(field: prefixed(field), expected: expected, actual: actual)
            }
        }
    }
}
