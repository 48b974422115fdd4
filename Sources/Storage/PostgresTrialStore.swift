import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Trials

/// The store for scale: PostgreSQL through PostgresNIO's connection pool.
///
/// Batches are written with array parameters and `unnest`, so a batch of 500 trials and their sites costs a handful
/// of round trips instead of one per row.
public final class PostgresTrialStore: TrialStore {
    public let kind = StoreKind.postgres
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let logger: Logger

    /// Connects to `url` (`postgres://user:pass@host:port/db`, optional `?sslmode=disable|prefer|require`).
    public init(url: String, logger: Logger = Logger(label: "passerelle.postgres")) throws {
        let configuration = try Self.configuration(url)
        // The pool warns when a query waits for `run()` to start, which is expected right after opening.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty
        else { throw StoreError.badDatabaseURL(text) }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require": tls = .require(.makeClientConfiguration())
        default: throw StoreError.badDatabaseURL(text)
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = 8
        return configuration
    }

    public func migrate() async throws {
        let migrations = try Migrations.load(.postgres)
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                logger: logger)
            // Two processes starting at once must not both run a migration.
            try await connection.query("LOCK TABLE schema_migrations IN EXCLUSIVE MODE", logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch {
                        throw StoreError.migrationFailed(version: migration.version, reason: String(reflecting: error))
                    }
                }
                let now = RecordCoding.timestamp(Date())
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(now))",
                    logger: logger)
            }
        }
    }

    public func appliedMigrations() async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
            .decode(Int.self)
        {
            versions.append(version)
        }
        return versions
    }

    public func upsert(_ batch: [SourcedTrial], at time: Date) async throws -> [UpsertOutcome] {
        guard !batch.isEmpty else { return [] }
        let ids = Array(Set(batch.map(\.trial.nctId)))
        let logger = logger
        let before = try await client.withConnection { connection in
            try await Self.storedVersions(ids, lock: false, connection: connection, logger: logger)
        }
        let prepared = try PreparedBatch(batch, stored: before)
        let now = RecordCoding.timestamp(time)
        return try await client.withTransaction(logger: logger) { connection in
            let stored = try await Self.storedVersions(ids, lock: true, connection: connection, logger: logger)
            var previous: [String: Trial] = [:]
            let needed = Self.idsToReplace(batch, stored: stored)
            if !needed.isEmpty {
                let records = try await connection.query(
                    "SELECT nct_id, source_format, raw FROM trials WHERE nct_id = ANY(\(needed))", logger: logger)
                for try await (id, format, raw) in records.decode((String, String, ByteBuffer).self) {
                    previous[id] = try RecordCoding.decode(
                        StoredDocument(nctId: id, format: format, compressed: Data(raw.readableBytesView)))
                }
            }
            let plans = try UpsertPlan.plan(batch, stored: stored) { previous[$0] }
            try await Self.apply(plans, prepared: prepared, now: now, connection: connection, logger: logger)
            return plans.map(\.outcome)
        }
    }

    /// Last-update date and content hash of the stored trials among `ids`, locked for update inside a transaction.
    private static func storedVersions(
        _ ids: [String], lock: Bool, connection: PostgresConnection, logger: Logger
    ) async throws -> [String: (lastUpdate: PartialDate, contentHash: String)] {
        var stored: [String: (lastUpdate: PartialDate, contentHash: String)] = [:]
        let rows = try await connection.query(
            "SELECT nct_id, last_update_posted, content_hash FROM trials WHERE nct_id = ANY(\(ids)) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger)
        for try await (id, lastUpdate, hash) in rows.decode((String, String, String).self) {
            stored[id] = (try PartialDate(parsing: lastUpdate), hash)
        }
        return stored
    }

    /// Stored trials that some record of the batch replaces (``UpsertDecision``): their old records are needed to
    /// compute the history.
    private static func idsToReplace(
        _ batch: [SourcedTrial], stored: [String: (lastUpdate: PartialDate, contentHash: String)]
    ) -> [String] {
        Set(batch.filter { UpsertDecision.decide(stored: stored[$0.trial.nctId], incoming: $0) == .replace }.map(\.trial.nctId))
            .sorted()
    }

    private static func apply(
        _ plans: [UpsertPlan], prepared: PreparedBatch, now: String, connection: PostgresConnection, logger: Logger
    ) async throws {
        // The last written version of each trial wins; history keeps every change in order.
        var finalIndex: [String: Int] = [:]
        var replaced = Set<String>()
        for (index, plan) in plans.enumerated() where plan.outcome != .unchanged {
            finalIndex[plan.record.trial.nctId] = index
            if plan.outcome == .updated { replaced.insert(plan.record.trial.nctId) }
        }
        guard !finalIndex.isEmpty else { return }
        let chosen = finalIndex.values.sorted()

        if !replaced.isEmpty {
            let ids = replaced.sorted()
            try await connection.query("DELETE FROM trial_phases WHERE nct_id = ANY(\(ids))", logger: logger)
            try await connection.query("DELETE FROM trial_sites WHERE nct_id = ANY(\(ids))", logger: logger)
        }

        var trialColumns = TrialColumns()
        var phaseIds: [String] = []
        var phaseNames: [String] = []
        var site = SiteColumns()
        for index in chosen {
            let trial = plans[index].record.trial
            trialColumns.append(trial, hash: plans[index].record.contentHash, encoded: try prepared.encoded(index))
            for phase in RecordCoding.phases(trial) {
                phaseIds.append(trial.nctId)
                phaseNames.append(phase)
            }
            for row in RecordCoding.sites(trial) { site.append(trial.nctId, row) }
        }
        let t = trialColumns
        try await connection.query(
            """
            INSERT INTO trials (nct_id, last_update_posted, content_hash, source_format, overall_status, study_type,
                cgt_type, brief_title, first_posted, raw, imported_at, updated_at)
            SELECT id, lu, h, sf, st, ty, cg, bt, NULLIF(fp, ''), raw, \(now), \(now)
            FROM unnest(\(t.ids)::text[], \(t.lastUpdates)::text[], \(t.hashes)::text[], \(t.formats)::text[],
                \(t.statuses)::text[], \(t.types)::text[], \(t.cgt)::text[], \(t.titles)::text[],
                \(t.firstPosted)::text[], \(t.raws)::bytea[])
                AS u(id, lu, h, sf, st, ty, cg, bt, fp, raw)
            ON CONFLICT (nct_id) DO UPDATE SET last_update_posted = excluded.last_update_posted,
                content_hash = excluded.content_hash, source_format = excluded.source_format,
                overall_status = excluded.overall_status, study_type = excluded.study_type,
                cgt_type = excluded.cgt_type, brief_title = excluded.brief_title, first_posted = excluded.first_posted,
                raw = excluded.raw, updated_at = excluded.updated_at
            """, logger: logger)
        try await connection.query(
            "INSERT INTO trial_phases (nct_id, phase) SELECT * FROM unnest(\(phaseIds)::text[], \(phaseNames)::text[])",
            logger: logger)
        if !site.ids.isEmpty {
            try await connection.query(
                """
                INSERT INTO trial_sites (nct_id, position, facility, status, city, state, postal_code, country,
                    latitude, longitude)
                SELECT id, pos, NULLIF(f, ''), NULLIF(s, ''), NULLIF(c, ''), NULLIF(st, ''), NULLIF(z, ''),
                    NULLIF(co, ''), NULLIF(lat, 'NaN'), NULLIF(lon, 'NaN')
                FROM unnest(\(site.ids)::text[], \(site.positions)::int[], \(site.facilities)::text[],
                    \(site.statuses)::text[], \(site.cities)::text[], \(site.states)::text[], \(site.postalCodes)::text[],
                    \(site.countries)::text[], \(site.latitudes)::float8[], \(site.longitudes)::float8[])
                    AS u(id, pos, f, s, c, st, z, co, lat, lon)
                """, logger: logger)
        }
        var history = HistoryColumns()
        for plan in plans where plan.outcome != .unchanged {
            for change in plan.changes { history.append(plan.record.trial, change) }
        }
        if !history.ids.isEmpty {
            try await connection.query(
                """
                INSERT INTO trial_history (nct_id, recorded_at, last_update_posted, kind, site, old_value, new_value)
                SELECT id, \(now), lu, k, NULLIF(s, ''), NULLIF(o, ''), NULLIF(n, '')
                FROM unnest(\(history.ids)::text[], \(history.lastUpdates)::text[], \(history.kinds)::text[],
                    \(history.sites)::text[], \(history.oldValues)::text[], \(history.newValues)::text[])
                    WITH ORDINALITY AS u(id, lu, k, s, o, n, ord)
                ORDER BY ord
                """, logger: logger)
        }
    }

    public func trial(_ nctId: String) async throws -> Trial? {
        let rows = try await client.query("SELECT source_format, raw FROM trials WHERE nct_id = \(nctId)", logger: logger)
        for try await (format, raw) in rows.decode((String, ByteBuffer).self) {
            return try RecordCoding.decode(StoredDocument(nctId: nctId, format: format, compressed: Data(raw.readableBytesView)))
        }
        return nil
    }

    public func rawDocument(_ nctId: String) async throws -> Data? {
        let rows = try await client.query("SELECT raw FROM trials WHERE nct_id = \(nctId)", logger: logger)
        for try await buffer in rows.decode(ByteBuffer.self) {
            return try Compression.decompress(Data(buffer.readableBytesView))
        }
        return nil
    }

    public func allTrials() async throws -> [Trial] {
        var rows: [StoredDocument] = []
        let result = try await client.query("SELECT nct_id, source_format, raw FROM trials ORDER BY nct_id", logger: logger)
        for try await (id, format, raw) in result.decode((String, String, ByteBuffer).self) {
            rows.append(StoredDocument(nctId: id, format: format, compressed: Data(raw.readableBytesView)))
        }
        return try RecordCoding.decodeAll(rows)
    }

    public func count() async throws -> Int {
        try await single("SELECT COUNT(*)::bigint FROM trials")
    }

    public func stats() async throws -> TrialStats {
        TrialStats(
            trials: try await count(),
            byStatus: try await counts(StatsSQL.byStatus),
            byPhase: try await counts(StatsSQL.byPhase),
            byCountry: try await counts(StatsSQL.byCountry),
            byCgtType: try await counts(StatsSQL.byCgtType),
            sites: try await single("SELECT COUNT(*)::bigint FROM trial_sites"))
    }

    private func single(_ sql: String) async throws -> Int {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) {
            return value
        }
        return 0
    }

    private func counts(_ sql: String) async throws -> [String: Int] {
        var result: [String: Int] = [:]
        let query = PostgresQuery(unsafeSQL: "SELECT k, n::bigint FROM (\(sql)) AS c(k, n)")
        for try await (key, value) in try await client.query(query, logger: logger).decode((String, Int).self) {
            result[key] = value
        }
        return result
    }

    public func history(_ nctId: String) async throws -> [HistoryEntry] {
        let rows = try await client.query(
            "\(unescaped: HistorySQL.select) WHERE nct_id = \(nctId) ORDER BY sequence", logger: logger)
        return try await Self.historyEntries(rows)
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [HistoryEntry] {
        let rows = try await client.query(
            "\(unescaped: HistorySQL.select) WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)", logger: logger)
        return try await Self.historyEntries(rows)
    }

    public func lastSequence() async throws -> Int64 {
        Int64(try await single("SELECT COALESCE(MAX(sequence), 0)::bigint FROM trial_history"))
    }

    private static func historyEntries(_ rows: PostgresRowSequence) async throws -> [HistoryEntry] {
        var entries: [HistoryEntry] = []
        for try await (sequence, id, recordedAt, lastUpdate, kindText, site, old, new) in rows.decode(
            (Int64, String, String, String, String, String?, String?, String?).self)
        {
            guard let kind = TrialChange.Kind(rawValue: kindText) else {
                throw StoreError.corruptRecord(nctId: id, reason: "unknown history kind \(kindText)")
            }
            entries.append(
                HistoryEntry(
                    sequence: sequence, nctId: id, recordedAt: recordedAt, lastUpdatePosted: lastUpdate,
                    change: TrialChange(kind: kind, site: site, oldValue: old, newValue: new)))
        }
        return entries
    }

    public func close() async throws {
        runner.cancel()
        await runner.value
    }
}

