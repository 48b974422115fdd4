import ArgumentParser
import Foundation
import Matching
import Search
import Trials
import Web

/// `passerelle match`: ranks the stored trials for patients — one described on the command line, or a JSON-lines
/// file of topics printed as a TREC run.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Rank trials for a patient's situation, with each criterion met / not met / unknown.",
        discussion: """
            One patient:
              passerelle match "62-year-old man with relapsed DLBCL after R-CHOP, ECOG 1" --limit 5
            Evaluation topics (JSON lines {"_id","text"}), printed as a TREC run:
              passerelle match --queries queries.jsonl --top 1000 --tag passerelle > run.txt
              passerelle match --queries queries.jsonl --baseline bm25 > bm25.txt
            Experiments (docs/MATCHING.md): change a knob with --set NAME=VALUE, or write one run per variant:
              passerelle match --queries q.jsonl --variants variants.jsonl --output-directory runs/
            where each line of variants.jsonl is {"tag": "fb30", "feedbackWeight": 0.3} (DIR/TAG.run).
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The patient's situation (French or English).") var text: String?
    @Option(help: "JSON-lines patient topics {\"_id\",\"text\"}; prints a TREC run.") var queries: String?
    @Option(help: "Trials per topic in the run.") var top = 1000
    @Option(help: "Run tag (last column).") var tag: String?
    @Option(help: "Print a baseline run instead: bm25 (plain BM25 over all of each trial's text).") var baseline: String?
    @Option(help: "Age in years (overrides the text).") var age: Double?
    @Option(help: "Sex: female or male (overrides the text).") var sex: String?
    @Option(help: "ECOG performance status 0–5 (overrides the text).") var ecog: Int?
    @Option(help: "Results to show for one patient.") var limit = 10
    @Flag(help: "Print JSON (one patient).") var json = false
    @Option(name: .customLong("set"), help: "Change a matcher knob, NAME=VALUE (repeatable).") var settings: [String] = []
    @Option(help: "JSON lines of variants {\"tag\": NAME, KNOB: VALUE, …}; writes DIR/NAME.run for each.") var variants: String?
    @Option(help: "Where --variants writes its runs.") var outputDirectory: String?

    func validate() throws {
        if variants != nil, queries == nil || outputDirectory == nil {
            throw ValidationError("--variants needs --queries and --output-directory")
        }
        _ = try settingParameters()
        if queries == nil, (text ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("give the patient's situation as TEXT, or --queries FILE")
        }
        if let baseline, baseline != "bm25" { throw ValidationError("--baseline must be bm25") }
        guard (1...10_000).contains(top) else { throw ValidationError("--top must be between 1 and 10000") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
        if let sex, PatientProfile.Sex(rawValue: sex.lowercased()) == nil { throw ValidationError("--sex must be female or male") }
        if let ecog, !(0...5).contains(ecog) { throw ValidationError("--ecog must be between 0 and 5") }
        if let age, !(0...130).contains(age) { throw ValidationError("--age must be between 0 and 130") }
    }

    /// Default parameters with `overrides` applied; an unknown knob or a bad value is named.
    static func parameters(_ overrides: [(String, Double)], context: String) throws -> TrialMatcher.Parameters {
        var parameters = TrialMatcher.Parameters()
        for (name, value) in overrides where !parameters.set(name, to: value) {
            throw ValidationError(
                "\(context): \(name) = \(value) is not a knob or out of range; knobs: \(TrialMatcher.Parameters.names.joined(separator: ", "))")
        }
        return parameters
    }

    /// The parameters `--set NAME=VALUE` asks for.
    func settingParameters() throws -> TrialMatcher.Parameters {
        try Self.parameters(settings.map { setting in
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]) else {
                throw ValidationError("--set \(setting): expected NAME=NUMBER")
            }
            return (parts[0], value)
        }, context: "--set")
    }

    /// The TREC run of `topics`: each ranked by `rank` (its best `top` trials with scores).
    func trecRun(_ topics: [(id: String, text: String)], _ rank: (String) -> [(document: String, score: Double)]) -> TrecRun {
        var rankings: [String: [(document: String, score: Double)]] = [:]
        for topic in topics { rankings[topic.id] = rank(topic.text) }
        return TrecRun(rankings: rankings)
    }

    func run() async throws {
        var matcher = try await MatchSetup.matcher(database)
        matcher.parameters = try settingParameters()
        if let variants, let queries, let outputDirectory {
            try runVariants(variants, queries: queries, directory: outputDirectory, matcher: matcher)
            return
        }
        if let queries {
            let run = trecRun(try MatchSetup.readTopics(queries)) { text in
                baseline != nil
                    ? matcher.baseline(text, limit: top).map { ($0.nctId, $0.score) }
                    : matcher.match(PatientProfile(text: text), limit: top).map { ($0.nctId, $0.score) }
            }
            FileHandle.standardOutput.write(Data(run.text(tag: tag ?? (baseline ?? "passerelle")).utf8))
            return
        }
        let profile = PatientProfile(
            age: age, sex: sex.flatMap { PatientProfile.Sex(rawValue: $0.lowercased()) }, ecog: ecog, text: text ?? "")
        let matches = matcher.match(profile, limit: limit)
        if json {
            let output = matches.map { match in
                MatchLine(
                    nctId: match.nctId, title: matcher.index.trial(nctId: match.nctId)?.briefTitle ?? "", score: match.score,
                    verdict: match.report.verdict.rawValue,
                    criteria: match.report.assessments.map {
                        .init(section: $0.criterion.section.rawValue, kind: $0.criterion.kind.rawValue, text: $0.criterion.text,
                            status: $0.status.rawValue, evidence: $0.evidence)
                    })
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        let facts = matcher.evaluator.facts(for: profile)
        let known = facts.profile
        print("patient: age \(known.age.map { EligibilityEvaluator.format($0) } ?? "?"), sex \(known.sex?.rawValue ?? "?"), ECOG \(known.ecog.map(String.init) ?? "?")")
        for (rank, match) in matches.enumerated() {
            let title = matcher.index.trial(nctId: match.nctId)?.briefTitle ?? ""
            print("\(rank + 1). \(match.nctId)  [\(match.report.verdict.rawValue)]  \(title)")
            for assessment in match.report.assessments where assessment.status != .unknown {
                let mark = assessment.excludes ? "✗" : "✓"
                let text = assessment.criterion.text.count > 90 ? String(assessment.criterion.text.prefix(89)) + "…" : assessment.criterion.text
                print("     \(mark) \(assessment.criterion.section.rawValue) · \(assessment.status.rawValue) · \(text)  (\(assessment.evidence))")
            }
        }
    }
}

extension MatchCommand {
    /// One run per variant line, from one index: DIR/TAG.run.
    func runVariants(_ path: String, queries: String, directory: String, matcher: TrialMatcher) throws {
        let topics = try MatchSetup.readTopics(queries)
        let content = try String(contentsOfFile: path, encoding: .utf8)
        var variants: [(tag: String, parameters: TrialMatcher.Parameters)] = []
        for (offset, line) in content.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let context = "\(path) line \(offset + 1)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let tag = object["tag"] as? String, !tag.isEmpty, !tag.contains("/")
            else { throw ValidationError("\(context): expected {\"tag\": NAME, KNOB: NUMBER, …}") }
            var overrides: [(String, Double)] = []
            for (name, value) in object where name != "tag" {
                guard let number = value as? NSNumber else { throw ValidationError("\(context): \(name) must be a number") }
                overrides.append((name, number.doubleValue))
            }
            variants.append((tag, try Self.parameters(overrides.sorted { $0.0 < $1.0 }, context: context)))
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for variant in variants {
            var variantMatcher = matcher
            variantMatcher.parameters = variant.parameters
            let run = trecRun(topics) { variantMatcher.match(PatientProfile(text: $0), limit: top).map { ($0.nctId, $0.score) } }
            let file = URL(fileURLWithPath: directory).appendingPathComponent("\(variant.tag).run")
            try Data(run.text(tag: variant.tag).utf8).write(to: file)
        }
    }
}

struct MatchLine: Encodable {
    struct Item: Encodable {
        var section: String
        var kind: String
        var text: String
        var status: String
        var evidence: String
    }

    var nctId: String
    var title: String
    var score: Double
    var verdict: String
    var criteria: [Item]
}

/// `passerelle eval-run`: NDCG@10, P@10 and reciprocal rank of a TREC run against judgments, on the pool of
/// trials in the store.
struct EvalRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-run",
        abstract: "Score a TREC run: NDCG@10 (gains 2 eligible, 1 excluded), P@10 and reciprocal rank (eligible).",
        discussion: """
            Judgments on trials absent from the store are dropped, and topics left with no positive judgment are
            not scored (docs/MATCHING.md). Use --no-store to score on all judgments.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Judgments: TREC qrels (topic 0 NCTid grade) or TrialGPT TSV (query-id corpus-id score).") var qrels: String
    @Argument(help: "The run (topic Q0 NCTid rank score tag).") var run: String
    @Flag(help: "Score on every judgment, not only trials in the store.") var noStore = false
    @Flag(help: "Print JSON with per-topic scores.") var json = false

    func run() async throws {
        let judgments: Qrels
        let ranked: TrecRun
        do {
            judgments = try Qrels(text: try String(contentsOfFile: qrels, encoding: .utf8))
        } catch let error as Qrels.ParseError {
            throw ValidationError("\(qrels): \(error)")
        }
        do {
            ranked = try TrecRun(text: try String(contentsOfFile: run, encoding: .utf8))
        } catch let error as Qrels.ParseError {
            throw ValidationError("\(run): \(error)")
        }
        var pool = judgments
        if !noStore {
            let store = try await database.openStore()
            let ids = Set(try await store.allTrials().map(\.nctId))
            try await store.close()
            pool = judgments.restricted(to: ids)
        }
        let report = TrecEvaluation.evaluate(ranked, qrels: pool)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let output = EvalOutput(
                topics: report.topics, ndcg10: report.mean.ndcg10, precision10: report.mean.precision10,
                reciprocalRank: report.mean.reciprocalRank,
                perTopic: report.perTopic.mapValues { [$0.ndcg10, $0.precision10, $0.reciprocalRank] })
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        print(String(format: "topics\t%d\nndcg_cut_10\t%.4f\nP_10\t%.4f\nrecip_rank\t%.4f", report.topics, report.mean.ndcg10,
            report.mean.precision10, report.mean.reciprocalRank))
    }
}

