import Dispatch
import Foundation
import Trials

/// The compressed raw documents of the records of a batch that will be written, computed on all
/// cores before the write transaction starts so the transaction is short. Records the store already holds are not
/// encoded at all, which makes a re-import cheap.
struct PreparedBatch {
    struct Encoded {
        /// The Zstandard-compressed source document.
        var raw: Data
    }

    private let batch: [SourcedTrial]
    private let encoded: [Int: Encoded]

    /// Encodes the records that `stored` says will be written (see ``UpsertPlan/writeCandidates(_:stored:)``).
    init(_ batch: [SourcedTrial], stored: [String: (lastUpdate: PartialDate, contentHash: String)]) throws {
        self.batch = batch
        let indices = UpsertPlan.writeCandidates(batch, stored: stored)
        let values = try Parallel.map(indices) { index in try Self.encode(batch[index]) }
        encoded = Dictionary(uniqueKeysWithValues: zip(indices, values))
    }

    /// The encoding of record `index`; computed now if the store changed since the batch was prepared.
    func encoded(_ index: Int) throws -> Encoded {
        try encoded[index] ?? Self.encode(batch[index])
    }

    private static func encode(_ record: SourcedTrial) throws -> Encoded {
        Encoded(raw: Compression.compress(record.raw))
    }
}

/// Data-parallel helpers over the machine's cores.
enum Parallel {
    /// `transform` applied to every element, on all cores, results in input order. The first error is thrown.
    static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) throws -> Result
    ) throws -> [Result] {
        let count = elements.count
        guard count > 1 else { return try elements.map(transform) }
        let results = UnsafeMutableBufferPointer<Swift.Result<Result, any Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, count)
        let buffer = SendableBuffer(results)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < count {
                buffer.base[index] = Swift.Result { try transform(elements[index]) }
                index += workers
            }
        }
        return try results.map { try $0!.get() }
    }

    /// Writes from several threads into disjoint indices of one buffer.
    private struct SendableBuffer<Value>: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<Value>
        init(_ base: UnsafeMutableBufferPointer<Value>) { self.base = base }
    }
}

extension RecordCoding {
    /// Reads stored records back from their compressed source documents on all cores, in input order.
    static func decodeAll(_ rows: [StoredDocument]) throws -> [Trial] {
        try Parallel.map(rows) { row in try decode(row) }
    }
}

/// A stored source document as it comes out of either database.
struct StoredDocument: Sendable {
    var nctId: String
    var format: String
    var compressed: Data
}

/// The statistics queries, written once in SQL both databases run identically.
enum StatsSQL {
    static let byStatus = "SELECT overall_status, COUNT(*) FROM trials GROUP BY overall_status"
    static let byPhase = "SELECT phase, COUNT(*) FROM trial_phases GROUP BY phase"
    static let byCountry = """
        SELECT country, COUNT(DISTINCT nct_id) FROM trial_sites WHERE country IS NOT NULL GROUP BY country
        """
    static let byCgtType = "SELECT cgt_type, COUNT(*) FROM trials GROUP BY cgt_type"
}

/// The history columns, in the order both stores read them.
enum HistorySQL {
    static let select = """
        SELECT sequence, nct_id, recorded_at, last_update_posted, kind, site, old_value, new_value FROM trial_history
        """
}

/// Versioned SQL migrations, one folder per dialect: `Migrations/<dialect>/NNNN_name.sql`.
struct Migration {
    var version: Int
    var name: String
    var sql: String

    /// The SQL split into single statements, for drivers that take one statement at a time. Statements end with
    /// `;` at the end of a line; `--` comment lines are dropped. Migrations keep to that layout.
    var statements: [String] {
        var result: [String] = []
        var current = ""
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") || trimmed.isEmpty { continue }
            current += line + "\n"
            if trimmed.hasSuffix(";") {
                result.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { result.append(current) }
        return result
    }
}

enum Migrations {
    /// Every migration of a dialect, in version order.
    static func load(_ kind: StoreKind) throws -> [Migration] {
        guard let base = Bundle.module.url(forResource: "Migrations", withExtension: nil)?.appendingPathComponent(kind.rawValue)
        else { throw StoreError.migrationFailed(version: 0, reason: "migration files are missing from the bundle") }
        let files = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".sql") }.sorted()
        return try files.map { file in
            guard let version = Int(file.prefix(while: \.isNumber)) else {
                throw StoreError.migrationFailed(version: 0, reason: "migration file \(file) does not start with a version")
            }
            let sql = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: String(file.dropLast(4)), sql: sql)
        }
    }
}
