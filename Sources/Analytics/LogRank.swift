import Foundation

/// The k-sample log-rank test (R's `survdiff(..., rho = 0)`).
public struct LogRankTest: Codable, Sendable, Equatable {
    /// Group names, in the order of `observed` and `expected`.
    public var groups: [String]
    /// Observed events per group.
    public var observed: [Double]
    /// Expected events per group under equal hazards.
    public var expected: [Double]
    /// The score statistic (O−E)ᵀ V⁻ (O−E), using the groups with E > 0 minus one.
    public var chiSquare: Double
    /// Number of groups with E > 0, minus one.
    public var degreesOfFreedom: Int
    /// Upper chi-square tail probability.
    public var pValue: Double
}

/// Kaplan–Meier curves for each group of a sample, plus the log-rank test between them.
public struct GroupedSurvival: Codable, Sendable, Equatable {
    /// One group's curve.
    public struct Group: Codable, Sendable, Equatable {
        public let name: String
        public let curve: KaplanMeier
    }

    /// Groups sorted by name (like the levels of an R factor).
    public let groups: [Group]
    /// The log-rank test; `nil` when there is a single group.
    public let logRank: LogRankTest?

    /// - Parameters:
    ///   - times: follow-up times, each finite and ≥ 0.
    ///   - events: `true` for an event, `false` for censoring; same length as `times`.
    ///   - groups: group label of each observation, or `nil` for a single group named "all".
    /// - Throws: `AnalyticsError` naming the field and index of the first invalid value.
    public init(times: [Double], events: [Bool], groups labels: [String]? = nil) throws {
        guard !times.isEmpty else { throw AnalyticsError.empty(field: "times") }
        try Check.length(events, times.count, "events")
        if let labels { try Check.length(labels, times.count, "groups") }
        for (index, time) in times.enumerated() {
            try Check.nonNegative(time, "times[\(index)]")
        }
        let names = labels.map { Array(Set($0)).sorted() } ?? ["all"]
        let codeOf = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var records = [SortRecord]()
        records.reserveCapacity(times.count)
        for index in times.indices {
            let group = labels.map { codeOf[$0[index]]! } ?? 0
            records.append(SortRecord(time: times[index], group: Int32(group), event: events[index]))
        }
        records.sort { $0.time < $1.time }

        var perGroupTimes = Array(repeating: [Double](), count: names.count)
        var perGroupEvents = Array(repeating: [Bool](), count: names.count)
        for record in records {
            perGroupTimes[Int(record.group)].append(record.time)
            perGroupEvents[Int(record.group)].append(record.event)
        }
        self.groups = names.indices.map {
            Group(name: names[$0], curve: KaplanMeier(sortedTimes: perGroupTimes[$0], events: perGroupEvents[$0]))
        }
        self.logRank = names.count > 1 ? Self.logRank(sorted: records, names: names) : nil
    }

    private struct SortRecord {
        var time: Double
        var group: Int32
        var event: Bool
    }

    private static func logRank(sorted records: [SortRecord], names: [String]) -> LogRankTest {
        let k = names.count
        var atRisk = [Double](repeating: 0, count: k)
        for record in records { atRisk[Int(record.group)] += 1 }
        var observed = [Double](repeating: 0, count: k)
        var expected = [Double](repeating: 0, count: k)
        var variance = [Double](repeating: 0, count: k * k)
        var deaths = [Double](repeating: 0, count: k)
        var leaving = [Double](repeating: 0, count: k)
        var index = 0
        while index < records.count {
            let time = records[index].time
            for g in 0..<k {
                deaths[g] = 0
                leaving[g] = 0
            }
            while index < records.count, records[index].time == time {
                let g = Int(records[index].group)
                if records[index].event { deaths[g] += 1 }
                leaving[g] += 1
                index += 1
            }
            let d = deaths.reduce(0, +)
            let n = atRisk.reduce(0, +)
            if d > 0 {
                let factor = n > 1 ? d * (n - d) / (n - 1) : 0
                for g in 0..<k {
                    let share = atRisk[g] / n
                    observed[g] += deaths[g]
                    expected[g] += d * share
                    for h in 0..<k {
                        variance[g * k + h] += factor * share * ((g == h ? 1 : 0) - atRisk[h] / n)
                    }
                }
            }
            for g in 0..<k { atRisk[g] -= leaving[g] }
        }
        let used = (0..<k).filter { expected[$0] > 0 }
        var chiSquare = 0.0
        if used.count >= 2 {
            let kept = Array(used.dropFirst())
            let difference = kept.map { observed[$0] - expected[$0] }
            let matrix = kept.map { g in kept.map { h in variance[g * k + h] } }
            if let solved = LinearAlgebra.solve(matrix, difference) {
                chiSquare = zip(solved, difference).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }
        let df = used.count - 1
        return LogRankTest(
            groups: names, observed: observed, expected: expected, chiSquare: chiSquare,
            degreesOfFreedom: df,
            pValue: df > 0 ? SpecialFunctions.chiSquareSurvival(chiSquare, degreesOfFreedom: Double(df)) : 1
        )
    }
}

/// Dense linear algebra for the small systems the estimators need.
enum LinearAlgebra {
    /// Solves A x = b by Gaussian elimination with partial pivoting; `nil` if A is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a
        var rhs = b
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                  abs(m[pivot][column]) > 1e-300
            else { return nil }
            m.swapAt(column, pivot)
            rhs.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = m[row][column] / m[column][column]
                guard factor != 0 else { continue }
                for j in column..<n { m[row][j] -= factor * m[column][j] }
                rhs[row] -= factor * rhs[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = rhs[row]
            for j in (row + 1)..<n { sum -= m[row][j] * x[j] }
            x[row] = sum / m[row][row]
        }
        return x
    }
}
