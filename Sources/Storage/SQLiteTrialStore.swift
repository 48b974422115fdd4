import Foundation
import GRDB
import Trials

/// The embedded store: one SQLite file in WAL mode through GRDB, so `serve` can read while `import` writes.
public final class SQLiteTrialStore: TrialStore {
    public let kind = StoreKind.sqlite
    let pool: DatabasePool

    /// Opens (creating if needed) the database file at `path`. Call ``migrate()`` before use.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    public func migrate() async throws {
        let migrations = try Migrations.load(.sqlite)
        try await pool.write { db in
            try db.execute(
                sql: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            let applied = Set(try Int.fetchAll(db, sql: "SELECT version FROM schema_migrations"))
            for migration in migrations where !applied.contains(migration.version) {
                do {
                    try db.execute(sql: migration.sql)
                } catch {
                    throw StoreError.migrationFailed(version: migration.version, reason: "\(error)")
                }
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    arguments: [migration.version, migration.name, RecordCoding.timestamp(Date())])
            }
        }
    }

    public func appliedMigrations() async throws -> [Int] {
        try await pool.read { db in
            try Int.fetchAll(db, sql: "SELECT version FROM schema_migrations ORDER BY version")
        }
    }

    public func upsert(_ batch: [SourcedTrial], at time: Date) async throws -> [UpsertOutcome] {
        guard !batch.isEmpty else { return [] }
        let ids = Array(Set(batch.map(\.trial.nctId)))
        let before = try await pool.read { db in try Self.storedVersions(ids, db: db) }
        let prepared = try PreparedBatch(batch, stored: before)
        let now = RecordCoding.timestamp(time)
        return try await pool.write { db in
            let stored = try Self.storedVersions(ids, db: db)
            let plans = try UpsertPlan.plan(batch, stored: stored) { id in
                try Self.document(id, db: db).map(RecordCoding.decode)
            }
            try Self.apply(plans, prepared: prepared, now: now, db: db)
            return plans.map(\.outcome)
        }
    }

    private static func document(_ nctId: String, db: Database) throws -> StoredDocument? {
        try Row.fetchOne(db, sql: "SELECT source_format, raw FROM trials WHERE nct_id = ?", arguments: [nctId]).map {
            StoredDocument(nctId: nctId, format: $0[0], compressed: $0[1])
        }
    }

    /// Last-update date and content hash of the stored trials among `ids`.
    private static func storedVersions(_ ids: [String], db: Database) throws
        -> [String: (lastUpdate: PartialDate, contentHash: String)]
    {
        var stored: [String: (lastUpdate: PartialDate, contentHash: String)] = [:]
        let placeholders = databaseQuestionMarks(count: ids.count)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT nct_id, last_update_posted, content_hash FROM trials WHERE nct_id IN (\(placeholders))",
            arguments: StatementArguments(ids))
        while let row = try rows.next() {
            stored[row[0]] = (try PartialDate(parsing: row[1] as String), row[2])
        }
        return stored
    }

    private static func apply(_ plans: [UpsertPlan], prepared: PreparedBatch, now: String, db: Database) throws {
        let insertTrial = try db.cachedStatement(
            sql: """
                INSERT INTO trials (nct_id, last_update_posted, content_hash, source_format, overall_status, study_type,
                    cgt_type, brief_title, first_posted, raw, imported_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (nct_id) DO UPDATE SET last_update_posted = excluded.last_update_posted,
                    content_hash = excluded.content_hash, source_format = excluded.source_format,
                    overall_status = excluded.overall_status, study_type = excluded.study_type,
                    cgt_type = excluded.cgt_type, brief_title = excluded.brief_title,
                    first_posted = excluded.first_posted, raw = excluded.raw,
                    updated_at = excluded.updated_at
                """)
        let deletePhases = try db.cachedStatement(sql: "DELETE FROM trial_phases WHERE nct_id = ?")
        let deleteSites = try db.cachedStatement(sql: "DELETE FROM trial_sites WHERE nct_id = ?")
        let insertPhase = try db.cachedStatement(sql: "INSERT INTO trial_phases (nct_id, phase) VALUES (?, ?)")
        let insertSite = try db.cachedStatement(
            sql: """
                INSERT INTO trial_sites (nct_id, position, facility, status, city, state, postal_code, country,
                    latitude, longitude) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let insertHistory = try db.cachedStatement(
            sql: """
                INSERT INTO trial_history (nct_id, recorded_at, last_update_posted, kind, site, old_value, new_value)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for (index, plan) in plans.enumerated() where plan.outcome != .unchanged {
            let trial = plan.record.trial
            let id = trial.nctId
            let encoded = try prepared.encoded(index)
            try insertTrial.execute(arguments: [
                id, trial.dates.lastUpdatePosted.description, plan.record.contentHash, trial.sourceFormat.rawValue,
                trial.overallStatus.rawValue, trial.studyType.rawValue, trial.cgt.primary.rawValue, trial.briefTitle,
                trial.dates.firstPosted?.description, encoded.raw, now, now,
            ])
            if plan.outcome == .updated {
                try deletePhases.execute(arguments: [id])
                try deleteSites.execute(arguments: [id])
            }
            for phase in RecordCoding.phases(trial) {
                try insertPhase.execute(arguments: [id, phase])
            }
            for site in RecordCoding.sites(trial) {
                try insertSite.execute(arguments: [
                    id, site.position, site.facility.nilIfEmpty, site.status.nilIfEmpty, site.city.nilIfEmpty,
                    site.state.nilIfEmpty, site.postalCode.nilIfEmpty, site.country.nilIfEmpty,
                    site.latitude.nilIfNaN, site.longitude.nilIfNaN,
                ])
            }
            for change in plan.changes {
                try insertHistory.execute(arguments: [
                    id, now, trial.dates.lastUpdatePosted.description, change.kind.rawValue, change.site,
                    change.oldValue, change.newValue,
                ])
            }
        }
    }

    public func trial(_ nctId: String) async throws -> Trial? {
        let document = try await pool.read { db in try Self.document(nctId, db: db) }
        return try document.map(RecordCoding.decode)
    }

    public func rawDocument(_ nctId: String) async throws -> Data? {
        let data = try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT raw FROM trials WHERE nct_id = ?", arguments: [nctId])
        }
        return try data.map { try Compression.decompress($0) }
    }

    public func allTrials() async throws -> [Trial] {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT nct_id, source_format, raw FROM trials ORDER BY nct_id").map {
                StoredDocument(nctId: $0[0], format: $0[1], compressed: $0[2])
            }
        }
        return try RecordCoding.decodeAll(rows)
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trials") ?? 0 }
    }

    public func stats() async throws -> TrialStats {
        try await pool.read { db in
            func counts(_ sql: String) throws -> [String: Int] {
                var result: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: sql) { result[row[0]] = row[1] }
                return result
            }
            return TrialStats(
                trials: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trials") ?? 0,
                byStatus: try counts(StatsSQL.byStatus),
                byPhase: try counts(StatsSQL.byPhase),
                byCountry: try counts(StatsSQL.byCountry),
                byCgtType: try counts(StatsSQL.byCgtType),
                sites: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trial_sites") ?? 0)
        }
    }

    public func history(_ nctId: String) async throws -> [HistoryEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(HistorySQL.select) WHERE nct_id = ? ORDER BY sequence", arguments: [nctId])
                .map(Self.historyEntry)
        }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [HistoryEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "\(HistorySQL.select) WHERE sequence > ? ORDER BY sequence LIMIT ?", arguments: [sequence, limit]
            ).map(Self.historyEntry)
        }
    }

    public func lastSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM trial_history") ?? 0 }
    }

    private static func historyEntry(_ row: Row) throws -> HistoryEntry {
        let kindText: String = row[4]
        guard let kind = TrialChange.Kind(rawValue: kindText) else {
            throw StoreError.corruptRecord(nctId: row[1], reason: "unknown history kind \(kindText)")
        }
        return HistoryEntry(
            sequence: row[0], nctId: row[1], recordedAt: row[2], lastUpdatePosted: row[3],
            change: TrialChange(kind: kind, site: row[5], oldValue: row[6], newValue: row[7]))
    }

    public func close() async throws {
        try pool.close()
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension Double {
    var nilIfNaN: Double? { isNaN ? nil : self }
}

extension SQLiteTrialStore {
    /// Empties the trial tables. For benchmarks and tests on a scratch database only.
    public func removeAllTrials() async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM trial_history; DELETE FROM trial_sites; DELETE FROM trial_phases; DELETE FROM trials; DELETE FROM sqlite_sequence WHERE name = 'trial_history'")
        }
    }
}
