import Foundation
import Trials

/// Where Passerelle keeps its data. One protocol, two databases: SQLite (embedded, the default) and PostgreSQL
/// (for scale). Both implementations pass the same test suite and answer every question identically.
///
/// Contract for ``upsert(_:at:)``: a batch is applied in one transaction — after an error nothing of the batch is
/// written. Records are applied in order, so a batch may hold two versions of the same trial.
public protocol TrialStore: Sendable {
    /// Which database this is, for logs and `/health`.
    var kind: StoreKind { get }

    /// Applies every migration not applied yet, in version order. Safe to call at every start.
    func migrate() async throws
    /// The migration versions already applied, ascending.
    func appliedMigrations() async throws -> [Int]

    /// Inserts new trials, replaces trials whose incoming last-update date is newer, keeps the rest, and records
    /// the changes in each trial's history. Returns one outcome per record, in order.
    func upsert(_ batch: [SourcedTrial], at time: Date) async throws -> [UpsertOutcome]

    /// The trial with this NCT id, or `nil`.
    func trial(_ nctId: String) async throws -> Trial?
    /// The raw source document the trial was last read from.
    func rawDocument(_ nctId: String) async throws -> Data?
    /// Every trial, in NCT id order. Used to build the in-memory search index.
    func allTrials() async throws -> [Trial]
    /// The number of trials.
    func count() async throws -> Int
    /// Counts by status, phase, country and CGT type.
    func stats() async throws -> TrialStats
    /// A trial's history, oldest first.
    func history(_ nctId: String) async throws -> [HistoryEntry]
    /// History entries after `sequence` across all trials (for alerts), oldest first, at most `limit`.
    func changes(after sequence: Int64, limit: Int) async throws -> [HistoryEntry]
    /// The sequence number of the latest history entry, 0 when there is none.
    func lastSequence() async throws -> Int64

    /// Releases connections. The store must not be used afterwards.
    func close() async throws
}

/// The two databases Passerelle runs on.
public enum StoreKind: String, Sendable, Codable {
    case sqlite
    case postgres
}

/// What an upsert did with one record.
public enum UpsertOutcome: String, Sendable, Codable {
    /// The trial was new.
    case inserted
    /// A newer version replaced the stored one.
    case updated
    /// The stored version is the same or newer; nothing was written.
    case unchanged
}

/// One line of a trial's history.
public struct HistoryEntry: Sendable, Codable, Equatable {
    /// Store-wide increasing number; alerts remember the last one they processed.
    public var sequence: Int64
    public var nctId: String
    /// When the import that saw the change ran (UTC, ISO 8601).
    public var recordedAt: String
    /// The trial's last-update date in the version that brought the change.
    public var lastUpdatePosted: String
    public var change: TrialChange

    public init(sequence: Int64, nctId: String, recordedAt: String, lastUpdatePosted: String, change: TrialChange) {
        self.sequence = sequence
        self.nctId = nctId
        self.recordedAt = recordedAt
        self.lastUpdatePosted = lastUpdatePosted
        self.change = change
    }
}

/// Errors from opening or using a store.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case badDatabaseURL(String)
    case migrationFailed(version: Int, reason: String)
    case corruptRecord(nctId: String, reason: String)

    public var description: String {
        switch self {
        case .badDatabaseURL(let text):
            "cannot use database \"\(text)\": give a file path for SQLite or postgres://user:pass@host:port/db"
        case .migrationFailed(let version, let reason): "migration \(version) failed: \(reason)"
        case .corruptRecord(let nctId, let reason): "stored record \(nctId) cannot be read: \(reason)"
        }
    }
}

