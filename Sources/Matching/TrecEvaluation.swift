import Foundation

/// Relevance judgments: topic → document → grade (0 not relevant, 1 excluded, 2 eligible in the TREC Clinical
/// Trials tracks).
public struct Qrels: Sendable, Equatable {
    public var judgments: [String: [String: Int]]

    public init(judgments: [String: [String: Int]]) {
        self.judgments = judgments
    }

    /// Why a judgments or run file cannot be read: the 1-based line and the reason.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "line \(line): \(reason)" }
    }

    /// Reads TREC qrels (`topic iteration document grade`, white-space separated) or the TrialGPT TSV
    /// (`query-id<TAB>corpus-id<TAB>score` with that header).
    public init(text: String) throws(ParseError) {
        var judgments: [String: [String: Int]] = [:]
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            if offset == 0, fields.first == "query-id" { continue }
            let topic: Substring
            let document: Substring
            let grade: Substring
            switch fields.count {
            case 3: (topic, document, grade) = (fields[0], fields[1], fields[2])
            case 4: (topic, document, grade) = (fields[0], fields[2], fields[3])
            default:
                throw ParseError(line: offset + 1, reason: "expected 3 or 4 fields, found \(fields.count)")
            }
            guard let value = Int(grade) else {
                throw ParseError(line: offset + 1, reason: "grade \"\(grade)\" is not an integer")
            }
            judgments[String(topic), default: [:]][String(document)] = value
        }
        self.judgments = judgments
    }

    /// The judgments on `documents` only (the trials in the store), dropping topics left with no positive grade.
    public func restricted(to documents: Set<String>) -> Qrels {
        var kept: [String: [String: Int]] = [:]
        for (topic, grades) in judgments {
            let inStore = grades.filter { documents.contains($0.key) }
            if inStore.values.contains(where: { $0 > 0 }) { kept[topic] = inStore }
        }
        return Qrels(judgments: kept)
    }
}

/// A ranked run: topic → documents with scores, in TREC format `topic Q0 document rank score tag`.
public struct TrecRun: Sendable, Equatable {
    public var rankings: [String: [(document: String, score: Double)]]

    public static func == (lhs: TrecRun, rhs: TrecRun) -> Bool {
        lhs.rankings.keys.sorted() == rhs.rankings.keys.sorted()
            && lhs.rankings.allSatisfy { topic, ranking in
                let other = rhs.rankings[topic] ?? []
                return ranking.count == other.count
                    && zip(ranking, other).allSatisfy { $0.document == $1.document && $0.score == $1.score }
            }
    }

    public init(rankings: [String: [(document: String, score: Double)]]) {
        self.rankings = rankings
    }

    public init(text: String) throws(Qrels.ParseError) {
        var rankings: [String: [(document: String, score: Double)]] = [:]
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 6 else {
                throw Qrels.ParseError(line: offset + 1, reason: "expected 6 fields (topic Q0 document rank score tag), found \(fields.count)")
            }
            guard let score = Double(fields[4]), score.isFinite else {
                throw Qrels.ParseError(line: offset + 1, reason: "score \"\(fields[4])\" is not a number")
            }
            rankings[String(fields[0]), default: []].append((String(fields[2]), score))
        }
        self.rankings = rankings
    }

    /// The run as TREC text, one line per document, ranks from 1.
    public func text(tag: String) -> String {
        var lines: [String] = []
        for topic in rankings.keys.sorted(by: TrecEvaluation.topicOrder) {
            for (rank, entry) in rankings[topic]!.enumerated() {
                lines.append("\(topic) Q0 \(entry.document) \(rank + 1) \(String(format: "%.6f", entry.score)) \(tag)")
            }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}

/// NDCG@10, P@10 and reciprocal rank as `trec_eval -l 2 -m ndcg_cut.10 -m P.10 -m recip_rank` computes them.
///
/// - Documents of a topic are ordered by score, descending, ties by document id descending (trec_eval's order).
/// - NDCG@10 uses the grades as gains (2 eligible, 1 excluded) with log2(rank + 1) discounts, over the ideal
///   ordering of the topic's judgments.
/// - P@10 and reciprocal rank count a document as relevant when its grade is 2 (eligible); unjudged documents are
///   not relevant.
/// - Topics are those of the judgments; a topic the run lacks scores 0 on every measure.
public enum TrecEvaluation {
    public struct Scores: Sendable, Equatable {
        public var ndcg10: Double
        public var precision10: Double
        public var reciprocalRank: Double
    }

    public struct Report: Sendable {
        public var perTopic: [String: Scores]
        public var mean: Scores
        public var topics: Int { perTopic.count }
    }

    public static func evaluate(_ run: TrecRun, qrels: Qrels, relevantGrade: Int = 2) -> Report {
        var perTopic: [String: Scores] = [:]
        for (topic, grades) in qrels.judgments {
            let ranking = (run.rankings[topic] ?? []).sorted { ($0.score, $0.document) > ($1.score, $1.document) }
            var dcg = 0.0
            var relevant = 0
            var reciprocal = 0.0
            for (rank, entry) in ranking.enumerated() {
                let grade = grades[entry.document] ?? 0
                if rank < 10 {
                    dcg += Double(max(0, grade)) / log2(Double(rank) + 2)
                    if grade >= relevantGrade { relevant += 1 }
                }
                if reciprocal == 0, grade >= relevantGrade { reciprocal = 1 / Double(rank + 1) }
            }
            let ideal = grades.values.filter { $0 > 0 }.sorted(by: >).prefix(10).enumerated()
                .reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset) + 2) }
            perTopic[topic] = Scores(
                ndcg10: ideal > 0 ? dcg / ideal : 0, precision10: Double(relevant) / 10, reciprocalRank: reciprocal)
        }
        let count = Double(max(1, perTopic.count))
        let mean = Scores(
            ndcg10: perTopic.values.reduce(0) { $0 + $1.ndcg10 } / count,
            precision10: perTopic.values.reduce(0) { $0 + $1.precision10 } / count,
            reciprocalRank: perTopic.values.reduce(0) { $0 + $1.reciprocalRank } / count)
        return Report(perTopic: perTopic, mean: mean)
    }

    /// Numeric topic ids in numeric order, others after in text order.
    static func topicOrder(_ lhs: String, _ rhs: String) -> Bool {
        switch (Int(lhs), Int(rhs)) {
        case (let left?, let right?): left < right
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): lhs < rhs
        }
    }
}

