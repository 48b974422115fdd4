import Alerts
import ArgumentParser
import DemoData
import Foundation
import Search
import Storage
import Trials
import Web

/// `passerelle bench alerts`: the percolator (one new trial against N saved searches, against verifying every
/// distinct query in the same run) and daily digests for many subscribers. Runs on the bundled demo trials, so it
/// needs no database.
struct AlertsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Percolator latency per new trial against N saved searches, and daily digest building.")

    @Option(help: "Saved searches to generate.") var saved = 1_000_000
    @Option(help: "Subscribers in the digest backlog.") var subscribers = 100_000
    @Option(help: "Rounds over the demo trials.") var rounds = 3
    @Option(help: "Trials the baseline (every distinct query verified) runs on.") var baselineTrials = 100
    @Option(help: "Seed of the generated searches and backlog.") var seed: UInt64 = 2026

    func validate() throws {
        guard saved > 0, subscribers > 0, rounds > 0, baselineTrials >= 0 else {
            throw ValidationError("--saved, --subscribers and --rounds must be positive")
        }
    }

    func run() async throws {
        let trials = try SourceFile.trials(DemoData.studyFiles)
        let (lexicon, geography) = try SearchSetup.resources()
        let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)
        let cities = (try index.search(SearchQuery(facets: [.city])).facets[.city] ?? []).map(\.value)
        let places = try Self.places()
        print("trials: \(trials.count) (bundled demo data), places: \(places.count), cities: \(cities.count)")

        let generated = AlertsBenchmark.savedSearches(
            count: saved, trials: trials, lexicon: lexicon, places: places, cities: cities, seed: seed)
        let before = Self.memory("VmRSS")
        let report = AlertsBenchmark.percolation(
            index: index, searches: generated, trials: trials, rounds: rounds, baselineTrials: baselineTrials)
        let peak = Self.memory("VmHWM")
        print(
            "saved searches: \(report.savedSearches) (\(report.distinctQueries) distinct queries, \(report.rejected) rejected)")
        print(
            String(
                format: "percolator build: %.2f s, structures ≈ %d MiB; resident set %d MiB before the build, peak %d MiB",
                report.buildSeconds, report.memoryBytes >> 20, before >> 20, peak >> 20))
        print(String(format: "matches per trial: mean %.1f, max %d", report.meanMatches, report.maxMatches))
        print("| step, per trial | p50 ms | p99 ms | max ms | runs |\n| --- | ---: | ---: | ---: | ---: |")
        func row(_ name: String, _ latency: AlertsBenchmark.Latency) {
            print(
                String(
                    format: "| %@ | %.3f | %.3f | %.3f | %d |", name, latency.p50Milliseconds, latency.p99Milliseconds,
                    latency.maxMilliseconds, latency.runs))
        }
        row("analyse the trial", report.analysis)
        row("percolator: find matching searches", report.matching)
        row("percolator: analyse + find (one new trial)", report.total)
        row("baseline: verify every distinct query", report.baseline)
        print(
            String(
                format: "baseline / percolator (find, p50): %.1f×; disagreements on %d baseline trials: %d",
                report.speedup, report.baselineTrials, report.disagreements))

        let backlog = AlertsBenchmark.backlog(subscribers: subscribers, nctIds: trials.map(\.nctId), seed: seed)
        let digests = AlertsBenchmark.digests(backlog)
        print(
            String(
                format: "daily digests: %d subscribers, %d pending alerts → %d digests, %d trial entries in %.2f s (%.0f alerts/s)",
                digests.subscribers, digests.alerts, digests.digests, digests.items, digests.seconds,
                digests.alertsPerSecond))
        if report.disagreements > 0 { throw ExitCode(1) }
    }

    /// Places people type: Canadian postal areas (FSA) and place names from the geography tables, Québec's counted
    /// twice.
    static func places() throws -> [String] {
        var places: [String] = []
        for (url, provinceColumn) in [(DemoData.postalAreas, 2), (DemoData.places, 1)] {
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst() {
                let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard columns.count > provinceColumn, !columns[0].isEmpty else { continue }
                let name = String(columns[0])
                places.append(name)
                if columns[provinceColumn] == "Quebec" { places.append(name) }
            }
        }
        return places
    }

    /// A memory figure of this process in bytes from /proc/self/status (`VmRSS`: resident set now, `VmHWM`: its
    /// peak); 0 where there is no /proc.
    static func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }
}
