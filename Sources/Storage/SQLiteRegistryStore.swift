import Foundation
import GRDB
import Registry

extension SQLiteTrialStore: RegistryStore {
    public func replaceRegistry(with data: RegistryData, source: String, at time: Date) async throws {
        try await pool.write { db in
            for table in RegistrySQL.deleteOrder { try db.execute(sql: "DELETE FROM \(table)") }
            var writer = SQLiteRegistryWriter(db: db)
            try data.visitTables(&writer)
            let counts = RegistryCounts(data)
            try db.execute(
                sql: "INSERT INTO registry_imports (\(RegistrySQL.importColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [RecordCoding.timestamp(time), source, counts.patients, counts.episodes, counts.toxicities,
                            counts.responses, counts.visits, counts.deaths, counts.costs])
        }
    }

    public func registryData() async throws -> RegistryData {
        try await pool.read { db in
            RegistryData(
                patients: try Self.read(RegistrySQL.patients, db), episodes: try Self.read(RegistrySQL.episodes, db),
                toxicities: try Self.read(RegistrySQL.toxicities, db), responses: try Self.read(RegistrySQL.responses, db),
                visits: try Self.read(RegistrySQL.visits, db), deaths: try Self.read(RegistrySQL.deaths, db),
                costs: try Self.read(RegistrySQL.costs, db))
        }
    }

    public func registryCounts() async throws -> RegistryCounts {
        try await pool.read { db in
            var counts = RegistryCounts()
            if let row = try Row.fetchOne(db, sql: RegistrySQL.countsSQL()) {
                for (index, table) in RegistryTable.allCases.enumerated() { counts[table] = row[index] }
            }
            return counts
        }
    }

    public func registryImports(limit: Int) async throws -> [RegistryImportLogEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(RegistrySQL.selectImports) LIMIT ?", arguments: [limit]).map { row in
                var counts = RegistryCounts()
                for (index, table) in RegistryTable.allCases.enumerated() { counts[table] = row[3 + index] }
                return RegistryImportLogEntry(sequence: row[0], importedAt: row[1], source: row[2], counts: counts)
            }
        }
    }

    private static func read<Record>(_ table: RegistrySQLTable<Record>, _ db: Database) throws -> [Record] {
        let rows = try Row.fetchCursor(db, sql: table.selectSQL)
        var records: [Record] = []
        while let row = try rows.next() {
            let cells = table.columns.enumerated().map { index, column -> RegistryCell in
                switch column.type {
                case .text, .optionalText: .text(row[index])
                case .integer, .optionalInteger: .integer(row[index])
                case .optionalReal: .real(row[index])
                case .boolean: .boolean(row[index])
                }
            }
            records.append(try table.decode(RowReader(table: table.name, cells: cells)))
        }
        return records
    }
}

/// Inserts each table's rows with one prepared statement.
private struct SQLiteRegistryWriter: RegistryTableVisitor {
    let db: Database

    mutating func visit<Record>(_ table: RegistrySQLTable<Record>, _ records: [Record]) throws {
        guard !records.isEmpty else { return }
        let statement = try db.makeStatement(
            sql: "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: table.columns.count)))")
        for record in records {
            let values: [(any DatabaseValueConvertible)?] = table.encode(record).map { cell in
                switch cell {
                case let .text(value): value
                case let .integer(value): value
                case let .real(value): value
                case let .boolean(value): value
                }
            }
            try statement.execute(arguments: StatementArguments(values))
        }
    }
}
