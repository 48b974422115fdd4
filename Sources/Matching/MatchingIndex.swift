import Dispatch
import Foundation
import Search
import Trials

/// The trials as matching needs them: an inverted index over six fields (for retrieval with BM25F, and for the
/// plain BM25 baseline over all text), each trial's typed criteria, and the lexicon concepts of its topic.
///
/// Built once from the store (like the finder's index) and never mutated, so it can be shared across threads.
/// It uses the finder's analyzers and lexicon, so a French note finds English records the same way a French
/// query does.
public struct MatchingIndex: Sendable {
    /// Indexed fields. `exclusion` is indexed for the baseline only: a trial is not about what it excludes.
    enum Field: Int, CaseIterable {
        case title, conditions, interventions, summary, inclusion, exclusion
    }

    struct Posting {
        var document: UInt32
        var field: UInt8
        var frequency: UInt16
    }

    /// One trial's data for eligibility.
    struct Document: Sendable {
        var trial: Trial
        var criteria: [PreparedCriterion]
        /// Lexicon groups of the title and conditions: what the trial is about.
        var topicGroups: Set<Int>
        /// Index terms of the conditions field (conditions, keywords, condition MeSH terms) with their counts,
        /// sorted by term: the vocabulary pseudo-relevance feedback draws from.
        var conditionTerms: [(term: String, count: Int)] = []
    }

    let lexicon: MedicalLexicon
    var termIds: [String: UInt32] = [:]
    var postings: [[Posting]] = []
    var documentFrequency: [UInt32] = []
    /// `documents.count × Field.allCases.count` lengths.
    var fieldLengths: [UInt32] = []
    var averageLengths = [Double](repeating: 1, count: Field.allCases.count)
    /// Each trial's length over all fields, and the average, for plain BM25 over all text.
    var totalLengths: [Double] = []
    var averageTotalLength = 1.0
    var documents: [Document] = []
    /// Index in `documents` of each NCT id.
    var positions: [String: Int] = [:]

    /// Indexes `trials` (later duplicates of an NCT id are skipped).
    public init(trials: [Trial], lexicon: MedicalLexicon) {
        self.lexicon = lexicon
        var seen: Set<String> = []
        let unique = trials.filter { seen.insert($0.nctId).inserted }
        let analysed = Self.analyse(unique, lexicon: lexicon)
        var totals = [Double](repeating: 0, count: Field.allCases.count)
        for (offset, entry) in analysed.enumerated() {
            let document = UInt32(offset)
            positions[entry.document.trial.nctId] = documents.count
            documents.append(entry.document)
            for field in Field.allCases {
                let terms = entry.fields[field.rawValue]
                fieldLengths.append(UInt32(terms.count))
                totals[field.rawValue] += Double(terms.count)
                var counts: [String: UInt16] = [:]
                for term in terms { counts[term, default: 0] &+= 1 }
                for (term, frequency) in counts {
                    let id = self.id(of: term)
                    if postings[Int(id)].last?.document != document { documentFrequency[Int(id)] += 1 }
                    postings[Int(id)].append(Posting(document: document, field: UInt8(field.rawValue), frequency: frequency))
                }
            }
        }
        let count = Double(max(1, documents.count))
        averageLengths = totals.map { max(1, $0 / count) }
        let fieldCount = Field.allCases.count
        totalLengths = (0..<documents.count).map { document in
            (0..<fieldCount).reduce(0.0) { $0 + Double(fieldLengths[document * fieldCount + $1]) }
        }
        averageTotalLength = max(1, totals.reduce(0, +) / count)
    }

    private mutating func id(of term: String) -> UInt32 {
        if let id = termIds[term] { return id }
        let id = UInt32(postings.count)
        termIds[term] = id
        postings.append([])
        documentFrequency.append(0)
        return id
    }

    /// Number of trials.
    public var count: Int { documents.count }

