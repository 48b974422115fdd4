import Foundation
import Logging
import PostgresNIO
import Registry

extension PostgresTrialStore: RegistryStore {
    public func replaceRegistry(with data: RegistryData, source: String, at time: Date) async throws {
        var writer = PostgresRegistryWriter()
        try data.visitTables(&writer)
        let inserts = writer.queries
        let counts = RegistryCounts(data)
        let now = RecordCoding.timestamp(time)
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "TRUNCATE \(RegistrySQL.deleteOrder.joined(separator: ", "))"), logger: logger)
            for query in inserts { try await connection.query(query, logger: logger) }
            try await connection.query(
                """
                INSERT INTO registry_imports (imported_at, source, patients, episodes, toxicities, responses, visits, deaths, costs)
                VALUES (\(now), \(source), \(counts.patients), \(counts.episodes), \(counts.toxicities), \(counts.responses),
                    \(counts.visits), \(counts.deaths), \(counts.costs))
                """, logger: logger)
        }
    }

    public func registryData() async throws -> RegistryData {
        RegistryData(
            patients: try await read(RegistrySQL.patients), episodes: try await read(RegistrySQL.episodes),
            toxicities: try await read(RegistrySQL.toxicities), responses: try await read(RegistrySQL.responses),
            visits: try await read(RegistrySQL.visits), deaths: try await read(RegistrySQL.deaths),
            costs: try await read(RegistrySQL.costs))
    }

    public func registryCounts() async throws -> RegistryCounts {
        let columns = RegistryTable.allCases.map { "(SELECT COUNT(*) FROM registry_\($0.rawValue))::bigint" }
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT " + columns.joined(separator: ", ")), logger: logger)
        var counts = RegistryCounts()
        for try await row in rows {
            let cells = row.makeRandomAccess()
            for (index, table) in RegistryTable.allCases.enumerated() { counts[table] = try cells[index].decode(Int.self) }
        }
        return counts
    }

    public func registryImports(limit: Int) async throws -> [RegistryImportLogEntry] {
        let rows = try await client.query("\(unescaped: RegistrySQL.selectImports) LIMIT \(limit)", logger: logger)
        var entries: [RegistryImportLogEntry] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            var counts = RegistryCounts()
            for (index, table) in RegistryTable.allCases.enumerated() { counts[table] = try cells[3 + index].decode(Int.self) }
            entries.append(RegistryImportLogEntry(
                sequence: try cells[0].decode(Int64.self), importedAt: try cells[1].decode(String.self),
                source: try cells[2].decode(String.self), counts: counts))
        }
        return entries
    }

    private func read<Record>(_ table: RegistrySQLTable<Record>) async throws -> [Record] {
        let rows = try await client.query(PostgresQuery(unsafeSQL: table.selectSQL), logger: logger)
        var records: [Record] = []
        for try await row in rows {
            let values = row.makeRandomAccess()
            let cells = try table.columns.enumerated().map { index, column -> RegistryCell in
                switch column.type {
                case .text, .optionalText: .text(try values[index].decode(String?.self))
                case .integer, .optionalInteger: .integer(try values[index].decode(Int?.self))
                case .optionalReal: .real(try values[index].decode(Double?.self))
                case .boolean: .boolean(try values[index].decode(Bool.self))
                }
            }
            records.append(try table.decode(RowReader(table: table.name, cells: cells)))
        }
        return records
    }
}

/// Builds one `INSERT … SELECT FROM unnest(…)` per table: one round trip per table whatever its size.
/// Missing values travel as '' (text), NaN (real) or -1 (the only optional integer, an encephalopathy score, is
/// never negative) and become NULL through NULLIF.
private struct PostgresRegistryWriter: RegistryTableVisitor {
    var queries: [PostgresQuery] = []

    mutating func visit<Record>(_ table: RegistrySQLTable<Record>, _ records: [Record]) throws {
        guard !records.isEmpty else { return }
        let rows = records.map(table.encode)
        var bindings = PostgresBindings()
        var selects: [String] = []
        var arrays: [String] = []
        for (index, column) in table.columns.enumerated() {
            let name = "c\(index)"
            arrays.append("$\(index + 1)::\(Self.sqlType(column.type))[]")
            switch column.type {
            case .text:
                try bindings.append(rows.map { row -> String in if case let .text(v) = row[index] { v ?? "" } else { "" } })
                selects.append(name)
            case .optionalText:
                try bindings.append(rows.map { row -> String in if case let .text(v) = row[index] { v ?? "" } else { "" } })
                selects.append("NULLIF(\(name), '')")
            case .integer:
                try bindings.append(rows.map { row -> Int in if case let .integer(v) = row[index] { v ?? 0 } else { 0 } })
                selects.append(name)
            case .optionalInteger:
                try bindings.append(rows.map { row -> Int in if case let .integer(v) = row[index] { v ?? -1 } else { -1 } })
                selects.append("NULLIF(\(name), -1)")
            case .optionalReal:
                try bindings.append(rows.map { row -> Double in if case let .real(v) = row[index] { v ?? .nan } else { .nan } })
                selects.append("NULLIF(\(name), 'NaN')")
            case .boolean:
                try bindings.append(rows.map { row -> Bool in if case let .boolean(v) = row[index] { v } else { false } })
                selects.append(name)
            }
        }
        let names = table.columns.indices.map { "c\($0)" }.joined(separator: ", ")
        let sql = """
            INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", ")))
            SELECT \(selects.joined(separator: ", ")) FROM unnest(\(arrays.joined(separator: ", "))) AS u(\(names))
            """
        queries.append(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    private static func sqlType(_ type: RegistryColumnType) -> String {
        switch type {
        case .text, .optionalText: "text"
        case .integer, .optionalInteger: "int8"
        case .optionalReal: "float8"
        case .boolean: "bool"
        }
    }
}
