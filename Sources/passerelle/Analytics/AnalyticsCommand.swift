import Analytics
import ArgumentParser
import Foundation

/// `passerelle analytics …`: survival and health-economic analyses on local files, printing JSON.
public struct AnalyticsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Survival analysis, cost-effectiveness (with PSA), budget impact and payment schedules (JSON output).",
        subcommands: [
            AnalyticsKaplanMeierCommand.self,
            AnalyticsICERCommand.self,
            AnalyticsPartitionedSurvivalCommand.self,
            AnalyticsMarkovCommand.self,
            AnalyticsPSACommand.self,
            AnalyticsBudgetCommand.self,
            AnalyticsPaymentsCommand.self,
            AnalyticsBenchCommand.self,
        ]
    )

    public init() {}
}

/// File reading and JSON writing shared by the analytics subcommands.
enum AnalyticsIO {
    static func readText(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AnalyticsCLIError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    static func readCSV(_ path: String) throws -> CSVTable {
        do {
            return try CSVTable(parsing: try readText(path))
        } catch let error as CSVTable.ParseError {
            throw AnalyticsCLIError("\(path): \(error)")
        }
    }

    /// Decodes a JSON file, turning decoding failures into messages that name the JSON path.
    static func decode<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        do {
            return try JSONValue.decode(type, from: Data(try readText(path).utf8))
        } catch let error as AnalyticsError {
            throw AnalyticsCLIError("\(path): \(error)")
        }
    }

    /// Prints `value` as JSON (sorted keys) on standard output.
    static func printJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Parses a comma-separated list of numbers given for option `name`.
    static func numberList(_ text: String, option name: String) throws -> [Double] {
        try text.split(separator: ",").map { part in
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)) else {
                throw AnalyticsCLIError("--\(name): \"\(part)\" is not a number")
            }
            return value
        }
    }
}

/// A failure of an analytics subcommand; ArgumentParser prints it as "Error: <description>" and exits 1.
struct AnalyticsCLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
