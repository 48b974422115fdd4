/// Finds vocabulary terms within a small edit distance of a word, by symmetric deletion.
///
/// Every indexed term (letters only, five or more) is stored with its one-letter deletions; a query word is looked
/// up with itself, its one-letter deletions and, from nine letters, its two-letter deletions. Candidates are checked
/// with the optimal-string-alignment (Damerau–Levenshtein) distance. This finds every term at distance 1 and the
/// common distance-2 typos (a doubled letter plus a wrong letter, two extra letters: "lymphomme" → "lymphoma"),
/// not two substitutions.
struct TypoIndex: Sendable {
    /// `hash(variant) << 32 | termId`, sorted.
    private var keys: [UInt64] = []
    /// Terms with an id below this are in `keys`.
    private(set) var coveredTerms: UInt32 = 0

    static let minimumLength = 5

    /// The edit distance allowed for a word of `length` letters: 0 below 5, 1 from 5, 2 from 9.
    static func allowedDistance(length: Int) -> Int {
        length >= 9 ? 2 : length >= minimumLength ? 1 : 0
    }

    init() {}

    init(_ dictionary: TermDictionary) {
        var keys: [UInt64] = []
        keys.reserveCapacity(dictionary.count * 8)
        for id in 0..<UInt32(dictionary.count) {
            let term = Array(dictionary.bytes(id))
            guard Self.isCandidate(term) else { continue }
            Self.forEachVariant(term, deletions: 1) { keys.append(UInt64($0) << 32 | UInt64(id)) }
        }
        keys.sort()
        self.keys = keys
        coveredTerms = UInt32(dictionary.count)
    }

    static func isCandidate(_ term: [UInt8]) -> Bool {
        term.count >= minimumLength && term.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
    }

    /// Terms within the allowed distance of `word` (see ``allowedDistance(length:)``), with their distance.
    /// Terms added after this index was built are compared one by one.
    func candidates(of word: [UInt8], in dictionary: TermDictionary) -> [(id: UInt32, distance: Int)] {
        let limit = Self.allowedDistance(length: word.count)
        guard limit > 0 else { return [] }
        var found: [UInt32: Int] = [:]
        func check(_ id: UInt32) {
            guard found[id] == nil else { return }
            let distance = Self.distance(word, Array(dictionary.bytes(id)), limit: limit)
            if distance <= limit { found[id] = distance }
        }
        Self.forEachVariant(word, deletions: limit) { hash in
            var low = 0
            var high = keys.count
            let target = UInt64(hash) << 32
            while low < high {
                let middle = (low + high) / 2
                if keys[middle] < target { low = middle + 1 } else { high = middle }
            }
            while low < keys.count, keys[low] >> 32 == UInt64(hash) {
                check(UInt32(truncatingIfNeeded: keys[low]))
                low += 1
            }
        }
        for id in coveredTerms..<UInt32(dictionary.count) where Self.isCandidate(Array(dictionary.bytes(id))) {
            check(id)
        }
        return found.map { ($0.key, $0.value) }
    }

    /// Hashes of `term` and of every word made by deleting up to `deletions` letters.
    private static func forEachVariant(_ term: [UInt8], deletions: Int, _ body: (UInt32) -> Void) {
        var seen: Set<UInt32> = []
        var level: [[UInt8]] = [term]
        body(TermDictionary.hash(term))
        for _ in 0..<deletions {
            var next: [[UInt8]] = []
            for word in level where word.count > 3 {
                for index in word.indices {
                    var shorter = word
                    shorter.remove(at: index)
                    let hash = TermDictionary.hash(shorter)
                    if seen.insert(hash).inserted {
                        body(hash)
                        next.append(shorter)
                    }
                }
            }
            level = next
        }
    }

    /// Optimal string alignment distance, or `limit + 1` as soon as it must exceed `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, before[j - 2] + 1) }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