    /// The indexed trial with this NCT id.
    public func trial(nctId: String) -> Trial? {
        positions[nctId].map { documents[$0].trial }
    }

    /// Analyses trials on all cores: their field terms, typed criteria and topic concepts.
    private static func analyse(_ trials: [Trial], lexicon: MedicalLexicon) -> [(fields: [[String]], document: Document)] {
        let workers = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        let results = UnsafeSendableBox([(fields: [[String]], document: Document)?](repeating: nil, count: trials.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < trials.count {
                results.set(index, analyse(trials[index], lexicon: lexicon))
                index += workers
            }
        }
        return results.values.map { $0! }
    }

    private static func analyse(_ trial: Trial, lexicon: MedicalLexicon) -> (fields: [[String]], document: Document) {
        let criteria = CriteriaParser.parse(trial.eligibility.criteria ?? "")
        var fields = [[String]](repeating: [], count: Field.allCases.count)
        func add(_ text: String?, _ field: Field) {
            guard let text, !text.isEmpty else { return }
            fields[field.rawValue].append(contentsOf: TextAnalyzer.indexTerms(text))
        }
        add(trial.briefTitle, .title)
        add(trial.officialTitle, .title)
        add(trial.acronym, .title)
        for text in trial.conditions + trial.keywords + trial.conditionMeshTerms { add(text, .conditions) }
        for intervention in trial.interventions {
            add(intervention.name, .interventions)
            for name in intervention.otherNames { add(name, .interventions) }
        }
        for text in trial.interventionMeshTerms { add(text, .interventions) }
        add(trial.briefSummary, .summary)
        add(trial.detailedDescription, .summary)
        for criterion in criteria {
            add(criterion.text, criterion.section == .exclusion ? .exclusion : .inclusion)
        }
        let topic = topicGroups(trial, lexicon: lexicon)
        let prepared = criteria.map { PreparedCriterion($0, lexicon: lexicon, topic: topic) }
        var counts: [String: Int] = [:]
        for term in fields[Field.conditions.rawValue] { counts[term, default: 0] += 1 }
        let conditionTerms = counts.sorted { $0.key < $1.key }.map { (term: $0.key, count: $0.value) }
        return (fields, Document(trial: trial, criteria: prepared, topicGroups: topic, conditionTerms: conditionTerms))
    }
}

/// The non-generic lexicon groups of a trial's title and conditions: what it is about.
func topicGroups(_ trial: Trial, lexicon: MedicalLexicon) -> Set<Int> {
    var topic: Set<Int> = []
    for text in [trial.briefTitle] + trial.conditions + trial.conditionMeshTerms {
        for mention in lexicon.spot(text).mentions {
            topic.formUnion(mention.groups.filter { !lexicon.groups[$0].isGeneric })
        }
    }
    return topic
}

/// A criterion with its lexicon concepts and content words worked out once, at index time.
///
/// Only the criterion's head is read: its own words (not the lead-in), up to "for", "due to", "associated with" or
/// "secondary to" ("Prior chemotherapy *for metastatic breast cancer*" is about chemotherapy). Concepts stated
/// in the negative ("must not have X", "without X", "no prior Y") are kept apart: the patient must not have them.
struct PreparedCriterion: Sendable {
    var criterion: Criterion
    /// Non-generic lexicon groups the criterion asks the patient to have, and to be free of.
    var required: [Int]
    var forbidden: [Int]
    /// Distinctive words (index terms, criteria boilerplate removed) asked for, and asked to be absent.
    var requiredTerms: Set<String>
    var forbiddenTerms: Set<String>
    /// Every concept asked for is a modifier.
    var modifiersOnly = false
    /// The criterion named the trial's own condition, set aside (see ``init(_:lexicon:topic:)``).
    var namesTopic = false
    /// The criterion speaks of the past ("prior", "previous", "history of").
    var aboutPast: Bool
    /// Severity or activity qualifiers of the criterion ("uncontrolled", "severe", "active"), as index terms: the
    /// patient's plain condition does not exclude unless one of them is stated too.
    var qualifiers: Set<String> = []
    /// For an age criterion: whether it states the patient's own age now (``EligibilityEvaluator/isAboutPatientAge(_:)``),
    /// worked out once here rather than at every assessment.
    var aboutPatientAge = false

