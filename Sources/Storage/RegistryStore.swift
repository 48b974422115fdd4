import Foundation
import Registry

/// Where the outcomes registry is kept: the same two databases as the trials, the same contract on both.
///
/// The registry is replaced whole: an import is a complete, validated `RegistryData` (see `RegistryCSV`) written in
/// one transaction, so the stored registry is always a set of records that passed validation together and is never
/// half-written. Every replacement is logged in `registry_imports`.
public protocol RegistryStore: Sendable {
    /// Replaces every registry record with `data` in one transaction (nothing changes if it fails) and logs the
    /// import with its `source` (a directory, "synthetic demo cohort", …).
    func replaceRegistry(with data: RegistryData, source: String, at time: Date) async throws
    /// The whole registry, each table in key order.
    func registryData() async throws -> RegistryData
    /// The number of records of each table.
    func registryCounts() async throws -> RegistryCounts
    /// The imports that replaced the registry, newest first, at most `limit`.
    func registryImports(limit: Int) async throws -> [RegistryImportLogEntry]
}

/// Record counts of the registry tables.
public struct RegistryCounts: Sendable, Codable, Equatable {
    public var patients = 0
    public var episodes = 0
    public var toxicities = 0
    public var responses = 0
    public var visits = 0
    public var deaths = 0
    public var costs = 0

    public init() {}

    public init(_ data: RegistryData) {
        patients = data.patients.count
        episodes = data.episodes.count
        toxicities = data.toxicities.count
        responses = data.responses.count
        visits = data.visits.count
        deaths = data.deaths.count
        costs = data.costs.count
    }

    /// True when no table holds a record.
    public var isEmpty: Bool { self == RegistryCounts() }

    subscript(table: RegistryTable) -> Int {
        get {
            switch table {
            case .patients: patients
            case .episodes: episodes
            case .toxicities: toxicities
            case .responses: responses
            case .visits: visits
            case .deaths: deaths
            case .costs: costs
            }
        }
        set {
            switch table {
            case .patients: patients = newValue
            case .episodes: episodes = newValue
            case .toxicities: toxicities = newValue
            case .responses: responses = newValue
            case .visits: visits = newValue
            case .deaths: deaths = newValue
            case .costs: costs = newValue
            }
        }
    }
}

/// One line of `registry_imports`.
public struct RegistryImportLogEntry: Sendable, Codable, Equatable {
    public var sequence: Int64
    /// UTC ISO 8601.
    public var importedAt: String
    public var source: String
    public var counts: RegistryCounts
}

// MARK: - Rows shared by both stores

/// The type of a registry column, as both databases store it.
enum RegistryColumnType {
    case text, optionalText, integer, optionalInteger, optionalReal, boolean
}

/// One cell of a registry row, independent of the database.
enum RegistryCell: Sendable {
    case text(String?)
    case integer(Int?)
    case real(Double?)
    case boolean(Bool)
}

/// How one registry table maps to its SQL table: the columns (in the CSV's order), a record's cells, and back.
struct RegistrySQLTable<Record>: Sendable {
    var table: RegistryTable
    var name: String
    var columns: [(name: String, type: RegistryColumnType)]
    /// ORDER BY clause: the table's key.
    var key: String
    var encode: @Sendable (Record) -> [RegistryCell]
    var decode: @Sendable (RowReader) throws -> Record

    var selectSQL: String { "SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(name) ORDER BY \(key)" }
}

/// Reads the cells of one stored row in column order, throwing `StoreError.corruptRegistryRow` on a value the
/// domain does not accept (which validation would have rejected on import).
struct RowReader {
    let table: String
    let cells: [RegistryCell]
    private var index = 0

    init(table: String, cells: [RegistryCell]) {
        self.table = table
        self.cells = cells
    }

    mutating func text() throws -> String {
        guard case let .text(value?) = next() else { throw corrupt("missing text") }
        return value
    }

    mutating func optionalText() -> String? {
        if case let .text(value) = next() { return value }
        return nil
    }

    mutating func integer() throws -> Int {
        guard case let .integer(value?) = next() else { throw corrupt("missing integer") }
        return value
    }

    mutating func optionalInteger() -> Int? {
        if case let .integer(value) = next() { return value }
        return nil
    }

    mutating func optionalReal() -> Double? {
        if case let .real(value) = next() { return value }
        return nil
    }

