/// A language a query can be analysed in.
public enum Language: String, Sendable, Codable, CaseIterable {
    case french = "fr"
    case english = "en"
}

/// Turns text into terms, the same way for documents and queries.
///
/// Index analysis (documents, language-neutral, since almost every record is English):
/// 1. ``Tokenizer`` rules: folding, French elision, hyphen-joined parts, "+" suffix;
/// 2. stop words of both languages are dropped, except acronyms written in capitals ("ALL", "ME");
/// 3. English light stemming (``Stemmer/english(_:)``) of words without digits that are not acronyms;
/// 4. a hyphenated token gives each part at its own position, then the joined parts at the position of the last
///    part: "CAR-T" → "car", "t", "cart"; "IL-6" → "il", "6", "il6"; so "CAR T", "CAR-T" and "CART" all meet;
/// 5. "HER2+" gives "her2" and "her2+" (at the same position).
///
/// Query analysis adds, per token, the lexicon keys: the French-stemmed form (``Stemmer/french(_:)``) and the
/// English-stemmed form, so "lymphomes" finds the lexicon term "lymphome" and "leukemias" finds "leukemia".
public enum TextAnalyzer {
    /// The index terms of `text`, in order (joined forms follow their parts).
    public static func indexTerms(_ text: String) -> [String] {
        var terms: [String] = []
        forEachIndexTerm(text) { term, _, _ in terms.append(String(decoding: term, as: UTF8.self)) }
        return terms
    }

    /// The lexicon keys of `text` for `language`: folded, elided, without stop words (of both languages, so a
    /// query's language need not be known to match), stemmed with that language's stemmer. Hyphenated tokens are
    /// joined ("CAR-T" → "cart").
    public static func keys(_ text: String, language: Language) -> [String] {
        tokens(text).compactMap { token in
            token.isStop ? nil : token.key(language)
        }
    }

    /// How a surface form came out of the tokenizer, which decides how it becomes an index term.
    enum SurfaceKind: UInt8 {
        /// A plain word: dropped if a stop word, else stemmed unless it has digits.
        case word
        /// A capitalised acronym ("ALL"): kept as is.
        case acronym
        /// One part of a hyphenated token: stemmed unless it has digits, never a stop word.
        case part
        /// The joined parts of a hyphenated token: as `part`.
        case joined
        /// The "+" variant of a word ("her2+"): the word and "+", unstemmed.
        case plus
    }

    /// Calls `body` with each surface form of `text`, in order: for a hyphenated token its parts then the joined
    /// form; for a "+" token the word then its "+" variant. The bytes are only valid during the call.
    static func forEachSurface(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, SurfaceKind) -> Void) {
        Tokenizer.tokenize(text) { token in
            if token.partCount == 1 {
                body(token.bytes, token.isAcronym ? .acronym : .word)
            } else {
                for index in 0..<token.partCount { body(token.part(index), .part) }
                body(token.bytes, .joined)
            }
            if token.plus { body(token.bytes, .plus) }
        }
    }

    /// The index term of a surface form, or `nil` for a stop word (see ``SurfaceKind``).
    static func indexTerm(_ surface: UnsafeBufferPointer<UInt8>, kind: SurfaceKind) -> [UInt8]? {
        var term = Array(surface)
        switch kind {
        case .word:
            if stopWords.id(of: surface) != nil { return nil }
            if !containsDigit(term) { Stemmer.english(&term) }
        case .acronym:
            break
        case .part, .joined:
            if !containsDigit(term) { Stemmer.english(&term) }
        case .plus:
            term.append(UInt8(ascii: "+"))
        }
        return term
    }

    /// Calls `body` with each index term of `text`, its position and whether it is an extra form at the position
    /// of the word before it (the joined form of a hyphenated token, or a "+" variant). Stop words take no
    /// position, so "cancer of the breast" makes "cancer" and "breast" adjacent.
    static func forEachIndexTerm(_ text: String, _ body: ([UInt8], Int, Bool) -> Void) {
        var position = 0
        forEachSurface(text) { surface, kind in
            guard let term = indexTerm(surface, kind: kind) else { return }
            switch kind {
            case .word, .acronym, .part:
                body(term, position, false)
                position += 1
            case .joined, .plus:
                body(term, position - 1, true)
            }
        }
    }

    /// Query-side view of each token, with every form the planner needs.
    static func tokens(_ text: String) -> [QueryToken] {
        var tokens: [QueryToken] = []
        Tokenizer.tokenize(text) { raw in
            tokens.append(QueryToken(raw))
        }
        return tokens
    }

    static func containsDigit(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 >= 0x30 && $0 <= 0x39 }
    }

    static let stopWords = TermDictionary(StopWords.english + StopWords.french)
}

/// One query token in all the forms query planning uses.
struct QueryToken: Equatable {
    /// Folded bytes of the whole token (parts joined), as typed.
    var surface: String
    /// Index terms of the parts (one element for a plain token).
    var indexParts: [String]
    /// Index term of the whole token (the joined form for a hyphenated token).
    var indexTerm: String
    var frenchKey: String
    var englishKey: String
    var isAcronym: Bool
    /// A stop word of either language (never an acronym or a hyphenated token).
    var isStop: Bool

    init(_ raw: RawToken) {
        surface = String(decoding: raw.bytes, as: UTF8.self)
        isAcronym = raw.isAcronym
        let canStem = !raw.isAcronym && !TextAnalyzer.containsDigit(raw.bytes)
        var english = Array(raw.bytes)
        var french = Array(raw.bytes)
        if canStem {
            Stemmer.english(&english)
            Stemmer.french(&french)
        }
        if raw.plus {
            english.append(UInt8(ascii: "+"))
            french.append(UInt8(ascii: "+"))
        }
        indexTerm = String(decoding: english, as: UTF8.self)
        englishKey = indexTerm
        frenchKey = String(decoding: french, as: UTF8.self)
        if raw.partCount == 1 {
            indexParts = [indexTerm]
        } else {
            indexParts = (0..<raw.partCount).map { index in
                var part = Array(raw.part(index))
                if !TextAnalyzer.containsDigit(part) { Stemmer.english(&part) }
                return String(decoding: part, as: UTF8.self)
            }
        }
        isStop = raw.partCount == 1 && !raw.isAcronym && TextAnalyzer.stopWords.id(of: raw.bytes) != nil
    }

    func key(_ language: Language) -> String {
        language == .french ? frenchKey : englishKey
    }

    /// The index terms a document must contain for this token: the parts of a hyphenated token (documents index
    /// parts of both "CAR-T" and "CAR T"), else the term itself.
    var requiredIndexTerms: [String] { indexParts.count > 1 ? indexParts : [indexTerm] }
}
