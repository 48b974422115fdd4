import Foundation
import Search
import Trials

/// One trial for one patient: its place in the ranking and its eligibility checklist.
public struct TrialMatch: Sendable {
    public var nctId: String
    /// Final score (retrieval × eligibility adjustments); only the order is meaningful.
    public var score: Double
    /// The retrieval score (concepts, note and feedback mixed), before eligibility.
    public var retrievalScore: Double
    public var report: EligibilityReport
}

/// Ranks trials for a patient: concepts taken from the patient (lexicon concepts of what is stated present, and the
/// note's distinctive words; nothing stated absent or about relatives), BM25F retrieval over titles, conditions,
/// interventions, summaries and inclusion criteria mixed with plain BM25 of the note, a second search with the
/// condition terms of the best trials (pseudo-relevance feedback), then re-ranking of the best candidates by
/// eligibility — registered age and sex limits, criteria that exclude, conditions the patient states.
///
/// Deterministic and offline: equal inputs give equal rankings; ties are broken by NCT id.
public struct TrialMatcher: Sendable {
    public let index: MatchingIndex
    public let evaluator: EligibilityEvaluator

    /// Tuning knobs, fixed by reasoning rather than fitted to evaluation topics (docs/MATCHING.md says why each).
    public struct Parameters: Sendable {
        /// Field weights for title, conditions, interventions, summary, inclusion criteria, exclusion criteria.
        public var fieldWeights: [Float] = [2, 3, 1, 1, 0.7, 0]
        public var lengthNormalisation: [Float] = [0.5, 0.5, 0.6, 0.75, 0.75, 0.75]
        public var k1: Float = 1.2
        /// Weight of a lexicon concept relative to a plain word of the note.
        public var conceptWeight: Float = 1
        public var wordWeight: Float = 0.5
        /// Words in more than this share of trials are not used as query words.
        public var maximumWordShare: Double = 0.25
        /// How many of the best retrieved trials are re-ranked with their eligibility.
        public var rerankDepth = 300
        /// Score multipliers. The condition boost is off (1): retrieval already weighs the conditions field, and
        /// boosting again on shared lexicon groups lowered NDCG@10 on all three evaluation sets (docs/MATCHING.md).
        public var conditionBoost = 1.0
        public var demographicPenalty = 0.5
        public var exclusionPenalty = 0.9
        public var healthyVolunteerPenalty = 0.5
        public var inclusionMetBonus = 0.05
        /// Share of the plain BM25 of the patient's statements in the retrieval score (the rest is the concepts').
        public var lexicalShare = 0.7
        /// Whether the lexical part also reads what the patient does not have: "no prior cataract surgery" says
        /// which trials are topical even though it is no condition to match.
        public var lexicalIncludesAbsent = true
        /// Pseudo-relevance feedback: how many of the best first-pass trials are read, how many of their condition
        /// terms are searched, and the share of that second search in the retrieval score (0 turns it off). 10 and
        /// 10 are the usual RM3 settings; the share was compared at 0.15 and 0.3 (docs/MATCHING.md).
        public var feedbackDocuments = 10
        public var feedbackTerms = 10
        public var feedbackWeight = 0.15
        /// Plain BM25 settings of the lexical part, and its query-term saturation k3 (Robertson et al. 1994): a word
        /// the note repeats counts (k3 + 1)·qtf / (k3 + qtf) times; 0 counts every repeat (plain BM25).
        public var lexicalK1 = 1.2
        public var lexicalB = 0.75
        public var queryTermSaturation = 1.0

        public init() {}

        /// A knob ``set(_:to:)`` can change: its largest accepted value (the smallest is 0) and how it is applied.
        private typealias Knob = (maximum: Double, apply: @Sendable (inout Parameters, Double) -> Void)