/// Shared by both stores: how records and timestamps are written, so both databases hold the same bytes.
enum RecordCoding {
    /// Reads a trial back from its stored, compressed source document with the reader of its format.
    static func decode(_ document: StoredDocument) throws -> Trial {
        do {
            let raw = try Compression.decompress(document.compressed)
            switch SourceFormat(rawValue: document.format) {
            case .ctgovJSON: return try CTGovJSON.trial(from: raw)
            case .ctgovXML: return try CTGovXML.trial(from: raw)
            case nil: throw StoreError.corruptRecord(nctId: document.nctId, reason: "unknown source format \(document.format)")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corruptRecord(nctId: document.nctId, reason: "\(error)")
        }
    }

    /// UTC ISO 8601 with milliseconds, e.g. `2026-11-25T15:21:10.123Z`; sorts as text in time order.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// Site rows kept beside the record for counting and geographic queries.
    static func sites(_ trial: Trial) -> [SiteRow] {
        trial.locations.enumerated().map { index, location in
            SiteRow(
                position: index, facility: location.facility ?? "", status: location.status?.rawValue ?? "",
                city: location.city ?? "", state: location.state ?? "", postalCode: location.postalCode ?? "",
                country: location.country ?? "", latitude: location.geo?.latitude ?? .nan,
                longitude: location.geo?.longitude ?? .nan)
        }
    }

    /// The phases a trial is counted under; trials without a phase count as `NONE`.
    static func phases(_ trial: Trial) -> [String] {
        trial.phases.isEmpty ? ["NONE"] : Array(Set(trial.phases.map(\.rawValue))).sorted()
    }
}

/// A site as stored in `trial_sites`. Empty strings and NaN stand for "not stated" and are stored as NULL.
struct SiteRow {
    var position: Int
    var facility: String
    var status: String
    var city: String
    var state: String
    var postalCode: String
    var country: String
    var latitude: Double
    var longitude: Double
}

/// The plan for one record of a batch, decided before anything is written.
struct UpsertPlan {
    var record: SourcedTrial
    var outcome: UpsertOutcome
    var changes: [TrialChange]
}

extension UpsertPlan {
    /// Indices of the records of a batch that would be inserted or replaced given `stored`.
    static func writeCandidates(
        _ batch: [SourcedTrial], stored: [String: (lastUpdate: PartialDate, contentHash: String)]
    ) -> [Int] {
        var state = stored
        var indices: [Int] = []
        for (index, record) in batch.enumerated()
        where UpsertDecision.decide(stored: state[record.trial.nctId], incoming: record) != .keep {
            indices.append(index)
            state[record.trial.nctId] = (record.trial.dates.lastUpdatePosted, record.contentHash)
        }
        return indices
    }

    /// Decides what to do with each record of a batch given the stored state, applying records in order.
    /// `stored` gives the last-update date, hash and (lazily) the stored trial for an NCT id.
    static func plan(
        _ batch: [SourcedTrial], stored: [String: (lastUpdate: PartialDate, contentHash: String)],
        storedTrial: (String) throws -> Trial?
    ) throws -> [UpsertPlan] {
        var state = stored
        var latest: [String: Trial] = [:]
        var plans: [UpsertPlan] = []
        plans.reserveCapacity(batch.count)
        for record in batch {
            let id = record.trial.nctId
            switch UpsertDecision.decide(stored: state[id], incoming: record) {
            case .insert:
                plans.append(UpsertPlan(record: record, outcome: .inserted, changes: [TrialChange(kind: .created, newValue: record.trial.overallStatus.rawValue)]))
            case .replace:
                guard let previous = try latest[id] ?? storedTrial(id) else {
                    throw StoreError.corruptRecord(nctId: id, reason: "stored row without a record")
                }
                plans.append(UpsertPlan(record: record, outcome: .updated, changes: Self.changes(previous, record.trial)))
            case .keep:
                plans.append(UpsertPlan(record: record, outcome: .unchanged, changes: []))
                continue
            }
            state[id] = (record.trial.dates.lastUpdatePosted, record.contentHash)
            latest[id] = record.trial
        }
        return plans
    }

    /// The history entries of a replacement: the tracked changes, or one `updated` entry when there are none.
    static func changes(_ previous: Trial, _ next: Trial) -> [TrialChange] {
        let changes = TrialChange.between(previous, next)
        return changes.isEmpty ? [TrialChange(kind: .updated)] : changes
    }
}
