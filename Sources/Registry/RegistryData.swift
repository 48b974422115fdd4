/// The tables of the outcomes registry.
public enum RegistryTable: String, Codable, Sendable, CaseIterable {
    case patients, episodes, toxicities, responses, visits, deaths, costs

    /// The CSV file name, e.g. "patients.csv".
    public var fileName: String { "\(rawValue).csv" }
}

/// A problem with one field of one registry record.
public struct RegistryIssue: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    public var table: RegistryTable
    /// The record's key ("P-001", "E-001@2024-03-01"), when it could be read.
    public var record: String?
    /// Line of the record in its CSV file (the header is line 1), for imported rows.
    public var line: Int?
    /// The field (JSON property and CSV column), or "" for a problem with the whole row or file.
    public var field: String
    public var reason: String

    public init(table: RegistryTable, record: String?, line: Int? = nil, field: String, reason: String) {
        self.table = table
        self.record = record
        self.line = line
        self.field = field
        self.reason = reason
    }

    init(_ error: RegistryError, table: RegistryTable, record: String?, line: Int? = nil) {
        switch error {
        case let .invalid(field, reason):
            self.init(table: table, record: record, line: line, field: field, reason: reason)
        }
    }

    /// E.g. `episodes.csv line 4 (E-001): infusionDate: 2024-03-01 is before apheresisDate 2024-03-02`.
    public var description: String {
        var text = line.map { "\(table.fileName) line \($0)" } ?? table.rawValue
        if let record { text += " (\(record))" }
        return field.isEmpty ? "\(text): \(reason)" : "\(text): \(field): \(reason)"
    }
}

/// The whole registry: seven tables of pseudonymous records.
public struct RegistryData: Codable, Sendable, Equatable {
    public var patients: [Patient]
    public var episodes: [TreatmentEpisode]
    public var toxicities: [ToxicityAssessment]
    public var responses: [ResponseAssessment]
    public var visits: [VisitRecord]
    public var deaths: [DeathRecord]
    public var costs: [CostRecord]

    public init(patients: [Patient] = [], episodes: [TreatmentEpisode] = [], toxicities: [ToxicityAssessment] = [],
                responses: [ResponseAssessment] = [], visits: [VisitRecord] = [], deaths: [DeathRecord] = [],
                costs: [CostRecord] = []) {
        self.patients = patients
        self.episodes = episodes
        self.toxicities = toxicities
        self.responses = responses
        self.visits = visits
        self.deaths = deaths
        self.costs = costs
    }

    /// Every problem in the registry as of `today`, table by table in `RegistryTable` order, records in order.
    ///
    /// Checked: pseudonymous identifiers; birth years (not after `today`, not before 1900); episode dates in
    /// order referral ≤ approval ≤ apheresis ≤ infusion and not after `today`; references to known patients
    /// and episodes; assessments, responses and visits on or after the infusion and not after the death;
    /// deaths not before any date of the patient's episodes (in particular the infusion); temperatures and
    /// encephalopathy screens (CAPD only under 12); costs ≥ 0 and not before the referral; duplicate keys
    /// (every record sharing a key is reported).
    public func validate(asOf today: CivilDate) -> [RegistryIssue] {
        let index = RegistryIndex(self)
        var issues: [RegistryIssue] = []
        func check<R>(_ table: RegistryTable, _ records: [R], key: (R) -> String, _ rule: (R) -> [RegistryError]) {
            var counts: [String: Int] = [:]
            for record in records { counts[key(record), default: 0] += 1 }
            for record in records {
                let k = key(record)
                if counts[k, default: 0] > 1 {
                    issues.append(RegistryIssue(table: table, record: k, field: "", reason: "duplicate key \(k)"))
                }
                issues += rule(record).map { RegistryIssue($0, table: table, record: k) }
            }
        }
        check(.patients, patients, key: RecordKey.patient) { $0.problems(asOf: today) }
        check(.episodes, episodes, key: RecordKey.episode) { index.problems($0, asOf: today) }
        check(.toxicities, toxicities, key: RecordKey.toxicity) { index.problems($0, asOf: today) }
        check(.responses, responses, key: RecordKey.response) { index.problems($0, asOf: today) }
        check(.visits, visits, key: RecordKey.visit) { index.problems($0, asOf: today) }
        check(.deaths, deaths, key: RecordKey.death) { index.problems($0, asOf: today) }
        check(.costs, costs, key: RecordKey.cost) { index.problems($0, asOf: today) }
        return issues
    }
}

/// The key of each kind of record, as reported in `RegistryIssue.record`.
enum RecordKey {
    static func patient(_ r: Patient) -> String { r.id }
    static func episode(_ r: TreatmentEpisode) -> String { r.id }
    static func toxicity(_ r: ToxicityAssessment) -> String { "\(r.episodeId)@\(r.date)" }
    static func response(_ r: ResponseAssessment) -> String { "\(r.episodeId)@\(r.date)" }
    static func visit(_ r: VisitRecord) -> String { "\(r.episodeId)@\(r.date)" }
    static func death(_ r: DeathRecord) -> String { r.patientId }
    static func cost(_ r: CostRecord) -> String { r.id }
}

