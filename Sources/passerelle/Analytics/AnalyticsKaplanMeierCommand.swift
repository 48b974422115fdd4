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
        let groups = try analysis.groups.map { group in
            try AnalyticsKaplanMeierGroup(name: group.name, curve: group.curve, type: type, level: confLevel,
                                          times: queryTimes, tau: tau)
        }
        try AnalyticsIO.printJSON(AnalyticsKaplanMeierReport(
            groups: groups,
            logRank: analysis.logRank.map { .init(chiSquare: $0.chiSquare, df: $0.degreesOfFreedom, p: $0.pValue) }))
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

/// JSON output of `analytics km`.
struct AnalyticsKaplanMeierReport: Encodable {
    struct LogRank: Encodable {
        var chiSquare: Double
        var df: Int
        var p: Double
    }

    var groups: [AnalyticsKaplanMeierGroup]
    var logRank: LogRank?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(groups, forKey: .groups)
        try c.encode(logRank, forKey: .logRank)
    }

    private enum CodingKeys: String, CodingKey { case groups, logRank }
}

/// One group's curve in `analytics km` output; absent values are written as `null`.
struct AnalyticsKaplanMeierGroup: Encodable {
    var name: String
    var n: Int
    var events: Int
    var median: Double?
    var medianLower: Double?
    var medianUpper: Double?
    var rmst: Double?
    var rmstSE: Double?
    var times: [Double]
    var survival: [Double]
    var stdErr: [Double?]
    var lower: [Double?]
    var upper: [Double?]
    var atRisk: [Int]

    init(name: String, curve: KaplanMeier, type: ConfidenceType, level: Double, times queryTimes: [Double]?, tau: Double?) throws {
        self.name = name
        n = curve.count
        events = curve.eventCount
        let median = curve.median(type, level: level)
        self.median = median.median
        medianLower = median.lower
        medianUpper = median.upper
        if let tau {
            let restricted = try curve.restrictedMean(tau: tau)
            rmst = restricted.estimate
            rmstSE = restricted.standardError
        }
        if let queryTimes {
            let points = curve.summary(at: queryTimes, type: type, level: level)
            times = queryTimes
            survival = points.map(\.survival)
            stdErr = points.map(\.standardError)
            lower = points.map(\.lower)
            upper = points.map(\.upper)
            atRisk = points.map(\.atRisk)
        } else {
            let band = curve.confidenceBand(type, level: level)
            times = curve.times
            survival = curve.survival
            stdErr = curve.standardError
            lower = band.lower
            upper = band.upper
            atRisk = curve.atRisk
        }
    }

    private enum CodingKeys: String, CodingKey {
        case name, n, events, median, medianLower, medianUpper, rmst, rmstSE, times, survival, stdErr, lower, upper, atRisk
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(n, forKey: .n)
        try c.encode(events, forKey: .events)
        try c.encode(median, forKey: .median)
        try c.encode(medianLower, forKey: .medianLower)
        try c.encode(medianUpper, forKey: .medianUpper)
        try c.encode(rmst, forKey: .rmst)
        try c.encode(rmstSE, forKey: .rmstSE)
        try c.encode(times, forKey: .times)
        try c.encode(survival, forKey: .survival)
        try c.encode(stdErr, forKey: .stdErr)
        try c.encode(lower, forKey: .lower)
        try c.encode(upper, forKey: .upper)
        try c.encode(atRisk, forKey: .atRisk)
    }
}
