/// One idea of the query ("lymphome", "CAR-T"): a trial matches it through any of its alternatives.
struct QueryConcept {
    /// The concept as understood, for ``SearchResults/interpretation``.
    var label: String
    var alternatives: [QueryAlternative]
    /// Generic trial vocabulary: scores but does not restrict (unless the query has nothing else).
    var isOptional = false
}

/// A phrase of index terms that must all occur in a trial (anywhere; adjacency in titles, conditions and
/// interventions earns the phrase boost).
struct QueryAlternative: Equatable {
    var terms: [UInt32]
    /// Multiplies the alternative's score: 1 for the words typed and their lexicon synonyms, less for typo
    /// corrections.
    var weight: Float
}

extension TrialIndex {
    /// Index terms that occur in fewer documents than this are "rare" and also get typo corrections.
    static let rareFrequency: UInt32 = 3
    /// How much more frequent a neighbouring term must be to be offered for a word the index knows.
    static let popularRatio: UInt32 = 20
    /// Weight of an alternative that comes from a typo correction.
    static let correctionWeight: Float = 0.8

    /// Turns query text into concepts: stop words dropped, typos corrected, the longest lexicon phrases expanded
    /// to their whole group (in `language`, or both languages when `nil`), other words kept as typed. A word the
    /// index does not know and cannot correct stays as a concept without alternatives, which nothing matches.
    func plan(_ text: String, language: Language?) -> [QueryConcept] {
        planPhrases(text, language: language).map { planned in
            var concept = concept(phrases: planned.phrases, corrections: planned.corrections)
            concept.isOptional = planned.isOptional
            return concept
        }
    }

    /// A concept as index-term phrases, before they are looked up in the index: ``plan(_:language:)`` turns each
    /// into a ``QueryConcept``; ``requiredConcepts(_:language:)`` hands them to the alerts percolator.
    struct PlannedConcept {
        var phrases: [[String]]
        var corrections: [String]
        /// The index terms of the words as typed, before a correction replaced a word no trial contains.
        var typed: [String]
        var isOptional = false
    }

    func planPhrases(_ text: String, language: Language?) -> [PlannedConcept] {
        var tokens = TextAnalyzer.tokens(text).filter { !$0.isStop }
        let typedTokens = tokens
        var corrections = [[String]](repeating: [], count: tokens.count)
        for index in tokens.indices {
            corrections[index] = correct(&tokens[index])
        }
        let languages = language.map { [$0] } ?? [.french, .english]
        var concepts: [PlannedConcept] = []
        var start = 0
        while start < tokens.count {
            var matched = false
            for length in stride(from: min(lexicon.longestKey, tokens.count - start), through: 1, by: -1) {
                let window = tokens[start..<(start + length)]
                var groups: [Int] = []
                for language in languages {
                    for group in lexicon.groups(forKey: window.map { $0.key(language) }, language: language)
                    where !groups.contains(group) {
                        groups.append(group)
                    }
                }
                guard !groups.isEmpty else { continue }
                var phrases = [window.flatMap(\.requiredIndexTerms)]
                for group in groups {
                    for phrase in lexicon.expansions[group] where !phrases.contains(phrase) { phrases.append(phrase) }
                }
                concepts.append(
                    PlannedConcept(
                        phrases: phrases, corrections: [],
                        typed: typedTokens[start..<(start + length)].flatMap(\.requiredIndexTerms),
                        isOptional: groups.allSatisfy { lexicon.groups[$0].isGeneric }))
                start += length
                matched = true
                break
            }
            if !matched {
                let token = tokens[start]
                var phrases = [token.requiredIndexTerms]
                if token.indexParts.count > 1 { phrases.append([token.indexTerm]) }
                concepts.append(
                    PlannedConcept(
                        phrases: phrases, corrections: corrections[start], typed: typedTokens[start].requiredIndexTerms))
                start += 1
            }
        }
        if concepts.allSatisfy(\.isOptional) {
            for index in concepts.indices { concepts[index].isOptional = false }
        }
        return concepts
    }

