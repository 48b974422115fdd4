import Analytics
import ArgumentParser
import Foundation

/// `analytics km`: Kaplan–Meier curves per group and the log-rank test, from a CSV file.
struct AnalyticsKaplanMeierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "km",
        abstract: "Kaplan–Meier estimates (Greenwood), medians, RMST and the log-rank test, like R's survfit/survdiff."
    )

    @Option(help: "CSV file with a header row.") var csv: String
    @Option(help: "Column holding follow-up times (≥ 0).") var time: String
    @Option(help: "Column holding the event indicator: 1 = event, 0 = censored.") var event: String
    @Option(help: "Optional column holding the group label.") var group: String?
    @Option(name: .customLong("conf-type"), help: "Confidence interval type: log, log-log or plain.")
    var confType: String = "log"
    @Option(name: .customLong("conf-level"), help: "Confidence level in (0, 1).") var confLevel: Double = 0.95
    @Option(help: "Comma-separated times at which to report the curves (default: every observed time).")
    var times: String?
    @Option(help: "Horizon for the restricted mean survival time.") var tau: Double?

    func run() async throws {
        guard let type = ConfidenceType(rawValue: confType) else {
            throw AnalyticsCLIError("--conf-type must be log, log-log or plain, not \"\(confType)\"")
        }
        guard confLevel > 0, confLevel < 1 else { throw AnalyticsCLIError("--conf-level must lie in (0, 1)") }
        let table = try AnalyticsIO.readCSV(csv)
        let data = try Self.columns(table, path: csv, time: time, event: event, group: group)
        let analysis = try GroupedSurvival(times: data.times, events: data.events, groups: data.groups)
        let queryTimes = try times.map { try AnalyticsIO.numberList($0, option: "times") }
        try AnalyticsIO.printJSON(try KaplanMeierReport(analysis, type: type, level: confLevel, times: queryTimes, tau: tau))
    }

    /// Reads the time, event and group columns, naming the line and column of any bad value.
    static func columns(_ table: CSVTable, path: String, time: String, event: String, group: String?) throws
        -> (times: [Double], events: [Bool], groups: [String]?)
    {
        do {
            let times = try table.numbers(time)
            let eventIndex = try table.columnIndex(event)
            let events = try table.rows.enumerated().map { offset, row -> Bool in
                switch row[eventIndex].trimmingCharacters(in: .whitespaces) {
                case "1": return true
                case "0": return false
                default:
                    throw AnalyticsCLIError("\(path): line \(table.lines[offset]), column \"\(event)\": "
                        + "event must be 1 (event) or 0 (censored), got \"\(row[eventIndex])\"")
                }
            }
            for (offset, value) in times.enumerated() where !(value.isFinite && value >= 0) {
                throw AnalyticsCLIError("\(path): line \(table.lines[offset]), column \"\(time)\": time must be ≥ 0, got \(value)")
            }
            return (times, events, try group.map { try table.strings($0) })
        } catch let error as CSVTable.ParseError {
            throw AnalyticsCLIError("\(path): \(error)")
        }
    }
}