/// Column arrays for a bulk `unnest` insert into `trials`.
private struct TrialColumns {
    var ids: [String] = []
    var lastUpdates: [String] = []
    var hashes: [String] = []
    var formats: [String] = []
    var statuses: [String] = []
    var types: [String] = []
    var cgt: [String] = []
    var titles: [String] = []
    var firstPosted: [String] = []
    var raws: [ByteBuffer] = []

    mutating func append(_ trial: Trial, hash: String, encoded: PreparedBatch.Encoded) {
        ids.append(trial.nctId)
        lastUpdates.append(trial.dates.lastUpdatePosted.description)
        hashes.append(hash)
        formats.append(trial.sourceFormat.rawValue)
        statuses.append(trial.overallStatus.rawValue)
        types.append(trial.studyType.rawValue)
        cgt.append(trial.cgt.primary.rawValue)
        titles.append(trial.briefTitle)
        firstPosted.append(trial.dates.firstPosted?.description ?? "")
        raws.append(ByteBuffer(data: encoded.raw))
    }
}

/// Column arrays for a bulk insert into `trial_sites`.
private struct SiteColumns {
    var ids: [String] = []
    var positions: [Int32] = []
    var facilities: [String] = []
    var statuses: [String] = []
    var cities: [String] = []
    var states: [String] = []
    var postalCodes: [String] = []
    var countries: [String] = []
    var latitudes: [Double] = []
    var longitudes: [Double] = []