    /// `topic`: the trial's own conditions. An exclusion (or a negated inclusion) that names the trial's condition
    /// describes a subtype or state of it ("Multiple myeloma not requiring treatment", "Active cancer other than
    /// B-ALL"), which the patient's diagnosis alone cannot decide, so those concepts are set aside; so are the
    /// condition's broader groups ("Other hematologic malignancy" in a CLL trial).
    init(_ criterion: Criterion, lexicon: MedicalLexicon, topic: Set<Int> = []) {
        self.criterion = criterion
        var required: Set<Int> = []
        var forbidden: Set<Int> = []
        var requiredTerms: Set<String> = []
        var forbiddenTerms: Set<String> = []
        for span in ClinicalText.spans(Self.head(criterion.statement)) where span.assertion != .family {
            let spotted = lexicon.spot(span.text)
            let groups = spotted.mentions.flatMap(\.groups).filter { !lexicon.groups[$0].isGeneric }
            let terms = Set(spotted.otherTerms).subtracting(EligibilityEvaluator.criterionWords)
                .filter { $0.count > 2 && !$0.allSatisfy(\.isNumber) }
            if span.assertion == .present {
                required.formUnion(groups)
                requiredTerms.formUnion(terms)
            } else {
                forbidden.formUnion(groups)
                forbiddenTerms.formUnion(terms)
            }
        }
        let words = ClinicalText.folded(criterion.statement)
        if criterion.section != .exclusion, Self.saysExcluded(words) {
            // "Participants with tobacco use … are not eligible": an exclusion written among the inclusions.
            swap(&required, &forbidden)
            swap(&requiredTerms, &forbiddenTerms)
        }
        let aboutPast = words.contains(where: EligibilityEvaluator.pastWords.contains)
        if Self.decidesNothing(words) {
            // Its concepts are set aside, so it stays unknown.
            required = []
            forbidden = []
            requiredTerms = []
            forbiddenTerms = []
        }
        qualifiers = Set(TextAnalyzer.indexTerms(Self.head(criterion.statement))).intersection(Self.qualifierTerms)
        aboutPatientAge = criterion.kind == .age && EligibilityEvaluator.isAboutPatientAge(criterion.statement)
        // The broader groups of the topic too: "other hematologic malignancy" in a CLL trial is not the CLL itself.
        let topic = topic.reduce(into: topic) { $0.formUnion(lexicon.ancestors(of: $1)) }
        if criterion.section == .exclusion, !aboutPast {
            let kept = required.subtracting(topic)
            if kept.count < required.count { namesTopic = true }
            required = kept
        }
        let keptForbidden = forbidden.subtracting(topic)
        if keptForbidden.count < forbidden.count { namesTopic = true }
        forbidden = keptForbidden
        // Modifiers ("metastatic", "relapsed", "adult") decide nothing when a more specific concept is named; when
        // only modifiers are named, the criterion's other words must be stated too ("gastric … adenocarcinoma").
        let specific = required.filter { !EligibilityEvaluator.modifierGroupIds.contains(lexicon.groups[$0].id) }
        self.required = (specific.isEmpty ? required : specific).sorted()
        modifiersOnly = specific.isEmpty && !required.isEmpty
        self.forbidden = forbidden.sorted()
        self.requiredTerms = requiredTerms
        self.forbiddenTerms = forbiddenTerms
        self.aboutPast = aboutPast
    }

