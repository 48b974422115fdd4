import Trials

/// A bilingual medical synonym lexicon: groups of equivalent terms in English and French.
///
/// File format (UTF-8, one group per line, see docs/SEARCH.md):
///
///     id<TAB>english term|english term|…<TAB>french term|french term|…[<TAB>broader id|broader id|…]
///
/// Blank lines and lines starting with `#` are ignored. The id is unique, made of lower-case ASCII letters,
/// digits and "-". Both term lists are required (repeat a term that both languages share, e.g. "AAV"). Terms
/// are plain text; a multi-word term matches as a phrase. Acronyms are written in capitals, since a lower-case
/// stop word ("all") is not an acronym ("ALL").
///
/// The optional fourth column names the group's broader groups by id ("dlbcl" → "b-cell-lymphoma", "ibrutinib" →
/// "btk"), declared anywhere in the file; the links must not form a cycle. Search ignores them; matching reads them
/// through ``ancestors(of:)`` (a patient with DLBCL has a B-cell lymphoma).
///
/// Groups whose id starts with `generic-` ("essai", "patients", "recrutement") are optional in queries: they
/// expand and score but do not restrict the results (recruitment is a filter, not a word to find).
///
/// Query expansion: a query phrase matching any term of a group (English terms keyed with the English analyzer,
/// French terms with the French one) is replaced by the whole group, every term analysed as the index analyses
/// documents, so a French query finds English-only records.
public struct MedicalLexicon: Sendable {
    /// One group of equivalent terms.
    public struct Group: Sendable, Equatable {
        public var id: String
        /// Whether the group is generic trial vocabulary (id prefix `generic-`), optional in queries.
        public var isGeneric: Bool { id.hasPrefix("generic-") }
        public var english: [String]
        public var french: [String]
        /// Ids of the broader groups (fourth column), as written.
        public var broader: [String]

        public init(id: String, english: [String], french: [String], broader: [String] = []) {
            self.id = id
            self.english = english
            self.french = french
            self.broader = broader
        }
    }