    mutating func append(_ id: String, _ row: SiteRow) {
        ids.append(id)
        positions.append(Int32(row.position))
        facilities.append(row.facility)
        statuses.append(row.status)
        cities.append(row.city)
        states.append(row.state)
        postalCodes.append(row.postalCode)
        countries.append(row.country)
        latitudes.append(row.latitude)
        longitudes.append(row.longitude)
    }
}

/// Column arrays for a bulk insert into `trial_history`.
private struct HistoryColumns {
    var ids: [String] = []
    var lastUpdates: [String] = []
    var kinds: [String] = []
    var sites: [String] = []
    var oldValues: [String] = []
    var newValues: [String] = []

    mutating func append(_ trial: Trial, _ change: TrialChange) {
        ids.append(trial.nctId)
        lastUpdates.append(trial.dates.lastUpdatePosted.description)
        kinds.append(change.kind.rawValue)
        sites.append(change.site ?? "")
        oldValues.append(change.oldValue ?? "")
        newValues.append(change.newValue ?? "")
    }
}

extension PostgresTrialStore {
    /// Empties the trial tables. For benchmarks and tests on a scratch database only.
    public func removeAllTrials() async throws {
        try await client.query("TRUNCATE trials, trial_phases, trial_sites, trial_history RESTART IDENTITY", logger: logger)
    }
}