struct EvalOutput: Encodable {
    var topics: Int
    var ndcg10: Double
    var precision10: Double
    var reciprocalRank: Double
    /// NDCG@10, P@10, reciprocal rank per topic.
    var perTopic: [String: [Double]]
}

/// `passerelle trec-topics`: TREC topic XML (2021–2023 Clinical Trials, Precision Medicine) to JSON lines.
struct TrecTopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trec-topics",
        abstract: "Convert TREC topic XML to JSON lines {\"_id\",\"text\"} for `match --queries`.",
        discussion: "Templated 2023 topics become sentences (\"Diagnosis: …. No prior LASIK surgery. HbA1c: 7.5 %.\").")

    @Argument(help: "topics2021.xml, topics2023.xml, …") var file: String
    @Option(help: "Prefix of the ids (e.g. trec-2021 gives trec-20211 as TrialGPT does).") var prefix = ""

    func run() throws {
        let xml = try String(contentsOfFile: file, encoding: .utf8)
        let topics = TrecTopics.parse(xml: xml)
        guard !topics.isEmpty else { throw ValidationError("\(file): no <topic> found") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for topic in topics {
            let line = String(decoding: try encoder.encode(["_id": prefix + topic.id, "text": topic.text]), as: UTF8.self)
            print(line)
        }
    }
}