    /// Whether folded `words` say that those described are excluded ("are not eligible", "will be excluded").
    static func saysExcluded(_ words: [String]) -> Bool {
        contains(words, phrases: ["not eligible", "ineligible", "be excluded", "are excluded", "is excluded",
            "non eligibles", "non eligible", "seront exclus", "sont exclus"])
    }

    /// Whether folded `words` hold one of `phrases` (whole words in a row).
    static func contains(_ words: [String], phrases: [String]) -> Bool {
        let text = " " + words.joined(separator: " ") + " "
        return phrases.contains { text.contains(" \($0) ") }
    }

    /// Index terms of severity and activity qualifiers, in English and French.
    static let qualifierTerms = Set(TextAnalyzer.indexTerms(
        "uncontrolled severe serious significant active symptomatic unstable decompensated untreated poorly "
            + "inadequately contrôlé sévère grave significative évolutive instable symptomatique"))

    static let timeUnits: Set = ["day", "days", "week", "weeks", "month", "months", "year", "years", "hours", "jours",
        "semaines", "mois", "ans"]
    static let negationWords: Set = ["no", "not", "nor", "never", "without", "pas", "aucun", "aucune", "sans", "ni"]
    static let permissionWords: Set = ["allowed", "permitted", "autorise", "autorisee", "autorises", "autorisees", "permis",
        "permise"]

    /// Whether folded `words` make a criterion that decides nothing about conditions: a washout ("At least 4 weeks
    /// since prior chemotherapy"), a permission ("Prior radiotherapy allowed", "Not specified") or a rule about
    /// treatment during the study ("No concurrent radiotherapy").
    static func decidesNothing(_ words: [String]) -> Bool {
        let set = Set(words)
        if (set.contains("since") || set.contains("depuis")) && !set.isDisjoint(with: timeUnits) { return true }
        if set.contains("recovered") || set.contains("concurrent") || set.contains("concomitant")
            || set.contains("concurrently") || set.contains("concomitantly")
        {
            return true
        }
        if !set.isDisjoint(with: permissionWords), set.isDisjoint(with: negationWords) { return true }
        return contains(words, phrases: ["not specified", "may be eligible", "non specifie"])
    }

    /// Phrases that end a criterion's head.
    static let headEnds = [" for ", " due to ", " associated with ", " secondary to ", " within ", " in the last ",
        " in the past ", " during ", " other than ", " except ", " excluding ", " pour ", " dû à ", " due à ",
        " dans les ", " autre que ", " autres que ", " sauf ", " à l'exception "]

    /// The criterion up to its first qualifying phrase; for "X of the following: a, b, c", the list.
    static func head(_ text: String) -> String {
        if let colon = text.firstIndex(of: ":"), text[..<colon].lowercased().contains("following"),
            text.index(after: colon) < text.endIndex
        {
            return String(text[text.index(after: colon)...])
        }
        var end = text.endIndex
        for marker in headEnds {
            if let range = text.range(of: marker, options: .caseInsensitive), range.lowerBound > text.startIndex,
                range.lowerBound < end
            {
                end = range.lowerBound
            }
        }
        return String(text[..<end])
    }
}

/// Lets `concurrentPerform` workers fill distinct slots of one array.
final class UnsafeSendableBox<Element>: @unchecked Sendable {
    private(set) var values: [Element]
    private let lock = NSLock()

    init(_ values: [Element]) { self.values = values }

    func set(_ index: Int, _ value: Element) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}

extension MatchingIndex {
    /// A new index with `changed` trials added or replacing those with the same NCT id, and `removed` ids left out
    /// (rebuilt in full, so document frequencies stay exact).
    public func updating(_ changed: [Trial], removing removed: Set<String> = []) -> MatchingIndex {
        let replaced = Set(changed.map(\.nctId)).union(removed)
        let kept = documents.map(\.trial).filter { !replaced.contains($0.nctId) }
        return MatchingIndex(trials: kept + changed, lexicon: lexicon)
    }
}
