import Search

/// Whether a piece of clinical text says something is true of the patient.
public enum Assertion: String, Sendable, Codable {
    /// Stated as present (now or in the past): "history of hypertension".
    case present
    /// Stated as absent: "denies smoking", "no evidence of metastases", "HIV negative", "pas de diabète".
    case absent
    /// About a relative, not the patient: "family history of breast cancer".
    case family
}

/// A stretch of one sentence with one assertion.
public struct ClinicalSpan: Sendable, Equatable {
    public var text: String
    public var assertion: Assertion
}

/// One token of clinical text: a folded word, a number or a comparison sign.
enum ClinicalToken: Equatable {
    case word(String)
    case number(Double)
    case symbol(String)

    var word: String? {
        if case .word(let word) = self { word } else { nil }
    }

    var number: Double? {
        if case .number(let number) = self { number } else { nil }
    }
}

/// Sentence splitting, negation and tokens for clinical text in English and French (NegEx-style rules: a trigger
/// negates the words after it up to the end of the sentence or a terminating word; a post-trigger such as
/// "negative" negates the clause before it).
enum ClinicalText {
    /// Sentences of `text`: cut at ". ", "; ", "! ", "? " and line breaks, but not inside numbers ("1.5") or
    /// after common abbreviations ("e.g.", "Dr.", "vs.").
    static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(text)
        var index = 0
        func flush() {
            let sentence = current.trimmed
            if !sentence.isEmpty { sentences.append(sentence) }
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\n" || character == "\r" {
                flush()
            } else if ".;!?".contains(character) {
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                let lastWord = current.split(separator: " ").last.map { String($0).lowercased() } ?? ""
                let abbreviation = character == "." && ["e.g", "i.e", "dr", "vs", "mr", "mrs", "ms", "etc", "approx", "st", "no"].contains(lastWord)
                if next.isWhitespace, !abbreviation {
                    if character != "." { current.append(character) }
                    flush()
                } else {
                    current.append(character)
                }
            } else {
                current.append(character)
            }
            index += 1
        }
        flush()
        return sentences
    }

    /// Words that start a negation scope (folded; several words are a phrase).
    static let negationTriggers: [String: [[String]]] = byFirstWord([
        "no", "not", "denies", "denied", "deny", "without", "negative for", "free of", "absence of", "absent",
        "never", "ruled out", "rules out", "rule out", "no evidence of", "no history of", "no sign of", "no signs of",
        "non", "neither", "nor", "none", "unremarkable for", "not have", "did not have", "does not have",
        "pas de", "pas d", "aucun", "aucune", "sans", "nie", "absence de", "jamais", "ni", "negatif pour",
        "negative pour", "ne presente pas", "n a pas", "exclu", "exclue",
    ].map { $0.split(separator: " ").map(String.init) })

    /// Words after a finding that negate it: "HIV negative", "hepatitis B serology was negative".
    static let postNegationTriggers: Set<String> = ["negative", "negatif", "negative.", "neg", "ruled", "unlikely", "excluded"]

    /// Words that end a negation scope.
    static let terminators: Set<String> = [
        "but", "however", "although", "though", "except", "apart", "aside", "which", "who", "presents", "presented",
        "reports", "has", "had", "mais", "cependant", "sauf", "toutefois", "presente", "secondary", "due", "now",
        "currently",
    ]

    /// Family-history triggers: what follows is about a relative.
    static let familyTriggers: [String: [[String]]] = byFirstWord([
        "family history", "family hx", "fhx", "mother", "father", "sister", "brother", "grandmother", "grandfather",
        "aunt", "uncle", "antecedents familiaux", "mere", "pere", "soeur", "frere",
    ].map { $0.split(separator: " ").map(String.init) })

    /// The spans of `text`, each with its assertion.
    ///
    /// A post-negation trigger ("HIV, hepatitis B and C negative") negates its own comma-separated piece up to the
    /// trigger and the short pieces (four words or fewer, not marked positive) just before it.
    static func spans(_ text: String) -> [ClinicalSpan] {
        var spans: [ClinicalSpan] = []
        for sentence in sentences(text) {
            let pieces = sentence.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
            guard pieces.contains(where: { postTrigger(in: folded($0)) != nil }) else {
                spans.append(contentsOf: assertionSpans(sentence))
                continue
            }
            var pending: [String] = []
            func flush() {
                for piece in pending { spans.append(contentsOf: assertionSpans(piece)) }
                pending = []
            }
            for piece in pieces {
                let words = folded(piece)
                if let post = postTrigger(in: words) {
                    for earlier in pending { spans.append(ClinicalSpan(text: earlier, assertion: .absent)) }
                    pending = []
                    let raw = piece.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                    spans.append(ClinicalSpan(text: raw.prefix(post).joined(separator: " "), assertion: .absent))
                    if post + 1 < raw.count {
                        spans.append(contentsOf: assertionSpans(raw[(post + 1)...].joined(separator: " ")))
                    }
                } else if words.count <= 4, !words.contains(where: { $0.contains("positive") || $0 == "positif" }) {
                    pending.append(piece)
                } else {
                    flush()
                    spans.append(contentsOf: assertionSpans(piece))
                }
            }
            flush()
        }
        return spans.filter { !$0.text.isEmpty }
    }

    /// The index of a post-negation trigger that follows at least one word ("HIV negative"), unless it opens a
    /// "negative for" phrase.
    private static func postTrigger(in words: [String]) -> Int? {
        guard let index = words.firstIndex(where: { postNegationTriggers.contains($0) }), index > 0 else { return nil }
        if index + 1 < words.count, ["for", "pour"].contains(words[index + 1]) { return nil }
        return index
    }

    /// Cuts one clause into present / absent / family spans.
    private static func assertionSpans(_ clause: String) -> [ClinicalSpan] {
        let raw = clause.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "'" || $0 == "’" }).map(String.init)
        let words = raw.map { Folding.fold($0).trimmingCharacters(in: .punctuationCharacters) }
        var result: [ClinicalSpan] = []
        var current: [String] = []
        var assertion = Assertion.present
        func flush() {
            if !current.isEmpty { result.append(ClinicalSpan(text: current.joined(separator: " "), assertion: assertion)) }
            current = []
        }
        var index = 0
        while index < raw.count {
            if let length = match(familyTriggers, in: words, at: index) {
                flush()
                assertion = .family
                current.append(contentsOf: raw[index..<(index + length)])
                index += length
                continue
            }
            if let length = match(negationTriggers, in: words, at: index), !isPseudoNegation(words, at: index) {
                flush()
                assertion = .absent
                index += length
                continue
            }
            // A terminator ends a scope only once the scope holds a word ("not have had X" stays negated).
            if assertion != .present, !current.isEmpty, terminators.contains(words[index]) {
                flush()
                assertion = .present
            }
            current.append(raw[index])
            index += 1
        }
        flush()
        return result
    }

    /// "not only", "no change", "no longer", "not certain if" start no negation.
    private static func isPseudoNegation(_ words: [String], at index: Int) -> Bool {
        guard index + 1 < words.count else { return false }
        let pair = words[index] + " " + words[index + 1]
        return ["not only", "no change", "no increase", "no longer", "not certain", "not necessarily", "non small",
            "non hodgkin", "non hodgkins", "non insulin", "non alcoholic", "non muscle", "non invasive",
            "non metastatic", "non squamous", "no further", "not more", "not less", "no more", "no less", "not exceed",
            "not exceeding", "not greater", "no greater", "not to", "not applicable"]
            .contains(pair) || words[index] == "non" && words[index + 1].hasPrefix("small")
    }

    /// The length of the trigger phrase starting at `index`, if any.
    private static func match(_ triggers: [String: [[String]]], in words: [String], at index: Int) -> Int? {
        guard let candidates = triggers[words[index]] else { return nil }
        var best: Int?
        for trigger in candidates where index + trigger.count <= words.count && trigger.count > (best ?? 0) {
            var equal = true
            for offset in 1..<max(1, trigger.count) where words[index + offset] != trigger[offset] {
                equal = false
                break
            }
            if equal { best = trigger.count }
        }
        return best
    }

    /// Trigger phrases by their first word.
    private static func byFirstWord(_ phrases: [[String]]) -> [String: [[String]]] {
        Dictionary(grouping: phrases.filter { !$0.isEmpty }, by: { $0[0] })
    }

    /// Folded words of `text` without surrounding punctuation.
    static func folded(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "'" || $0 == "’" })
            .map { Folding.fold(String($0)).trimmingCharacters(in: .punctuationCharacters) }
            .filter { !$0.isEmpty }
    }

    /// Words, numbers and comparison signs of `text`, folded. "≥18" gives `≥`, 18; "1,500" gives 1500; "1.5" gives
    /// 1.5; "10^9/L" gives 10, `^`, 9, `/`, l.
    static func tokens(_ text: String) -> [ClinicalToken] {
        var tokens: [ClinicalToken] = []
        let scalars = Array(Folding.fold(text).unicodeScalars)
        var index = 0
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isAlphabetic }
        while index < scalars.count {
            let scalar = scalars[index]
            if isDigit(scalar) {
                var text = ""
                while index < scalars.count {
                    let current = scalars[index]
                    if isDigit(current) {
                        text.unicodeScalars.append(current)
                    } else if current == "." || current == ",", index + 1 < scalars.count, isDigit(scalars[index + 1]) {
                        // "1,500" is a thousands separator when three digits follow; "1,5" is a French decimal.
                        if current == "," {
                            var digits = 0
                            var look = index + 1
                            while look < scalars.count, isDigit(scalars[look]) { digits += 1; look += 1 }
                            if digits != 3 { text.append(".") }
                        } else {
                            text.append(".")
                        }
                    } else {
                        break
                    }
                    index += 1
                }
                if let value = Double(text) { tokens.append(.number(value)) }
                continue
            }
            if isLetter(scalar) {
                var text = ""
                while index < scalars.count, isLetter(scalars[index]) || isDigit(scalars[index]) {
                    text.unicodeScalars.append(scalars[index])
                    index += 1
                }
                tokens.append(.word(text))
                continue
            }
            let next = index + 1 < scalars.count ? scalars[index + 1] : " "
            switch scalar {
            case ">" where next == "=": tokens.append(.symbol("≥")); index += 1
            case "<" where next == "=": tokens.append(.symbol("≤")); index += 1
            case "=" where next == "<": tokens.append(.symbol("≤")); index += 1
            case "=" where next == ">": tokens.append(.symbol("≥")); index += 1
            case ">", "<", "≥", "≤", "=", "%", "/", "^", "-", "–", "×", "+", "(", ")":
                let symbol = scalar == "–" ? "-" : String(scalar)
                tokens.append(.symbol(symbol))
            case "⩾": tokens.append(.symbol("≥"))
            case "⩽": tokens.append(.symbol("≤"))
            default: break
            }
            index += 1
        }
        return tokens
    }
}
