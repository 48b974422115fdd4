import Foundation
import GRDB
import Logging
import PostgresNIO

/// A value bound to or read from a statement: the types both databases store the same way. Booleans are integers
/// 0/1 and times are ISO 8601 text in both dialects, so the shared statements below read identically on each.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }
    init(_ integer: Int?) { self = integer.map { .integer(Int64($0)) } ?? .null }
    init(_ flag: Bool) { self = .integer(flag ? 1 : 0) }

    var string: String? { if case .text(let value) = self { value } else { nil } }
    var int: Int? {
        switch self {
        case .integer(let value): Int(value)
        case .real(let value): Int(value)
        default: nil
        }
    }
    var int64: Int64? { if case .integer(let value) = self { value } else { nil } }
    var bool: Bool { int.map { $0 != 0 } ?? false }
}

/// One statement with `?` placeholders, written once for both dialects (PostgreSQL gets `$1…$n`). Statements must
/// not contain `?` elsewhere (no literal question marks).
struct SQLStatement: Sendable {
    var sql: String
    var binds: [SQLValue]

    init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }

    /// The statement with numbered placeholders, as PostgreSQL wants them.
    var numbered: String {
        var result = ""
        var number = 0
        for character in sql {
            if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Runs shared statements in one transaction: either every statement takes effect or none does. Accounts, saved
/// searches, the outbox, navigation requests and the audit log are written once against this, so SQLite and
/// PostgreSQL run the same statements and keep the same contract.
protocol SQLStatementRunner: Sendable {
    /// Runs `statements` in order in one transaction and returns the rows each produced (`RETURNING` included).
    func transaction(_ statements: [SQLStatement]) async throws -> [[[SQLValue]]]
}

extension SQLStatementRunner {
    /// The rows of one statement, run alone in its own transaction.
    func rows(_ sql: String, _ binds: [SQLValue] = []) async throws -> [[SQLValue]] {
        try await transaction([SQLStatement(sql, binds)])[0]
    }

    /// Runs one statement for its effect.
    func execute(_ sql: String, _ binds: [SQLValue] = []) async throws {
        _ = try await transaction([SQLStatement(sql, binds)])
    }
}

extension SQLiteTrialStore: SQLStatementRunner {
    func transaction(_ statements: [SQLStatement]) async throws -> [[[SQLValue]]] {
        try await pool.write { db in
            try statements.map { statement in
                let arguments = StatementArguments(statement.binds.map { value -> (any DatabaseValueConvertible)? in
                    switch value {
                    case .null: nil
                    case .integer(let integer): integer
                    case .real(let real): real
                    case .text(let text): text
                    }
                })
                return try Row.fetchAll(db, sql: statement.sql, arguments: arguments).map { row in
                    row.databaseValues.map { value -> SQLValue in
                        switch value.storage {
                        case .null: .null
                        case .int64(let integer): .integer(integer)
                        case .double(let real): .real(real)
                        case .string(let text): .text(text)
                        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                        }
                    }
                }
            }
        }
    }
}

extension PostgresTrialStore: SQLStatementRunner {
    func transaction(_ statements: [SQLStatement]) async throws -> [[[SQLValue]]] {
        let logger = logger
        return try await client.withTransaction(logger: logger) { connection in
            var results: [[[SQLValue]]] = []
            for statement in statements {
                var bindings = PostgresBindings()
                for value in statement.binds {
                    switch value {
                    case .null: bindings.appendNull()
                    case .integer(let integer): bindings.append(integer)
                    case .real(let real): bindings.append(real)
                    case .text(let text): bindings.append(text)
                    }
                }
                var rows: [[SQLValue]] = []
                for try await row in try await connection.query(
                    PostgresQuery(unsafeSQL: statement.numbered, binds: bindings), logger: logger)
                {
                    rows.append(try row.map(Self.value))
                }
                results.append(rows)
            }
            return results
        }
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8, .numeric: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }
}