        /// Every knob by name, for experiments from the command line (a flag is on when non-zero).
        private static let knobs: [String: Knob] = [
            "titleWeight": (.infinity, { $0.fieldWeights[0] = Float($1) }),
            "conditionsWeight": (.infinity, { $0.fieldWeights[1] = Float($1) }),
            "interventionsWeight": (.infinity, { $0.fieldWeights[2] = Float($1) }),
            "summaryWeight": (.infinity, { $0.fieldWeights[3] = Float($1) }),
            "inclusionWeight": (.infinity, { $0.fieldWeights[4] = Float($1) }),
            "exclusionWeight": (.infinity, { $0.fieldWeights[5] = Float($1) }),
            "k1": (.infinity, { $0.k1 = Float($1) }),
            "conceptWeight": (.infinity, { $0.conceptWeight = Float($1) }),
            "wordWeight": (.infinity, { $0.wordWeight = Float($1) }),
            "maximumWordShare": (.infinity, { $0.maximumWordShare = $1 }),
            "rerankDepth": (.infinity, { $0.rerankDepth = Int($1) }),
            "conditionBoost": (.infinity, { $0.conditionBoost = $1 }),
            "demographicPenalty": (.infinity, { $0.demographicPenalty = $1 }),
            "exclusionPenalty": (.infinity, { $0.exclusionPenalty = $1 }),
            "healthyVolunteerPenalty": (.infinity, { $0.healthyVolunteerPenalty = $1 }),
            "inclusionMetBonus": (.infinity, { $0.inclusionMetBonus = $1 }),
            "lexicalShare": (1, { $0.lexicalShare = $1 }),
            "lexicalIncludesAbsent": (.infinity, { $0.lexicalIncludesAbsent = $1 != 0 }),
            "feedbackDocuments": (.infinity, { $0.feedbackDocuments = Int($1) }),
            "feedbackTerms": (.infinity, { $0.feedbackTerms = Int($1) }),
            "feedbackWeight": (1, { $0.feedbackWeight = $1 }),
            "lexicalK1": (.infinity, { $0.lexicalK1 = $1 }),
            "lexicalB": (1, { $0.lexicalB = $1 }),
            "queryTermSaturation": (.infinity, { $0.queryTermSaturation = $1 }),
        ]

        /// The names ``set(_:to:)`` accepts, sorted.
        public static var names: [String] { knobs.keys.sorted() }

        /// Sets the knob called `name` (one of ``names``). Returns false for an unknown name or a value out of range.
        public mutating func set(_ name: String, to value: Double) -> Bool {
            guard let knob = Self.knobs[name], value.isFinite, (0...knob.maximum).contains(value) else { return false }
            knob.apply(&self, value)
            return true
        }
    }

    public var parameters = Parameters()

    public init(index: MatchingIndex, lexicon: MedicalLexicon) {
        self.index = index
        self.evaluator = EligibilityEvaluator(lexicon: lexicon)
    }

