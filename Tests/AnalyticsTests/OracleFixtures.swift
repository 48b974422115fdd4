import Analytics
import Foundation
import Testing

/// Loads the R oracle outputs (`scripts/r-oracle/km_oracle.R`) and the data sets it exported.
struct OracleFixtures {
    let expected: [String: Any]
    let directory: URL

    static let datasetNames = ["lung", "aml", "veteran", "ovarian"]

    /// The committed fixtures shipped in the test bundle.
    static func bundled() throws -> OracleFixtures {
        let url = try #require(Bundle.module.url(forResource: "km_expected", withExtension: "json", subdirectory: "Fixtures"))
        return try OracleFixtures(directory: url.deletingLastPathComponent())
    }

    init(directory: URL) throws {
        self.directory = directory
        let data = try Data(contentsOf: directory.appendingPathComponent("km_expected.json"))
        expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func table(_ name: String) throws -> (times: [Double], events: [Bool], groups: [String]) {
        let text = try String(contentsOf: directory.appendingPathComponent("\(name).csv"), encoding: .utf8)
        let csv = try CSVTable(parsing: text)
        return (try csv.numbers("time"), try csv.numbers("event").map { $0 == 1 }, try csv.strings("group"))
    }

    func dataset(_ name: String) throws -> [String: Any] {
        try #require(expected[name] as? [String: Any])
    }
}

/// Reads a JSON array of numbers-or-null.
func optionalNumbers(_ value: Any?) -> [Double?] {
    (value as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue }
}

func optionalNumber(_ value: Any?) -> Double? {
    (value as? NSNumber)?.doubleValue
}

/// |actual − expected| ≤ 1e-6 · max(1, |expected|), with `nil` matching only `nil`.
func close(_ actual: Double?, _ expected: Double?, tolerance: Double = 1e-6) -> Bool {
    switch (actual, expected) {
    case (nil, nil): return true
    case let (a?, e?): return abs(a - e) <= tolerance * max(1, abs(e))
    default: return false
    }
}

func expectClose(_ actual: [Double?], _ expected: [Double?], _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): length", sourceLocation: sourceLocation)
    for (index, pair) in zip(actual, expected).enumerated() where !close(pair.0, pair.1) {
        Issue.record("\(label)[\(index)]: got \(String(describing: pair.0)), R gives \(String(describing: pair.1))",
                     sourceLocation: sourceLocation)
        return
    }
}

/// Compares every quantity of every curve and the log-rank test of one data set with R.
func compareWithR(_ fixtures: OracleFixtures, dataset name: String) throws {
    let data = try fixtures.table(name)
    let reference = try fixtures.dataset(name)
    let curves = try #require(reference["curves"] as? [String: Any])
    let analysis = try GroupedSurvival(times: data.times, events: data.events, groups: data.groups)
    let pooled = try KaplanMeier(zip(data.times, data.events).map { SurvivalObservation(time: $0, event: $1) })
    var fitted: [String: KaplanMeier] = ["all": pooled]
    for group in analysis.groups { fitted[group.name] = group.curve }
    #expect(Set(fitted.keys) == Set(curves.keys), "\(name): group names")

    for (groupName, value) in curves {
        let r = try #require(value as? [String: Any])
        let km = try #require(fitted[groupName])
        let label = "\(name)/\(groupName)"
        #expect(km.count == (r["n"] as? Int), "\(label): n")
        #expect(km.eventCount == (r["events"] as? Int), "\(label): events")
        expectClose(km.times, optionalNumbers(r["time"]), "\(label) time")
        expectClose(km.atRisk.map(Double.init), optionalNumbers(r["nRisk"]), "\(label) n.risk")
        expectClose(km.events.map(Double.init), optionalNumbers(r["nEvent"]), "\(label) n.event")
        expectClose(km.censored.map(Double.init), optionalNumbers(r["nCensor"]), "\(label) n.censor")
        expectClose(km.survival, optionalNumbers(r["surv"]), "\(label) surv")
        expectClose(km.logStandardError.map { $0.isFinite ? $0 : nil }, optionalNumbers(r["logStdErr"]), "\(label) std.err")
        expectClose(km.standardError, optionalNumbers(r["stdErr"]), "\(label) surv*std.err")

        let queryTimes = optionalNumbers(r["queryTimes"]).compactMap { $0 }
        let tau = try #require(optionalNumber(r["tau"]))
        let rmst = try km.restrictedMean(tau: tau)
        #expect(close(rmst.estimate, optionalNumber(r["rmean"])), "\(label): rmean \(rmst.estimate)")
        #expect(close(rmst.standardError, optionalNumber(r["rmeanSE"])), "\(label): se(rmean) \(rmst.standardError)")

        let conf = try #require(r["conf"] as? [String: Any])
        for type in ConfidenceType.allCases {
            let c = try #require(conf[type.rawValue] as? [String: Any])
            let band = km.confidenceBand(type)
            expectClose(band.lower, optionalNumbers(c["lower"]), "\(label) \(type.rawValue) lower")
            expectClose(band.upper, optionalNumbers(c["upper"]), "\(label) \(type.rawValue) upper")
            let median = km.median(type)
            #expect(close(median.median, optionalNumber(c["median"])), "\(label) \(type.rawValue) median")
            #expect(close(median.lower, optionalNumber(c["medianLower"])), "\(label) \(type.rawValue) median LCL")
            #expect(close(median.upper, optionalNumber(c["medianUpper"])), "\(label) \(type.rawValue) median UCL")

            let points = km.summary(at: queryTimes, type: type)
            expectClose(points.map(\.survival), optionalNumbers(r["atTimesSurv"]), "\(label) summary surv")
            expectClose(points.map(\.standardError), optionalNumbers(r["atTimesStdErr"]), "\(label) summary std.err")
            expectClose(points.map { Double($0.atRisk) }, optionalNumbers(r["atTimesRisk"]), "\(label) summary n.risk")
            expectClose(points.map(\.lower), optionalNumbers(c["atTimesLower"]), "\(label) \(type.rawValue) summary lower")
            expectClose(points.map(\.upper), optionalNumbers(c["atTimesUpper"]), "\(label) \(type.rawValue) summary upper")
        }
    }

    let logRank = try #require(reference["logRank"] as? [String: Any])
    let test = try #require(analysis.logRank)
    #expect(close(test.chiSquare, optionalNumber(logRank["chiSquare"])), "\(name): chi-square \(test.chiSquare)")
    #expect(Double(test.degreesOfFreedom) == optionalNumber(logRank["df"]), "\(name): df")
    #expect(close(test.pValue, optionalNumber(logRank["p"])), "\(name): p \(test.pValue)")
}