    mutating func boolean() throws -> Bool {
        guard case let .boolean(value) = next() else { throw corrupt("missing boolean") }
        return value
    }

    mutating func date() throws -> CivilDate { try CivilDate(iso: text()) }

    mutating func optionalDate() throws -> CivilDate? { try optionalText().map { try CivilDate(iso: $0) } }

    mutating func choice<T: RawRepresentable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let raw = try text()
        guard let value = T(rawValue: raw) else { throw corrupt("unknown \(T.self) \"\(raw)\"") }
        return value
    }

    private mutating func next() -> RegistryCell? {
        defer { index += 1 }
        return index < cells.count ? cells[index] : nil
    }

    private func corrupt(_ reason: String) -> StoreError {
        StoreError.corruptRecord(nctId: table, reason: "column \(index): \(reason)")
    }
}

/// The seven registry tables, in the order they are written (referenced tables first) and read.
enum RegistrySQL {
    static let patients = RegistrySQLTable<Patient>(
        table: .patients, name: "registry_patients",
        columns: [("id", .text), ("birth_year", .integer), ("sex", .text), ("region", .text)], key: "id",
        encode: { [.text($0.id), .integer($0.birthYear), .text($0.sex.rawValue), .text($0.region.description)] },
        decode: { row in
            var r = row
            return Patient(id: try r.text(), birthYear: try r.integer(), sex: try r.choice(Sex.self),
                           region: try HealthRegion(text: try r.text()))
        })

    static let episodes = RegistrySQLTable<TreatmentEpisode>(
        table: .episodes, name: "registry_episodes",
        columns: [("id", .text), ("patient_id", .text), ("product", .text), ("indication", .text), ("centre", .text),
                  ("referral_date", .text), ("approval_date", .optionalText), ("apheresis_date", .optionalText),
                  ("infusion_date", .optionalText), ("bridging", .text), ("lymphodepletion", .text)],
        key: "id",
        encode: { e in
            [.text(e.id), .text(e.patientId), .text(e.product.rawValue), .text(e.indication.rawValue), .text(e.centre),
             .text(e.referralDate.description), .text(e.approvalDate?.description),
             .text(e.apheresisDate?.description), .text(e.infusionDate?.description), .text(e.bridging.rawValue),
             .text(e.lymphodepletion.rawValue)]
        },
        decode: { row in
            var r = row
            return TreatmentEpisode(
                id: try r.text(), patientId: try r.text(), product: try r.choice(CARTProduct.self),
                indication: try r.choice(Indication.self), centre: try r.text(), referralDate: try r.date(),
                approvalDate: try r.optionalDate(), apheresisDate: try r.optionalDate(), infusionDate: try r.optionalDate(),
                bridging: try r.choice(BridgingTherapy.self), lymphodepletion: try r.choice(Lymphodepletion.self))
        })

    static let deaths = RegistrySQLTable<DeathRecord>(
        table: .deaths, name: "registry_deaths",
        columns: [("patient_id", .text), ("date", .text), ("cause", .text)], key: "patient_id",
        encode: { [.text($0.patientId), .text($0.date.description), .text($0.cause.rawValue)] },
        decode: { row in
            var r = row
            return DeathRecord(patientId: try r.text(), date: try r.date(), cause: try r.choice(DeathCause.self))
        })