    /// Words of clinical notes that say nothing about which trials fit ("presents", "admitted", "year").
    static let noteWords: Set<String> = Set(
        """
        patient patients year years old yo month months week weeks day days hour hours time history presents present \
        presented presenting admitted admission hospital report reports reported noted note showed shows show revealed \
        reveal found normal exam examination physical given started start treated treatment therapy mg dose daily \
        today yesterday ago prior previous recent recently currently current complains complaint states stated \
        well also since past last first second third left right bilateral mild moderate severe significant clinic \
        visit follow followed evaluation evaluated workup work up subsequently initially initial due reason \
        woman man female male girl boy lady gentleman wife husband mother father son daughter family \
        ans an homme femme mois jour jours semaine semaines annee annees antecedent antecedents consulte \
        patiente hospitalise hospitalisee suivi traite traitee depuis
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// A concept of the patient: alternatives (phrases of term ids; all terms of one must occur) and a weight.
    struct Concept {
        var alternatives: [[UInt32]]
        var weight: Float
    }

    /// The concepts of the patient, from what is stated present.
    func concepts(_ facts: EligibilityEvaluator.PatientFacts) -> [Concept] {
        let lexicon = evaluator.lexicon
        var concepts: [Concept] = []
        var seenGroups: Set<[Int]> = []
        var wordCounts: [String: Int] = [:]
        var wordOrder: [String] = []
        for span in facts.statements where span.assertion == .present {
            let spotted = lexicon.spot(span.text)
            for mention in spotted.mentions {
                let groups = mention.groups.filter { !lexicon.groups[$0].isGeneric }
                guard !groups.isEmpty, seenGroups.insert(groups).inserted else { continue }
                var phrases = [mention.terms]
                for group in groups {
                    for phrase in lexicon.phrases(ofGroup: group) where !phrases.contains(phrase) { phrases.append(phrase) }
                }
                let alternatives = phrases.compactMap(termIds)
                if !alternatives.isEmpty {
                    concepts.append(Concept(alternatives: alternatives, weight: parameters.conceptWeight))
                }
            }
            for term in spotted.otherTerms where term.count > 1 && !Self.noteWords.contains(term) && !term.allSatisfy(\.isNumber) {
                if wordCounts[term] == nil { wordOrder.append(term) }
                wordCounts[term, default: 0] += 1
            }
        }
        let limit = UInt32(parameters.maximumWordShare * Double(index.count))
        for word in wordOrder {
            guard let id = index.termIds[word], index.documentFrequency[Int(id)] <= max(limit, 1) else { continue }
            let repeats = Float(min(3, wordCounts[word]!))
            concepts.append(Concept(alternatives: [[id]], weight: parameters.wordWeight * (1 + (repeats - 1) / 2)))
        }
        return concepts
    }

    private func termIds(_ phrase: [String]) -> [UInt32]? {
        let ids = phrase.compactMap { index.termIds[$0] }
        return ids.count == phrase.count && !ids.isEmpty ? ids : nil
    }

    /// Ranks trials for `patient`: the best `limit`, best first. `allowed`, when given, keeps only those NCT ids
    /// (the finder's filters: status, place, radius).
    public func match(_ patient: PatientProfile, limit: Int = 100, allowed: Set<String>? = nil) -> [TrialMatch] {
        let facts = evaluator.facts(for: patient)
        return match(facts, limit: limit, allowed: allowed)
    }

    /// Ranks trials for patient facts already read (see ``EligibilityEvaluator/facts(for:)``).
    public func match(_ facts: EligibilityEvaluator.PatientFacts, limit: Int = 100, allowed: Set<String>? = nil) -> [TrialMatch] {
        var scores = retrievalScores(facts)
        if parameters.feedbackWeight > 0 { scores = withFeedback(scores) }
        var candidates = scores.indices.filter { scores[$0] > 0 }
        if let allowed { candidates = candidates.filter { allowed.contains(index.documents[$0].trial.nctId) } }
        candidates.sort { (scores[$0], index.documents[$1].trial.nctId) > (scores[$1], index.documents[$0].trial.nctId) }
        let depth = max(limit, parameters.rerankDepth)
        let top = Double(candidates.first.map { scores[$0] } ?? 1)
        var matches: [TrialMatch] = []
        for document in candidates.prefix(depth) {
            let entry = index.documents[document]
            let report = evaluator.report(entry.trial, criteria: entry.criteria, facts: facts)
            let retrieval = Double(scores[document])
            let multiplier = adjustment(report, topic: entry.topicGroups, facts: facts)
            matches.append(TrialMatch(nctId: entry.trial.nctId, score: retrieval / top * multiplier, retrievalScore: retrieval, report: report))
        }
        matches.sort { ($0.score, $1.nctId) > ($1.score, $0.nctId) }
        return Array(matches.prefix(limit))
    }

    /// First-pass retrieval: the concepts' BM25F and the plain BM25 of the patient's statements, each scaled by its
    /// best and mixed (``Parameters/lexicalShare``).
    func retrievalScores(_ facts: EligibilityEvaluator.PatientFacts) -> [Float] {
        var scores = [Float](repeating: 0, count: index.count)
        for concept in concepts(facts) {
            var best: [Int: Float] = [:]
            for alternative in concept.alternatives {
                for (document, score) in phraseScores(alternative) where score > best[document, default: 0] {
                    best[document] = score
                }
            }
            for (document, score) in best { scores[document] += concept.weight * score }
        }
        // Lexical evidence: plain BM25 of the patient's statements over all of each trial's text, which weighs the
        // note's details (HER2, lymph nodes, FEV1).
        let lexicalText = facts.statements.filter { parameters.lexicalIncludesAbsent || $0.assertion == .present }
            .map(\.text).joined(separator: " ")
        let lexical = plainBM25(
            TextAnalyzer.indexTerms(lexicalText), k1: parameters.lexicalK1, b: parameters.lexicalB,
            saturation: parameters.queryTermSaturation)
        let bestConcept = max(Float.leastNonzeroMagnitude, scores.max() ?? 0)
        let bestLexical = max(Double.leastNonzeroMagnitude, lexical.max() ?? 0)
        let share = parameters.lexicalShare
        for document in scores.indices {
            scores[document] = Float((1 - share) * Double(scores[document] / bestConcept) + share * lexical[document] / bestLexical)
        }
        return scores
    }

    /// Pseudo-relevance feedback (RM3-style, Lavrenko & Croft 2001; Abdul-Jaleel et al. 2004): the strongest terms
    /// of the best first-pass trials' conditions (see ``feedbackModel(_:)``) are searched with BM25F, and that score,
    /// scaled by its best, is mixed in with ``Parameters/feedbackWeight``. It finds trials registered under the
    /// words of the patient's likely condition when the note describes it in other words.
    func withFeedback(_ scores: [Float]) -> [Float] {
        let model = feedbackModel(scores)
        guard !model.isEmpty else { return scores }
        var feedback = [Float](repeating: 0, count: index.count)
        for (term, weight) in model {
            for (document, score) in termScores(index.termIds[term]!) { feedback[document] += weight * score }
        }
        let bestFeedback = max(Float.leastNonzeroMagnitude, feedback.max() ?? 0)
        let bestScore = max(Float.leastNonzeroMagnitude, scores.max() ?? 0)
        let share = Float(parameters.feedbackWeight)
        return scores.indices.map { (1 - share) * scores[$0] / bestScore + share * feedback[$0] / bestFeedback }
    }

    /// The relevance model of the best ``Parameters/feedbackDocuments`` trials: each term of a trial's conditions
    /// field (conditions, keywords, condition MeSH terms) weighs its share of that field times the trial's score;
    /// the ``Parameters/feedbackTerms`` heaviest, best first (ties by term, so the ranking stays deterministic).
    /// Terms in more than ``Parameters/maximumWordShare`` of trials, or in only one, are skipped.
    func feedbackModel(_ scores: [Float]) -> [(term: String, weight: Float)] {
        let best = scores.indices.filter { scores[$0] > 0 }
            .sorted { (scores[$0], index.documents[$1].trial.nctId) > (scores[$1], index.documents[$0].trial.nctId) }
            .prefix(parameters.feedbackDocuments)
        let limit = UInt32(max(1, parameters.maximumWordShare * Double(index.count)))
        var model: [String: Float] = [:]
        for document in best {
            let terms = index.documents[document].conditionTerms
            let length = Float(terms.reduce(0) { $0 + $1.count })
            for entry in terms {
                guard let id = index.termIds[entry.term], (2...limit).contains(index.documentFrequency[Int(id)]) else { continue }
                model[entry.term, default: 0] += scores[document] * Float(entry.count) / length
            }
        }
        return model.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(parameters.feedbackTerms)
            .map { (term: $0.key, weight: $0.value) }
    }

    /// The eligibility multiplier of one trial (see ``Parameters``).
    func adjustment(_ report: EligibilityReport, topic: Set<Int>, facts: EligibilityEvaluator.PatientFacts) -> Double {
        var multiplier = 1.0
        var excluding = 0
        var conditionMatched = !topic.isDisjoint(with: facts.presentGroups)
        for reason in report.reasons {
            switch reason {
            case .ageOutsideLimits, .sexNotAccepted: multiplier *= parameters.demographicPenalty
            case .healthyVolunteersOnly: multiplier *= parameters.healthyVolunteerPenalty
            case .criterionExcludes: excluding += 1
            case .conditionMatched: conditionMatched = true
            case .criteriaUnknown: break
            }
        }
        if conditionMatched { multiplier *= parameters.conditionBoost }
        multiplier *= pow(parameters.exclusionPenalty, Double(min(excluding, 3)))
        let met = report.assessments.filter { $0.criterion.section != .exclusion && $0.status == .met }.count
        multiplier *= 1 + parameters.inclusionMetBonus * Double(min(met, 4))
        return multiplier
    }

    /// BM25F scores of a phrase (all its terms in the trial, in any fields) in every trial containing it.
    private func phraseScores(_ terms: [UInt32]) -> [Int: Float] {
        var result: [Int: Float] = [:]
        for (position, term) in terms.enumerated() {
            let scores = termScores(term)
            if position == 0 {
                result = scores
            } else {
                result = result.filter { scores[$0.key] != nil }
                for key in result.keys { result[key]! += scores[key]! }
            }
            if result.isEmpty { break }
        }
        return result
    }

    /// BM25F of one term: field frequencies weighted and length-normalised, then saturated once.
    private func termScores(_ term: UInt32) -> [Int: Float] {
        let documents = Float(index.count)
        let frequency = Float(index.documentFrequency[Int(term)])
        let idf = log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
        var pseudo: [Int: Float] = [:]
        let fieldCount = MatchingIndex.Field.allCases.count
        for posting in index.postings[Int(term)] {
            let field = Int(posting.field)
            let weight = parameters.fieldWeights[field]
            guard weight > 0 else { continue }
            let length = Float(index.fieldLengths[Int(posting.document) * fieldCount + field])
            let b = parameters.lengthNormalisation[field]
            let normalised = Float(posting.frequency) / (1 - b + b * length / Float(index.averageLengths[field]))
            pseudo[Int(posting.document), default: 0] += weight * normalised
        }
        let k1 = parameters.k1
        return pseudo.mapValues { idf * $0 * (k1 + 1) / (k1 + $0) }
    }

    /// Plain BM25 (k1 1.2, b 0.75, Lucene's idf) of the whole patient text against all of each trial's text: the
    /// baseline the matcher is measured against. Best `limit` NCT ids with scores, best first.
    public func baseline(_ text: String, limit: Int) -> [(nctId: String, score: Double)] {
        let scores = plainBM25(TextAnalyzer.indexTerms(text))
        var ranked = scores.indices.filter { scores[$0] > 0 }
        ranked.sort { (scores[$0], index.documents[$1].trial.nctId) > (scores[$1], index.documents[$0].trial.nctId) }
        return ranked.prefix(limit).map { (index.documents[$0].trial.nctId, scores[$0]) }
    }

    /// BM25 of `terms` over all of each trial's text, for every trial. Repeats count linearly, or saturated with
    /// k3 = `saturation` when it is above 0.
    func plainBM25(_ terms: [String], k1: Double = 1.2, b: Double = 0.75, saturation: Double = 0) -> [Double] {
        var queryCounts: [UInt32: Double] = [:]
        for term in terms {
            if let id = index.termIds[term] { queryCounts[id, default: 0] += 1 }
        }
        if saturation > 0 { queryCounts = queryCounts.mapValues { (saturation + 1) * $0 / (saturation + $0) } }
        var scores = [Double](repeating: 0, count: index.count)
        let documents = Double(index.count)
        // Terms in a fixed order: a dictionary's order changes from run to run, and so would the sums' last bits.
        for (term, count) in queryCounts.sorted(by: { $0.key < $1.key }) {
            let frequency = Double(index.documentFrequency[Int(term)])
            let idf = log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            var tf: [Int: Double] = [:]
            for posting in index.postings[Int(term)] { tf[Int(posting.document), default: 0] += Double(posting.frequency) }
            for (document, frequency) in tf {
                let norm = 1 - b + b * index.totalLengths[document] / index.averageTotalLength
                scores[document] += count * idf * frequency * (k1 + 1) / (frequency + k1 * norm)
            }
        }
        return scores
    }
}