/// Lookups for the rules that span records; shared by `RegistryData.validate` and the CSV import
/// (which fills it table by table with the rows it accepts).
struct RegistryIndex {
    var patients: [String: Patient] = [:]
    var episodes: [String: TreatmentEpisode] = [:]
    var episodesByPatient: [String: [TreatmentEpisode]] = [:]
    var deaths: [String: DeathRecord] = [:]

    init() {}

    /// Indexes `data`; with duplicate keys the first record is used.
    init(_ data: RegistryData) {
        for p in data.patients where patients[p.id] == nil { patients[p.id] = p }
        for e in data.episodes where episodes[e.id] == nil { add(e) }
        for d in data.deaths where deaths[d.patientId] == nil { deaths[d.patientId] = d }
    }

    mutating func add(_ episode: TreatmentEpisode) {
        episodes[episode.id] = episode
        episodesByPatient[episode.patientId, default: []].append(episode)
    }

    func problems(_ e: TreatmentEpisode, asOf today: CivilDate) -> [RegistryError] {
        var problems = e.problems(asOf: today)
        if let patient = patients[e.patientId] {
            if e.referralDate.year < patient.birthYear {
                problems.append(.invalid(field: "referralDate", reason: "\(e.referralDate) is before birth year \(patient.birthYear)"))
            }
        } else {
            problems.append(.invalid(field: "patientId", reason: "unknown patient \"\(e.patientId)\""))
        }
        return problems
    }

    func problems(_ d: DeathRecord, asOf today: CivilDate) -> [RegistryError] {
        guard patients[d.patientId] != nil else {
            return [.invalid(field: "patientId", reason: "unknown patient \"\(d.patientId)\"")]
        }
        var problems: [RegistryError] = []
        if d.date > today { problems.append(.invalid(field: "date", reason: "\(d.date) is after \(today)")) }
        for episode in episodesByPatient[d.patientId] ?? [] {
            let last = episode.lastDate
            if d.date < last.date {
                problems.append(.invalid(field: "date", reason: "\(d.date) is before \(last.field) \(last.date) of episode \(episode.id)"))
            }
        }
        return problems
    }

    func problems(_ t: ToxicityAssessment, asOf today: CivilDate) -> [RegistryError] {
        dated(t.episodeId, t.date, asOf: today) { episode in
            let age = patients[episode.patientId].map { Double($0.approximateAge(at: t.date)) }
            return t.problems(ageYears: age)
        }
    }

    func problems(_ r: ResponseAssessment, asOf today: CivilDate) -> [RegistryError] {
        dated(r.episodeId, r.date, asOf: today) { _ in [] }
    }

    func problems(_ v: VisitRecord, asOf today: CivilDate) -> [RegistryError] {
        dated(v.episodeId, v.date, asOf: today) { _ in [] }
    }

    func problems(_ c: CostRecord, asOf today: CivilDate) -> [RegistryError] {
        var problems = Pseudonym.problems(c.id, field: "id")
        if c.amountCents < 0 { problems.append(.invalid(field: "amountCents", reason: "must be ≥ 0, got \(c.amountCents)")) }
        guard let episode = episodes[c.episodeId] else {
            return problems + [.invalid(field: "episodeId", reason: "unknown episode \"\(c.episodeId)\"")]
        }
        if c.date < episode.referralDate {
            problems.append(.invalid(field: "date", reason: "\(c.date) is before referralDate \(episode.referralDate)"))
        }
        if c.date > today { problems.append(.invalid(field: "date", reason: "\(c.date) is after \(today)")) }
        return problems
    }

    /// The shared rule for post-infusion records: a known episode that has an infusion, a date on or
    /// after it, not after the patient's death nor `today`; then the record's own `rule`.
    private func dated(_ episodeId: String, _ date: CivilDate, asOf today: CivilDate,
                       _ rule: (TreatmentEpisode) -> [RegistryError]) -> [RegistryError] {
        guard let episode = episodes[episodeId] else {
            return [.invalid(field: "episodeId", reason: "unknown episode \"\(episodeId)\"")]
        }
        guard let infusion = episode.infusionDate else {
            return [.invalid(field: "episodeId", reason: "episode \"\(episodeId)\" has no infusionDate")]
        }
        var problems: [RegistryError] = []
        if date < infusion { problems.append(.invalid(field: "date", reason: "\(date) is before infusionDate \(infusion)")) }
        if date > today { problems.append(.invalid(field: "date", reason: "\(date) is after \(today)")) }
        if let death = deaths[episode.patientId], date > death.date {
            problems.append(.invalid(field: "date", reason: "\(date) is after the death on \(death.date)"))
        }
        return problems + rule(episode)
    }
}
