/// What the lexicon recognises in a piece of running text (a patient note, a criterion): the concept groups it
/// names and the index terms of the remaining words.
///
/// Matching reads long clinical text rather than short queries, so it needs the lexicon's phrase matching without
/// the finder's AND semantics or typo correction: ``MedicalLexicon/spot(_:)`` gives the groups found (longest
/// phrase first, French and English keys alike) and every other content word as an index term, in text order.
public struct LexiconSpotting: Sendable, Equatable {
    /// One recognised phrase: the lexicon groups it names and the phrase's own index terms.
    public struct Mention: Sendable, Equatable {
        /// Indexes into ``MedicalLexicon/groups``.
        public var groups: [Int]
        /// The index terms of the words as written.
        public var terms: [String]
    }

    /// Recognised phrases, in text order.
    public var mentions: [Mention]
    /// Index terms of the words outside any recognised phrase (stop words dropped), in text order.
    public var otherTerms: [String]
}

extension MedicalLexicon {
    /// Finds the lexicon phrases of `text` (greedy, longest first, in both languages) and the remaining words.
    public func spot(_ text: String) -> LexiconSpotting {
        let tokens = TextAnalyzer.tokens(text).filter { !$0.isStop }
        var mentions: [LexiconSpotting.Mention] = []
        var other: [String] = []
        var start = 0
        while start < tokens.count {
            var found = false
            // Most words start no lexicon phrase: every key's first word is in the word sets.
            let first = tokens[start]
            let canStart = englishWords.contains(first.englishKey) || frenchWords.contains(first.frenchKey)
            for length in stride(from: canStart ? min(longestKey, tokens.count - start) : 0, through: 1, by: -1) {
                let window = tokens[start..<(start + length)]
                var matched: [Int] = []
                for language in [Language.english, .french] {
                    for group in groups(forKey: window.map { $0.key(language) }, language: language)
                    where !matched.contains(group) {
                        matched.append(group)
                    }
                }
                guard !matched.isEmpty else { continue }
                mentions.append(.init(groups: matched, terms: window.flatMap(\.requiredIndexTerms)))
                start += length
                found = true
                break
            }
            if !found {
                other.append(contentsOf: tokens[start].requiredIndexTerms)
                start += 1
            }
        }
        return LexiconSpotting(mentions: mentions, otherTerms: other)
    }

    /// Every term of group `group` as a phrase of index terms (what a document must contain to name the concept).
    public func phrases(ofGroup group: Int) -> [[String]] {
        expansions[group]
    }
}