    /// Why a lexicon file cannot be read: the 1-based line and what is wrong with it.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "medical lexicon line \(line): \(reason)" }
    }

    public private(set) var groups: [Group] = []
    /// Lexicon key ("word word") → groups, for French and English terms.
    private var frenchKeys: [String: [Int]] = [:]
    private var englishKeys: [String: [Int]] = [:]
    /// Every single word of every key, for typo correction.
    private(set) var frenchWords: Set<String> = []
    private(set) var englishWords: Set<String> = []
    /// The longest key, in words.
    private(set) var longestKey = 0
    /// Per group, its terms as index-term phrases (deduplicated).
    private(set) var expansions: [[[String]]] = []
    /// Per group, every broader group reached through the fourth column, transitively.
    private var ancestorSets: [Set<Int>] = []

    /// An empty lexicon (no expansion).
    public init() {}

    /// Parses the TSV text; throws ``ParseError`` naming the first bad line.
    public init(tsv: String) throws(ParseError) {
        var seen: Set<String> = []
        var lineNumbers: [Int] = []
        var number = 0
        for rawLine in tsv.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 3 || columns.count == 4 else {
                throw ParseError(line: number, reason: "expected 3 or 4 tab-separated columns (id, English, French, broader ids), found \(columns.count)")
            }
            let id = String(columns[0])
            guard !id.isEmpty, id.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
                throw ParseError(line: number, reason: "id \"\(id)\" must be lower-case ASCII letters, digits and \"-\"")
            }
            guard seen.insert(id).inserted else { throw ParseError(line: number, reason: "duplicate id \"\(id)\"") }
            let english = try Self.terms(columns[1], language: "English", line: number)
            let french = try Self.terms(columns[2], language: "French", line: number)
            let broader = columns.count < 4 ? [] : columns[3].split(separator: "|", omittingEmptySubsequences: false).map {
                String($0).trimmed
            }
            if broader.contains(where: \.isEmpty) { throw ParseError(line: number, reason: "empty broader id (stray \"|\")") }
            add(Group(id: id, english: english, french: french, broader: broader))
            lineNumbers.append(number)
        }
        try resolveBroader(lines: lineNumbers)
    }

    /// Resolves the broader ids into ``ancestorSets``; an unknown id or a cycle names the line of the group at fault.
    private mutating func resolveBroader(lines: [Int]) throws(ParseError) {
        let groups = self.groups
        let indexes = Dictionary(groups.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var parents: [[Int]] = []
        for (index, group) in groups.enumerated() {
            var resolved: [Int] = []
            for id in group.broader {
                guard let parent = indexes[id] else { throw ParseError(line: lines[index], reason: "unknown broader id \"\(id)\"") }
                resolved.append(parent)
            }
            parents.append(resolved)
        }
        // Depth-first, memoised; a group met again while its own ancestors are being collected closes a cycle.
        var sets: [Set<Int>?] = Array(repeating: nil, count: groups.count)
        var visiting: Set<Int> = []
        func collect(_ index: Int) throws(ParseError) -> Set<Int> {
            if let known = sets[index] { return known }
            guard visiting.insert(index).inserted else {
                throw ParseError(line: lines[index], reason: "broader links of \"\(groups[index].id)\" form a cycle")
            }
            var ancestors: Set<Int> = []
            for parent in parents[index] {
                ancestors.insert(parent)
                ancestors.formUnion(try collect(parent))
            }
            visiting.remove(index)
            sets[index] = ancestors
            return ancestors
        }
        ancestorSets = try groups.indices.map { (index) throws(ParseError) in try collect(index) }
    }

    private static func terms(_ column: Substring, language: String, line: Int) throws(ParseError) -> [String] {
        let terms = column.split(separator: "|", omittingEmptySubsequences: false).map {
            String($0).trimmed
        }
        guard !terms.isEmpty, !(terms.count == 1 && terms[0].isEmpty) else {
            throw ParseError(line: line, reason: "no \(language) term")
        }
        for term in terms {
            guard !term.isEmpty else { throw ParseError(line: line, reason: "empty \(language) term (stray \"|\")") }
            guard !TextAnalyzer.keys(term, language: .english).isEmpty else {
                throw ParseError(line: line, reason: "\(language) term \"\(term)\" has only stop words")
            }
        }
        return terms
    }

    private mutating func add(_ group: Group) {
        let index = groups.count
        groups.append(group)
        var phrases: [[String]] = []
        for (terms, language) in [(group.english, Language.english), (group.french, Language.french)] {
            for term in terms {
                let keys = TextAnalyzer.keys(term, language: language)
                let key = keys.joined(separator: " ")
                if language == .french {
                    frenchKeys[key, default: []].append(index)
                    frenchWords.formUnion(keys)
                } else {
                    englishKeys[key, default: []].append(index)
                    englishWords.formUnion(keys)
                }
                longestKey = max(longestKey, keys.count)
                let phrase = TextAnalyzer.tokens(term).filter { !$0.isStop }.flatMap(\.requiredIndexTerms)
                if !phrase.isEmpty, !phrases.contains(phrase) { phrases.append(phrase) }
            }
        }
        expansions.append(phrases)
    }

    /// The broader groups of a group, transitively (a DLBCL group → B-cell lymphoma, non-Hodgkin lymphoma, lymphoma…).
    public func ancestors(of group: Int) -> Set<Int> {
        group < ancestorSets.count ? ancestorSets[group] : []
    }

    /// The groups whose key is exactly `keys` in `language`.
    func groups(forKey keys: [String], language: Language) -> [Int] {
        let key = keys.joined(separator: " ")
        return (language == .french ? frenchKeys[key] : englishKeys[key]) ?? []
    }
}

