import ArgumentParser
import Foundation
import Search
import Storage
import Trials
import Web

/// `passerelle search TEXT`: the trial finder from the command line, on the same index the server uses.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search trials in French or English, with filters and distance.",
        discussion: """
            Examples:
              passerelle search "lymphome CAR-T" --near H2X --radius 50
              passerelle search "breast cancer" --status RECRUITING --country Canada --age 45
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "What to look for (French or English).") var text: String = ""
    @Option(help: "Query language: fr or en (default: both).") var lang: String?
    @Option(help: "A place: postal code (H2X), city (Montréal) or lat,lon.") var near: String?
    @Option(help: "Keep trials with a site within this many km of --near.") var radius: Double?
    @Option(parsing: .upToNextOption, help: "Recruitment statuses (e.g. RECRUITING NOT_YET_RECRUITING).") var status: [String] = []
    @Option(parsing: .upToNextOption, help: "Phases (e.g. PHASE2 PHASE3).") var phase: [String] = []
    @Option(parsing: .upToNextOption, help: "CGT types (e.g. car-t in-vivo-gene-therapy).") var cgt: [String] = []
    @Option(help: "Country of a site.") var country: String?
    @Option(help: "Keep trials that accept a person of this age (years).") var age: Double?
    @Option(help: "Sort: relevance, distance or recent.") var sort: String = "relevance"
    @Option(help: "Number of results.") var limit = 10
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if let lang, Search.Language(rawValue: lang) == nil { throw ValidationError("--lang must be fr or en") }
        guard SearchQuery.Sort(rawValue: sort) != nil else { throw ValidationError("--sort must be relevance, distance or recent") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
        if let radius, radius <= 0 { throw ValidationError("--radius must be positive") }
        if let age, !(0...130).contains(age) { throw ValidationError("--age must be between 0 and 130") }
    }

    func run() async throws {
        let store = try await database.openStore()
        let trials = try await store.allTrials()
        try await store.close()
        let (lexicon, geography) = try SearchSetup.resources()
        let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)
        var filters: [Facet: Set<String>] = [:]
        if !status.isEmpty { filters[.status] = Set(status.map { $0.uppercased() }) }
        if !phase.isEmpty { filters[.phase] = Set(phase.map { $0.uppercased() }) }
        if !cgt.isEmpty { filters[.cgtType] = Set(cgt) }
        if let country { filters[.country] = [Country.canonical(country)] }
        let query = SearchQuery(
            text: text, language: lang.flatMap(Search.Language.init(rawValue:)), filters: filters, acceptsAge: age,
            place: near, radiusKm: radius, sort: SearchQuery.Sort(rawValue: sort)!, pageSize: limit)
        let results: SearchResults
        do {
            results = try index.search(query)
        } catch {
            throw ValidationError("\(error)")
        }
        let byId = Dictionary(uniqueKeysWithValues: trials.map { ($0.nctId, $0) })
        if json {
            let hits = results.hits.map { hit in
                SearchLine(
                    nctId: hit.nctId, title: byId[hit.nctId]?.briefTitle ?? "", status: byId[hit.nctId]?.overallStatus.rawValue ?? "",
                    score: hit.score, nearestCity: hit.nearestSite?.city, distanceKm: hit.nearestSite?.distanceKm)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(SearchOutput(total: results.total, hits: hits)), as: UTF8.self))
            return
        }
        print("\(results.total) trials\(results.interpretation.isEmpty ? "" : " — " + results.interpretation.joined(separator: "; "))")
        for (rank, hit) in results.hits.enumerated() {
            guard let trial = byId[hit.nctId] else { continue }
            var line = "\(rank + 1). \(trial.nctId)  [\(trial.overallStatus.rawValue)]  \(trial.briefTitle)"
            if let site = hit.nearestSite {
                line += "\n     nearest site: \(site.city ?? "?"), \(String(format: "%.0f", site.distanceKm)) km"
            }
            print(line)
        }
    }

    struct SearchLine: Encodable {
        var nctId: String
        var title: String
        var status: String
        var score: Double
        var nearestCity: String?
        var distanceKm: Double?
    }

    struct SearchOutput: Encodable {
        var total: Int
        var hits: [SearchLine]
    }
}

/// `passerelle bench search`: index build time and in-process query latency (keyword + facets + distance) on the
/// store's trials and on scale sets made by repeating them under new ids.
struct SearchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search latency p50/p99 and index size at several scales.")

    @OptionGroup var database: DatabaseOptions
    @Option(parsing: .upToNextOption, help: "Scale sets to measure besides the store itself.") var scale: [Int] = [100_000]
    @Option(help: "Rounds of the standard queries per set.") var rounds = 5
    @Option(
        help: "Also write each set's searchable texts (docs-N.jsonl) and the keyword queries (queries.jsonl) here, for scripts/bench-search-baselines.py.")
    var export: String?

    func run() async throws {
        let store = try await database.openStore()
        let trials = try await store.allTrials()
        try await store.close()
        let (lexicon, geography) = try SearchSetup.resources()
        if let export { try Self.writeQueries(to: export) }
        for count in [trials.count] + scale.filter({ $0 > 0 }) {
            let set = count == trials.count ? trials : SearchBenchmark.replicate(trials, to: count)
            if let export { try Self.writeDocuments(set, to: export) }
            let start = ContinuousClock.now
            let index = TrialIndex(trials: set, lexicon: lexicon, geography: geography)
            let build = (ContinuousClock.now - start).elapsedSeconds
            var full = SearchBenchmark.run(index: index, queries: SearchBenchmark.standardQueries, rounds: rounds)
            full.buildSeconds = build
            print("keyword + facets + distance: \(full)")
            let keyword = SearchBenchmark.run(index: index, queries: SearchBenchmark.keywordQueries, rounds: rounds)
            print("keyword only, top 20:        \(keyword)")
            print("results digest:              \(String(SearchBenchmark.digest(index: index), radix: 16))")
        }
    }

    /// One JSON object per trial: its NCT id and the text of each searchable field.
    static func writeDocuments(_ trials: [Trial], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("docs-\(trials.count).jsonl")
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw ValidationError("cannot write \(path)") }
        defer { try? handle.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = Data()
        for trial in trials {
            var document = ["id": trial.nctId]
            for field in SearchField.allCases { document["\(field)"] = field.texts(of: trial).joined(separator: " \n ") }
            buffer.append(try encoder.encode(document))
            buffer.append(0x0A)
            if buffer.count > 1 << 22 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }

    static func writeQueries(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lines = SearchBenchmark.keywordQueries.map { query in
            let data = (try? JSONEncoder().encode(["text": query.text])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: (directory as NSString).appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
    }
}