    private func concept(phrases: [[String]], corrections: [String]) -> QueryConcept {
        var alternatives: [QueryAlternative] = []
        for (phrase, weight) in phrases.map({ ($0, Float(1)) }) + corrections.map({ ([$0], Self.correctionWeight) }) {
            let ids = phrase.compactMap { terms.id(of: Array($0.utf8)) }
            guard ids.count == phrase.count else { continue }
            let alternative = QueryAlternative(terms: ids, weight: weight)
            if !alternatives.contains(alternative) { alternatives.append(alternative) }
        }
        let label = (phrases.map { $0.joined(separator: " ") } + corrections).joined(separator: " | ")
        return QueryConcept(label: label, alternatives: alternatives)
    }

    /// Corrects a misspelt token in place and returns extra index terms to try.
    ///
    /// Only plain words of five letters or more are considered, and only when neither the lexicon knows the word
    /// nor the index has it in ``rareFrequency`` documents or more. A word the index lacks entirely is replaced by
    /// its best correction (lexicon words first, then the most frequent index term at the smallest distance); a
    /// rare word is kept and its index corrections are returned as extra alternatives.
    private func correct(_ token: inout QueryToken) -> [String] {
        guard !token.isAcronym, token.indexParts.count == 1, TypoIndex.isCandidate(Array(token.surface.utf8)) else {
            return []
        }
        if lexicon.frenchWords.contains(token.frenchKey) || lexicon.englishWords.contains(token.englishKey) { return [] }
        let frequency = terms.id(of: Array(token.indexTerm.utf8)).map { documentFrequency[Int($0)] } ?? 0
        guard frequency < Self.rareFrequency else { return popularNeighbour(of: token, frequency: frequency) }
        let limit = TypoIndex.allowedDistance(length: token.surface.utf8.count)

        if frequency == 0 {
            var best: (word: String, distance: Int, french: Bool)?
            // English first: an English correction also fixes the index term, so on a tie it wins.
            for (words, key, french) in [
                (lexicon.englishWords, token.englishKey, false), (lexicon.frenchWords, token.frenchKey, true),
            ] {
                let keyBytes = Array(key.utf8)
                for word in words {
                    let distance = TypoIndex.distance(keyBytes, Array(word.utf8), limit: limit)
                    if distance <= limit,
                        best == nil || distance < best!.distance
                            || (distance == best!.distance && french == best!.french && word < best!.word)
                    {
                        best = (word, distance, french)
                    }
                }
            }
            if let best {
                if best.french {
                    token.frenchKey = best.word
                } else {
                    token.englishKey = best.word
                    token.indexTerm = best.word
                    token.indexParts = [best.word]
                }
                return []
            }
        }
        let candidates = typos.candidates(of: Array(token.indexTerm.utf8), in: terms)
            .filter { documentFrequency[Int($0.id)] >= Self.rareFrequency }
            .sorted { ($0.distance, documentFrequency[Int($1.id)], $0.id) < ($1.distance, documentFrequency[Int($0.id)], $1.id) }
        guard let best = candidates.first else { return [] }
        let word = terms.string(best.id)
        if frequency == 0 {
            token.englishKey = word
            token.indexTerm = word
            token.indexParts = [word]
            return []
        }
        return [word]
    }

    /// A real word typed for a much more common one ("prostrate" for "prostate"): when an index term at edit
    /// distance 1 occurs in at least ``popularRatio`` times as many trials, it becomes an extra alternative (with the
    /// correction weight), so the trials about the common word are found without losing the word as typed.
    private func popularNeighbour(of token: QueryToken, frequency: UInt32) -> [String] {
        guard token.surface.utf8.count >= 6 else { return [] }
        let candidates = typos.candidates(of: Array(token.indexTerm.utf8), in: terms)
            .filter { $0.distance == 1 && documentFrequency[Int($0.id)] >= frequency * Self.popularRatio }
            .sorted { (documentFrequency[Int($1.id)], $0.id) < (documentFrequency[Int($0.id)], $1.id) }
        return candidates.first.map { [terms.string($0.id)] } ?? []
    }
}