/// Builds the matcher from the store, and reads topic files.
enum MatchSetup {
    static func matcher(_ database: DatabaseOptions) async throws -> TrialMatcher {
        let store = try await database.openStore()
        let trials = try await store.allTrials()
        try await store.close()
        let (lexicon, _) = try SearchSetup.resources()
        return TrialMatcher(index: MatchingIndex(trials: trials, lexicon: lexicon), lexicon: lexicon)
    }

    /// JSON lines `{"_id": …, "text": …}`; a bad line is named by number.
    static func readTopics(_ path: String) throws -> [(id: String, text: String)] {
        struct Topic: Decodable {
            var _id: String
            var text: String
        }
        let content = try String(contentsOfFile: path, encoding: .utf8)
        var topics: [(id: String, text: String)] = []
        for (offset, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            do {
                let topic = try JSONDecoder().decode(Topic.self, from: Data(line.utf8))
                topics.append((topic._id, topic.text))
            } catch {
                throw ValidationError("\(path) line \(offset + 1): expected {\"_id\": string, \"text\": string}")
            }
        }
        return topics
    }
}

/// `passerelle bench match`: one patient against every stored trial, p50/p99, with the BM25 baseline in the same run.
struct MatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match", abstract: "Matching latency per patient, against plain BM25 in the same run.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "JSON-lines patient topics {\"_id\",\"text\"}.") var queries: String
    @Option(help: "Rounds over all topics.") var rounds = 3

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let matcher = try await MatchSetup.matcher(database)
        let built = clock.now - started
        let topics = try MatchSetup.readTopics(queries).map(\.text)
        let report = MatchBenchmark.run(matcher: matcher, patients: topics, rounds: rounds)
        func row(_ name: String, _ latency: MatchBenchmark.Latency) -> String {
            String(format: "| %@ | %.2f | %.2f | %.2f | %d |", name, latency.p50Milliseconds, latency.p99Milliseconds,
                latency.maxMilliseconds, latency.runs)
        }
        print("trials: \(report.trials), patients: \(report.patients), rounds: \(rounds), load + index: \(built)")
        print("| method | p50 ms | p99 ms | max ms | runs |\n| --- | ---: | ---: | ---: | ---: |")
        print(row("Passerelle matcher (top 100 with eligibility)", report.matcher))
        print(row("plain BM25 baseline (top 100)", report.baseline))
        print(String(format: "p50 ratio matcher / BM25: %.2f", report.matcher.p50Milliseconds / max(0.001, report.baseline.p50Milliseconds)))
    }
}