    static let toxicities = RegistrySQLTable<ToxicityAssessment>(
        table: .toxicities, name: "registry_toxicities",
        columns: [("episode_id", .text), ("date", .text), ("temperature_celsius", .optionalReal),
                  ("fever_masked_by_treatment", .boolean), ("hypotension", .text), ("hypoxia", .text),
                  ("encephalopathy_screen", .optionalText), ("encephalopathy_score", .optionalInteger),
                  ("consciousness", .text), ("seizure", .text), ("motor", .text), ("intracranial_pressure", .text),
                  ("tocilizumab", .boolean), ("corticosteroids", .boolean)],
        key: "episode_id, date",
        encode: { t in
            let screen: (String?, Int?) = switch t.encephalopathy {
            case nil: (nil, nil)
            case let .ice(score)?: ("ice", score)
            case let .capd(score)?: ("capd", score)
            case .unableToPerform?: ("unable", nil)
            }
            return [.text(t.episodeId), .text(t.date.description), .real(t.temperatureCelsius),
                    .boolean(t.feverMaskedByTreatment), .text(t.hypotension.rawValue), .text(t.hypoxia.rawValue),
                    .text(screen.0), .integer(screen.1), .text(t.consciousness.rawValue), .text(t.seizure.rawValue),
                    .text(t.motor.rawValue), .text(t.intracranialPressure.rawValue), .boolean(t.tocilizumab),
                    .boolean(t.corticosteroids)]
        },
        decode: { row in
            var r = row
            let episodeId = try r.text(), date = try r.date(), temperature = r.optionalReal(), masked = try r.boolean()
            let hypotension = try r.choice(Hypotension.self), hypoxia = try r.choice(Hypoxia.self)
            let screen: EncephalopathyScreen? = switch (r.optionalText(), r.optionalInteger()) {
            case let ("ice", score?): .ice(score: score)
            case let ("capd", score?): .capd(score: score)
            case ("unable", nil): .unableToPerform
            default: nil
            }
            return ToxicityAssessment(
                episodeId: episodeId, date: date, temperatureCelsius: temperature, feverMaskedByTreatment: masked,
                hypotension: hypotension, hypoxia: hypoxia, encephalopathy: screen,
                consciousness: try r.choice(ConsciousnessLevel.self), seizure: try r.choice(SeizureFinding.self),
                motor: try r.choice(MotorFinding.self), intracranialPressure: try r.choice(IntracranialPressureFinding.self),
                tocilizumab: try r.boolean(), corticosteroids: try r.boolean())
        })

    static let responses = RegistrySQLTable<ResponseAssessment>(
        table: .responses, name: "registry_responses",
        columns: [("episode_id", .text), ("date", .text), ("category", .text)], key: "episode_id, date",
        encode: { [.text($0.episodeId), .text($0.date.description), .text($0.category.rawValue)] },
        decode: { row in
            var r = row
            return ResponseAssessment(episodeId: try r.text(), date: try r.date(), category: try r.choice(ResponseCategory.self))
        })

    static let visits = RegistrySQLTable<VisitRecord>(
        table: .visits, name: "registry_visits",
        columns: [("episode_id", .text), ("date", .text)], key: "episode_id, date",
        encode: { [.text($0.episodeId), .text($0.date.description)] },
        decode: { row in
            var r = row
            return VisitRecord(episodeId: try r.text(), date: try r.date())
        })

    static let costs = RegistrySQLTable<CostRecord>(
        table: .costs, name: "registry_costs",
        columns: [("id", .text), ("episode_id", .text), ("category", .text), ("amount_cents", .integer), ("date", .text)],
        key: "id",
        encode: { [.text($0.id), .text($0.episodeId), .text($0.category.rawValue), .integer($0.amountCents), .text($0.date.description)] },
        decode: { row in
            var r = row
            return CostRecord(id: try r.text(), episodeId: try r.text(), category: try r.choice(CostCategory.self),
                              amountCents: try r.integer(), date: try r.date())
        })

    /// Table names, referencing tables first: the order to delete in.
    static let deleteOrder = ["registry_costs", "registry_visits", "registry_responses", "registry_toxicities",
                              "registry_deaths", "registry_episodes", "registry_patients"]

    static let importColumns = "imported_at, source, patients, episodes, toxicities, responses, visits, deaths, costs"
    static let selectImports = "SELECT sequence, \(importColumns) FROM registry_imports ORDER BY sequence DESC"

    static func countsSQL() -> String {
        "SELECT " + RegistryTable.allCases.map { "(SELECT COUNT(*) FROM registry_\($0.rawValue))" }.joined(separator: ", ")
    }
}

/// What a store does with each table, written once for both databases: a visitor over the seven tables so the
/// SQLite and PostgreSQL stores each supply only "write these rows" and "read these rows".
protocol RegistryTableVisitor {
    mutating func visit<Record>(_ table: RegistrySQLTable<Record>, _ records: [Record]) throws
}

extension RegistryData {
    /// Calls `visitor` with each table and its records, referenced tables first.
    func visitTables(_ visitor: inout some RegistryTableVisitor) throws {
        try visitor.visit(RegistrySQL.patients, patients)
        try visitor.visit(RegistrySQL.episodes, episodes)
        try visitor.visit(RegistrySQL.deaths, deaths)
        try visitor.visit(RegistrySQL.toxicities, toxicities)
        try visitor.visit(RegistrySQL.responses, responses)
        try visitor.visit(RegistrySQL.visits, visits)
        try visitor.visit(RegistrySQL.costs, costs)
    }
}
