import Analytics

/// The CSV text of each registry table (see docs/REGISTRY.md for the columns); `nil` means the file is absent.
public struct RegistryCSVFiles: Sendable, Equatable {
    public var patients: String?
    public var episodes: String?
    public var toxicities: String?
    public var responses: String?
    public var visits: String?
    public var deaths: String?
    public var costs: String?

    public init(patients: String? = nil, episodes: String? = nil, toxicities: String? = nil, responses: String? = nil,
                visits: String? = nil, deaths: String? = nil, costs: String? = nil) {
        self.patients = patients
        self.episodes = episodes
        self.toxicities = toxicities
        self.responses = responses
        self.visits = visits
        self.deaths = deaths
        self.costs = costs
    }

    /// The text of `table`'s file.
    public subscript(table: RegistryTable) -> String? {
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

/// The outcome of a CSV import: the accepted records and one issue or more per rejected row.
public struct RegistryImport: Sendable, Equatable {
    public var data: RegistryData
    /// In table order (`RegistryTable`), then line order. Issues with `line` 1 concern the whole file.
    public var issues: [RegistryIssue]
}

/// Pure CSV import and export of the registry tables.
///
/// **What is kept.** Tables are read in the order patients, episodes, deaths, toxicities, responses,
/// visits, costs, each checked against the rows already accepted from the tables before it. A row is
/// accepted whole or rejected whole:
/// - a row with any field error is rejected, with every field error reported;
/// - a row referring to a patient or episode that was not accepted is rejected;
/// - a row breaking a rule across records (`RegistryData.validate`: e.g. a death before the infusion,
///   a visit before the infusion or after the death) is rejected;
/// - **duplicate keys are all rejected**: when two or more rows share a key (the raw text of the key
///   columns), none of them is kept — the registry cannot tell which is right — and each is reported with
///   the lines of the others.
///
/// A file that is not well-formed CSV (unterminated quote, stray quote, a row with the wrong number of
/// fields) or lacks a column is rejected whole, with one issue on the line found. Extra columns are
/// ignored. Quoted fields, CRLF or LF line ends, a UTF-8 byte order mark and blank lines are accepted;
/// values are trimmed of surrounding spaces; an empty value means "not recorded" for optional columns.
public enum RegistryCSV {
    /// The columns of `table`, in export order; an import needs all of them in its header, in any order.
    public static func columns(_ table: RegistryTable) -> [String] {
        switch table {
        case .patients: patients.columns
        case .episodes: episodes.columns
        case .toxicities: toxicities.columns
        case .responses: responses.columns
        case .visits: visits.columns
        case .deaths: deaths.columns
        case .costs: costs.columns
        }
    }

    /// Imports the tables present in `files`; dates after `today` are rejected.
    public static func importTables(_ files: RegistryCSVFiles, asOf today: CivilDate) -> RegistryImport {
        var index = RegistryIndex()
        var issues: [RegistryIssue] = []
        var data = RegistryData()
        data.patients = read(.patients, patients, files, &index, &issues, { _, p in p.problems(asOf: today) },
                             accept: { $0.patients[$1.id] = $1 })
        data.episodes = read(.episodes, episodes, files, &index, &issues, { $0.problems($1, asOf: today) },
                             accept: { $0.add($1) })
        data.deaths = read(.deaths, deaths, files, &index, &issues, { $0.problems($1, asOf: today) },
                           accept: { $0.deaths[$1.patientId] = $1 })
        data.toxicities = read(.toxicities, toxicities, files, &index, &issues, { $0.problems($1, asOf: today) })
        data.responses = read(.responses, responses, files, &index, &issues, { $0.problems($1, asOf: today) })
        data.visits = read(.visits, visits, files, &index, &issues, { $0.problems($1, asOf: today) })
        data.costs = read(.costs, costs, files, &index, &issues, { $0.problems($1, asOf: today) })
        issues.sort { lhs, rhs in
            let l = RegistryTable.allCases.firstIndex(of: lhs.table)!, r = RegistryTable.allCases.firstIndex(of: rhs.table)!
            return l != r ? l < r : (lhs.line ?? 0) < (rhs.line ?? 0)
        }
        return RegistryImport(data: data, issues: issues)
    }

    /// Every table as CSV (RFC 4180, LF line ends, header first, records in the order given).
    /// Importing the result gives back `data` when `data` is valid.
    public static func export(_ data: RegistryData) -> RegistryCSVFiles {
        RegistryCSVFiles(patients: write(patients, data.patients), episodes: write(episodes, data.episodes),
                         toxicities: write(toxicities, data.toxicities), responses: write(responses, data.responses),
                         visits: write(visits, data.visits), deaths: write(deaths, data.deaths),
                         costs: write(costs, data.costs))
    }

    // MARK: - Reading and writing one table

    private static func read<R>(_ table: RegistryTable, _ codec: TableCodec<R>, _ files: RegistryCSVFiles,
                                _ index: inout RegistryIndex, _ issues: inout [RegistryIssue],
                                _ rule: (RegistryIndex, R) -> [RegistryError],
                                accept: (inout RegistryIndex, R) -> Void = { _, _ in }) -> [R] {
        guard var text = files[table] else { return [] }
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let csv: CSVTable
        do {
            csv = try CSVTable(parsing: text)
        } catch let error as CSVTable.ParseError {
            issues.append(RegistryIssue(table: table, record: nil, line: error.line, field: "", reason: "\(error)"))
            return []
        } catch {
            issues.append(RegistryIssue(table: table, record: nil, line: 1, field: "", reason: "\(error)"))
            return []
        }
        let header = Dictionary(csv.header.enumerated().map { ($1.trimmed, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = codec.columns.filter { header[$0] == nil }
        guard missing.isEmpty else {
            issues += missing.map { RegistryIssue(table: table, record: nil, line: 1, field: $0, reason: "missing column") }
            return []
        }
        let keys = csv.rows.map { row in codec.keyColumns.map { row[header[$0]!].trimmed }.joined(separator: "@") }
        var linesByKey: [String: [Int]] = [:]
        for (key, line) in zip(keys, csv.lines) { linesByKey[key, default: []].append(line) }

        var accepted: [R] = []
        for (offset, row) in csv.rows.enumerated() {
            let line = csv.lines[offset]
            let key = keys[offset]
            var reader = FieldReader(header: header, row: row)
            let record = codec.decode(&reader)
            var problems = reader.errors
            if let record, problems.isEmpty { problems = rule(index, record) }
            var rowIssues = problems.map { RegistryIssue($0, table: table, record: key, line: line) }
            let sameKey = linesByKey[key, default: []].filter { $0 != line }
            if !sameKey.isEmpty {
                rowIssues.append(RegistryIssue(table: table, record: key, line: line, field: "",
                                               reason: "duplicate key \(key), also on line \(sameKey.map(String.init).joined(separator: ", "))"))
            }
            if let record, rowIssues.isEmpty {
                accepted.append(record)
                accept(&index, record)
            } else {
                issues += rowIssues
            }
        }
        return accepted
    }

    private static func write<R>(_ codec: TableCodec<R>, _ records: [R]) -> String {
        ([codec.columns] + records.map(codec.encode)).map { $0.map(CSVTable.quoted).joined(separator: ",") + "\n" }.joined()
    }

    // MARK: - Tables

    static let patients = TableCodec<Patient>(
        columns: ["id", "birthYear", "sex", "region"], keyColumns: ["id"],
        encode: { [$0.id, String($0.birthYear), $0.sex.rawValue, $0.region.description] },
        decode: { r in
            let id = r.required("id", CSVField.text)
            let birthYear = r.required("birthYear", CSVField.integer)
            let sex = r.required("sex", CSVField.choice(Sex.self))
            let region = r.required("region") { text, _ in try HealthRegion(text: text) }
            guard let id, let birthYear, let sex, let region else { return nil }
            return Patient(id: id, birthYear: birthYear, sex: sex, region: region)
        })

    static let episodes = TableCodec<TreatmentEpisode>(
        columns: ["id", "patientId", "product", "indication", "centre", "referralDate", "approvalDate",
                  "apheresisDate", "infusionDate", "bridging", "lymphodepletion"],
        keyColumns: ["id"],
        encode: { e in
            [e.id, e.patientId, e.product.rawValue, e.indication.rawValue, e.centre, e.referralDate.description,
             e.approvalDate?.description ?? "", e.apheresisDate?.description ?? "", e.infusionDate?.description ?? "",
             e.bridging.rawValue, e.lymphodepletion.rawValue]
        },
        decode: { r in
            let id = r.required("id", CSVField.text)
            let patientId = r.required("patientId", CSVField.text)
            let product = r.required("product", CSVField.choice(CARTProduct.self))
            let indication = r.required("indication", CSVField.choice(Indication.self))
            let centre = r.required("centre", CSVField.text)
            let referral = r.required("referralDate", CSVField.date)
            let approval = r.optional("approvalDate", CSVField.date)
            let apheresis = r.optional("apheresisDate", CSVField.date)
            let infusion = r.optional("infusionDate", CSVField.date)
            let bridging = r.required("bridging", CSVField.choice(BridgingTherapy.self))
            let lymphodepletion = r.required("lymphodepletion", CSVField.choice(Lymphodepletion.self))
            guard let id, let patientId, let product, let indication, let centre, let referral, let bridging,
                  let lymphodepletion else { return nil }
            return TreatmentEpisode(id: id, patientId: patientId, product: product, indication: indication, centre: centre,
                                    referralDate: referral, approvalDate: approval, apheresisDate: apheresis,
                                    infusionDate: infusion, bridging: bridging, lymphodepletion: lymphodepletion)
        })

    static let toxicities = TableCodec<ToxicityAssessment>(
        columns: ["episodeId", "date", "temperatureCelsius", "feverMaskedByTreatment", "hypotension", "hypoxia",
                  "encephalopathyScreen", "encephalopathyScore", "consciousness", "seizure", "motor",
                  "intracranialPressure", "tocilizumab", "corticosteroids"],
        keyColumns: ["episodeId", "date"],
        encode: { t in
            let screen: (String, String) = switch t.encephalopathy {
            case nil: ("", "")
            case let .ice(score)?: ("ice", String(score))
            case let .capd(score)?: ("capd", String(score))
            case .unableToPerform?: ("unable", "")
            }
            return [t.episodeId, t.date.description, t.temperatureCelsius.map { String($0) } ?? "",
                    String(t.feverMaskedByTreatment), t.hypotension.rawValue, t.hypoxia.rawValue, screen.0, screen.1,
                    t.consciousness.rawValue, t.seizure.rawValue, t.motor.rawValue, t.intracranialPressure.rawValue,
                    String(t.tocilizumab), String(t.corticosteroids)]
        },
        decode: { r in
            let episodeId = r.required("episodeId", CSVField.text)
            let date = r.required("date", CSVField.date)
            let temperature = r.optional("temperatureCelsius", CSVField.number)
            let masked = r.required("feverMaskedByTreatment", CSVField.boolean)
            let hypotension = r.required("hypotension", CSVField.choice(Hypotension.self))
            let hypoxia = r.required("hypoxia", CSVField.choice(Hypoxia.self))
            let screen = r.optional("encephalopathyScreen", CSVField.choice(["ice", "capd", "unable"]))
            let score = r.optional("encephalopathyScore", CSVField.integer)
            let consciousness = r.required("consciousness", CSVField.choice(ConsciousnessLevel.self))
            let seizure = r.required("seizure", CSVField.choice(SeizureFinding.self))
            let motor = r.required("motor", CSVField.choice(MotorFinding.self))
            let pressure = r.required("intracranialPressure", CSVField.choice(IntracranialPressureFinding.self))
            let tocilizumab = r.required("tocilizumab", CSVField.boolean)
            let corticosteroids = r.required("corticosteroids", CSVField.boolean)
            let encephalopathy = r.screen(screen, score)
            guard let episodeId, let date, let masked, let hypotension, let hypoxia, let consciousness, let seizure,
                  let motor, let pressure, let tocilizumab, let corticosteroids else { return nil }
            return ToxicityAssessment(episodeId: episodeId, date: date, temperatureCelsius: temperature,
                                      feverMaskedByTreatment: masked, hypotension: hypotension, hypoxia: hypoxia,
                                      encephalopathy: encephalopathy, consciousness: consciousness, seizure: seizure,
                                      motor: motor, intracranialPressure: pressure, tocilizumab: tocilizumab,
                                      corticosteroids: corticosteroids)
        })

    static let responses = TableCodec<ResponseAssessment>(
        columns: ["episodeId", "date", "category"], keyColumns: ["episodeId", "date"],
        encode: { [$0.episodeId, $0.date.description, $0.category.rawValue] },
        decode: { r in
            let episodeId = r.required("episodeId", CSVField.text)
            let date = r.required("date", CSVField.date)
            let category = r.required("category", CSVField.choice(ResponseCategory.self))
            guard let episodeId, let date, let category else { return nil }
            return ResponseAssessment(episodeId: episodeId, date: date, category: category)
        })

    static let visits = TableCodec<VisitRecord>(
        columns: ["episodeId", "date"], keyColumns: ["episodeId", "date"],
        encode: { [$0.episodeId, $0.date.description] },
        decode: { r in
            let episodeId = r.required("episodeId", CSVField.text)
            let date = r.required("date", CSVField.date)
            guard let episodeId, let date else { return nil }
            return VisitRecord(episodeId: episodeId, date: date)
        })

    static let deaths = TableCodec<DeathRecord>(
        columns: ["patientId", "date", "cause"], keyColumns: ["patientId"],
        encode: { [$0.patientId, $0.date.description, $0.cause.rawValue] },
        decode: { r in
            let patientId = r.required("patientId", CSVField.text)
            let date = r.required("date", CSVField.date)
            let cause = r.required("cause", CSVField.choice(DeathCause.self))
            guard let patientId, let date, let cause else { return nil }
            return DeathRecord(patientId: patientId, date: date, cause: cause)
        })

    static let costs = TableCodec<CostRecord>(
        columns: ["id", "episodeId", "category", "amountCAD", "date"], keyColumns: ["id"],
        encode: { [$0.id, $0.episodeId, $0.category.rawValue, CSVField.dollars($0.amountCents), $0.date.description] },
        decode: { r in
            let id = r.required("id", CSVField.text)
            let episodeId = r.required("episodeId", CSVField.text)
            let category = r.required("category", CSVField.choice(CostCategory.self))
            let cents = r.required("amountCAD", CSVField.cents)
            let date = r.required("date", CSVField.date)
            guard let id, let episodeId, let category, let cents, let date else { return nil }
            return CostRecord(id: id, episodeId: episodeId, category: category, amountCents: cents, date: date)
        })
}

/// How one table maps to CSV.
struct TableCodec<Record>: Sendable {
    let columns: [String]
    /// Columns whose raw values, joined by "@", form the record key.
    let keyColumns: [String]
    let encode: @Sendable (Record) -> [String]
    /// Reads a record; returns `nil` or leaves errors in the reader when a field is invalid.
    let decode: @Sendable (inout FieldReader) -> Record?
}

/// Reads typed fields from one CSV row, collecting every field error.
struct FieldReader {
    let header: [String: Int]
    let row: [String]
    private(set) var errors: [RegistryError] = []

    init(header: [String: Int], row: [String]) {
        self.header = header
        self.row = row
    }

    /// A value that must be present.
    mutating func required<T>(_ column: String, _ parse: (String, String) throws -> T) -> T? {
        let text = row[header[column]!].trimmed
        guard !text.isEmpty else {
            errors.append(.invalid(field: column, reason: "required"))
            return nil
        }
        return attempt { try parse(text, column) }
    }

    /// A value that may be empty (`nil`); an invalid value is recorded as an error and also gives `nil`.
    mutating func optional<T>(_ column: String, _ parse: (String, String) throws -> T) -> T? {
        let text = row[header[column]!].trimmed
        return text.isEmpty ? nil : attempt { try parse(text, column) }
    }

    /// The encephalopathy screen from its kind ("ice", "capd", "unable" or empty) and score, as read from the
    /// `encephalopathyScreen` and `encephalopathyScore` columns (an invalid kind is already reported).
    mutating func screen(_ kind: String?, _ score: Int?) -> EncephalopathyScreen? {
        if kind == nil, !row[header["encephalopathyScreen"]!].trimmed.isEmpty { return nil }
        switch (kind, score) {
        case (nil, nil): return nil
        case ("unable", nil): return .unableToPerform
        case let ("ice", score?): return .ice(score: score)
        case let ("capd", score?): return .capd(score: score)
        case (nil, _?):
            errors.append(.invalid(field: "encephalopathyScreen", reason: "required when encephalopathyScore is set"))
        case ("unable", _?):
            errors.append(.invalid(field: "encephalopathyScore", reason: "must be empty when the screen is \"unable\""))
        default:
            errors.append(.invalid(field: "encephalopathyScore", reason: "required for an ICE or CAPD screen"))
        }
        return nil
    }

    private mutating func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as RegistryError {
            errors.append(error)
        } catch {
            errors.append(.invalid(field: "", reason: "\(error)"))
        }
        return nil
    }
}

/// Field parsers (text, column) → value, throwing `RegistryError` naming the column, and field writers.
enum CSVField {
    static func text(_ text: String, _ column: String) -> String { text }

    static func integer(_ text: String, _ column: String) throws -> Int {
        guard let value = Int(text) else { throw RegistryError.invalid(field: column, reason: "\"\(text)\" is not an integer") }
        return value
    }

    static func number(_ text: String, _ column: String) throws -> Double {
        guard let value = Double(text), value.isFinite else {
            throw RegistryError.invalid(field: column, reason: "\"\(text)\" is not a number")
        }
        return value
    }

    /// "true"/"false" (also "1"/"0").
    static func boolean(_ text: String, _ column: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw RegistryError.invalid(field: column, reason: "\"\(text)\" is not true or false")
        }
    }

    static func date(_ text: String, _ column: String) throws -> CivilDate {
        try CivilDate(iso: text, field: column)
    }

    /// A parser for the raw values of `type`.
    static func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> (String, String) throws -> T
        where T.RawValue == String
    {
        { text, column in
            guard let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw RegistryError.invalid(field: column, reason: "\"\(text)\" is not one of \(allowed)")
            }
            return value
        }
    }

    /// A parser accepting one of `values` as is.
    static func choice(_ values: [String]) -> (String, String) throws -> String {
        { text, column in
            guard values.contains(text) else {
                throw RegistryError.invalid(field: column, reason: "\"\(text)\" is not one of \(values.joined(separator: ", "))")
            }
            return text
        }
    }

    /// Dollars with at most two decimals ("475000", "1234.5", "0.99") to cents; negative amounts are rejected.
    static func cents(_ text: String, _ column: String) throws -> Int {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let invalid = RegistryError.invalid(field: column, reason: "\"\(text)\" is not an amount ≥ 0 with at most two decimals")
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
              whole.count <= 13
        else { throw invalid }
        var fraction = parts.count == 2 ? String(parts[1]) : "0"
        guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isASCIIDigit) else { throw invalid }
        if fraction.count == 1 { fraction += "0" }
        return Int(whole)! * 100 + Int(fraction)!
    }

    /// Cents as dollars with two decimals: 47500050 → "475000.50".
    static func dollars(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

}

extension CSVTable.ParseError {
    /// The line the error points at (1 for errors about the whole document).
    var line: Int {
        switch self {
        case let .unterminatedQuote(line), let .unexpectedQuote(line, _), let .fieldCount(line, _, _),
             let .invalidNumber(line, _, _): line
        case .emptyDocument, .missingColumn: 1
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