/// Patient topics of the TREC tracks as plain text, for the matcher.
///
/// - Clinical Trials 2021/2022: `<topic number="N">note</topic>` — the note as is.
/// - Clinical Trials 2023: `<topic number="N" template="…"><field name="F">value</field>…</topic>` — each filled
///   field becomes a sentence: "F: value." — with "yes" giving "F." and "no" giving "No F."; the definitive
///   diagnosis comes first. Its value is relative to the template, which names the condition of the topic
///   ("breast cancer" with "yes", "stage III"; "glaucoma" with "pigmentary"), so the template is stated with it:
///   "Diagnosis: breast cancer.", "Diagnosis: breast cancer, stage III.", "Diagnosis: uveitic glaucoma." (a value
///   that already names it), "Condition: anxiety. No definitive diagnosis." (for "no" or "never").
/// - Precision Medicine 2017–2019: `<disease>`, `<gene>`, `<demographic>`, `<other>` joined the same way.
public enum TrecTopics {
    public static func parse(xml: String) -> [(id: String, text: String)] {
        var topics: [(id: String, text: String)] = []
        var rest = Substring(xml)
        while let open = rest.range(of: "<topic") {
            // "<topics …>" is the wrapper, not a topic.
            guard open.upperBound < rest.endIndex, rest[open.upperBound] == " " || rest[open.upperBound] == ">" else {
                rest = rest[open.upperBound...]
                continue
            }
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">"),
                let close = rest[tagEnd...].range(of: "</topic>")
            else { break }
            let attributes = String(rest[open.upperBound..<tagEnd])
            let body = String(rest[rest.index(after: tagEnd)..<close.lowerBound])
            rest = rest[close.upperBound...]
            guard let number = attribute("number", in: attributes) else { continue }
            topics.append((number, text(of: body, template: attribute("template", in: attributes).map(unescape))))
        }
        return topics
    }

    private static func attribute(_ name: String, in attributes: String) -> String? {
        guard let start = attributes.range(of: "\(name)=\"") else { return nil }
        guard let end = attributes[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(attributes[start.upperBound..<end])
    }

    private static func text(of body: String, template: String?) -> String {
        var sentences: [String] = []
        var diagnosis: String?
        var rest = Substring(body)
        var structured = false
        while let open = rest.range(of: "<") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let tag = String(rest[open.upperBound..<tagEnd])
            if tag.hasPrefix("/") { rest = rest[rest.index(after: tagEnd)...]; continue }
            structured = true
            let selfClosing = tag.hasSuffix("/")
            let name = attribute("name", in: tag) ?? String(tag.split(separator: " ").first ?? "")
            if selfClosing { rest = rest[rest.index(after: tagEnd)...]; continue }
            guard let close = rest[tagEnd...].range(of: "</") else { break }
            let value = unescape(String(rest[rest.index(after: tagEnd)..<close.lowerBound])).trimmingCharacters(in: .whitespacesAndNewlines)
            rest = rest[close.upperBound...]
            guard !value.isEmpty else { continue }
            if name == "definitive diagnosis" || name == "disease" {
                diagnosis = value
            } else if value.lowercased() == "yes" {
                sentences.append("\(capitalised(name)).")
            } else if value.lowercased() == "no" {
                sentences.append("No \(name).")
            } else if name == "demographic" || name == "other" {
                sentences.append("\(value).")
            } else {
                sentences.append("\(capitalised(name)): \(value).")
            }
        }
        guard structured else { return unescape(body).trimmingCharacters(in: .whitespacesAndNewlines) }
        return (diagnosisSentences(diagnosis, template: template) + sentences).joined(separator: " ")
    }

    /// The definitive diagnosis read with the template's condition (see ``TrecTopics``).
    private static func diagnosisSentences(_ value: String?, template: String?) -> [String] {
        guard let template = template?.trimmingCharacters(in: .whitespaces), !template.isEmpty else {
            return value.map { ["Diagnosis: \($0)."] } ?? []
        }
        guard let value else { return ["Condition: \(template)."] }
        switch value.lowercased() {
        case "yes": return ["Diagnosis: \(template)."]
        case "no", "never": return ["Condition: \(template).", "No definitive diagnosis."]
        default:
            let named = value.lowercased().contains(template.lowercased())
            return [named ? "Diagnosis: \(value)." : "Diagnosis: \(template), \(value)."]
        }
    }

    private static func capitalised(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
