/// Text folded for phrase matching: lowercase UTF-8 bytes and the byte range and hash of every word token.
///
/// A token is a run of letters and digits; every other character separates tokens, so "CAR-T" gives `car` `t`.
struct CGTTokens {
    private(set) var bytes: [UInt8] = []
    private(set) var ranges: [Range<Int>] = []
    /// FNV-1a hash of each token's bytes, for set look-ups without building strings.
    private(set) var hashes: [UInt64] = []

    var count: Int { ranges.count }

    init(_ text: String) {
        bytes.reserveCapacity(text.utf8.count)
        var start = 0
        var hash = CGTTokens.seed
        func close(_ tokens: inout CGTTokens) {
            if tokens.bytes.count > start {
                tokens.ranges.append(start..<tokens.bytes.count)
                tokens.hashes.append(hash)
            }
            start = tokens.bytes.count
            hash = CGTTokens.seed
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                var byte = UInt8(value)
                if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
                    bytes.append(byte)
                    hash = CGTTokens.mix(hash, byte)
                } else {
                    close(&self)
                }
            } else if scalar.properties.isAlphabetic {
                for byte in scalar.properties.lowercaseMapping.utf8 {
                    bytes.append(byte)
                    hash = CGTTokens.mix(hash, byte)
                }
            } else {
                close(&self)
            }
        }
        close(&self)
    }

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always) static func mix(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        bytes.reduce(seed, mix)
    }

    /// The hash a token spelled `word` would have.
    static func hash(_ word: String) -> UInt64 { hash(word.utf8) }

    /// The token's text, for evidence.
    func text(_ range: Range<Int>) -> String {
        ranges[range].map { String(decoding: bytes[$0], as: UTF8.self) }.joined(separator: " ")
    }
}

/// Finds rule phrases in tokenised text. Each token is looked up in hash tables built once from the phrases, so
/// the cost per trial grows with the text, not with the number of rules.
///
/// Phrase syntax (words separated by single spaces, lowercase, letters and digits only):
/// - `word`: the token equals `word`;
/// - `word*`: the token starts with `word`;
/// - `word#`: the token is `word` followed by one or more digits (`car#` matches `car19`, not `car`);
///   a lone `#`, after the first word, is any all-digit token (`isis #`);
/// - `*word`: the token ends with `word` and is longer (for INN stems such as `*cabtagene`).
struct CGTPhraseIndex: Sendable {
    /// One compiled word of a phrase.
    enum Word: Sendable, Equatable {
        case exact([UInt8])
        case prefix([UInt8])
        case digits([UInt8])
        case suffix([UInt8])

        init(_ text: Substring) {
            if text.hasSuffix("*") {
                self = .prefix(Array(text.dropLast().utf8))
            } else if text.hasSuffix("#") {
                self = .digits(Array(text.dropLast().utf8))
            } else if text.hasPrefix("*") {
                self = .suffix(Array(text.dropFirst().utf8))
            } else {
                self = .exact(Array(text.utf8))
            }
        }

        func matches(_ token: ArraySlice<UInt8>) -> Bool {
            switch self {
            case .exact(let word): return token.elementsEqual(word)
            case .prefix(let word): return token.count >= word.count && token.prefix(word.count).elementsEqual(word)
            case .suffix(let word): return token.count > word.count && token.suffix(word.count).elementsEqual(word)
            case .digits(let word):
                return token.count > word.count && token.prefix(word.count).elementsEqual(word)
                    && token.dropFirst(word.count).allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            }
        }
    }

    /// A match: which phrase, and the token range it covers.
    struct Match {
        var phrase: Int
        var range: Range<Int>
    }

    private let phrases: [[Word]]
    private let byExact: HashTable
    /// Phrases whose first word is a prefix (or digit-suffixed prefix), by the hash of that prefix.
    private let byPrefix: HashTable
    /// Phrases whose first word is a suffix, by the hash of the suffix's bytes read backwards.
    private let bySuffix: HashTable
    /// Whether any prefix (suffix) first word has this length; indexed by length.
    private var prefixLengths: [Bool] = []
    private var suffixLengths: [Bool] = []

    /// Compiles the phrases; ``matches(in:)`` reports phrase numbers as positions in this array.
    init(_ phraseTexts: [String]) {
        phrases = phraseTexts.map { $0.split(separator: " ").map(Word.init) }
        let longest = phrases.map { words -> Int in
            switch words[0] {
            case .exact(let word), .prefix(let word), .digits(let word), .suffix(let word): word.count
            }
        }.max() ?? 0
        prefixLengths = Array(repeating: false, count: longest + 1)
        suffixLengths = Array(repeating: false, count: longest + 1)
        var exact: [UInt64: [Int]] = [:]
        var prefix: [UInt64: [Int]] = [:]
        var suffix: [UInt64: [Int]] = [:]
        for (number, words) in phrases.enumerated() {
            switch words[0] {
            case .exact(let word):
                exact[CGTTokens.hash(word), default: []].append(number)
            case .prefix(let word), .digits(let word):
                precondition(!word.isEmpty, "a phrase cannot start with a bare wildcard: \(phraseTexts[number])")
                prefix[CGTTokens.hash(word), default: []].append(number)
                prefixLengths[word.count] = true
            case .suffix(let word):
                precondition(!word.isEmpty, "a phrase cannot start with a bare wildcard: \(phraseTexts[number])")
                suffix[CGTTokens.hash(word.reversed()), default: []].append(number)
                suffixLengths[word.count] = true
            }
        }
        byExact = HashTable(exact)
        byPrefix = HashTable(prefix)
        bySuffix = HashTable(suffix)
    }

    /// An open-addressing table from a token hash to phrase numbers. The keys are FNV-1a hashes already, so
    /// they index the table directly instead of being hashed again as `Dictionary` would.
    struct HashTable: Sendable {
        private var keys: [UInt64]
        private var slots: [Range<Int>]
        private var numbers: [Int] = []
        private let mask: Int

        init(_ entries: [UInt64: [Int]]) {
            var capacity = 16
            while capacity < entries.count * 4 { capacity *= 2 }
            mask = capacity - 1
            keys = Array(repeating: 0, count: capacity)
            slots = Array(repeating: 0..<0, count: capacity)
            for (key, values) in entries.sorted(by: { $0.key < $1.key }) {
                var slot = Self.slot(key, mask)
                while !slots[slot].isEmpty { slot = (slot + 1) & mask }
                keys[slot] = key
                slots[slot] = numbers.count..<(numbers.count + values.count)
                numbers += values
            }
        }

        @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
            Int(truncatingIfNeeded: key ^ (key >> 32)) & mask
        }

        /// The phrase numbers stored under `key`; empty when none.
        @inline(__always) func phrases(_ key: UInt64) -> ArraySlice<Int> {
            var slot = Self.slot(key, mask)
            while !slots[slot].isEmpty {
                if keys[slot] == key { return numbers[slots[slot]] }
                slot = (slot + 1) & mask
            }
            return []
        }
    }

    /// Every phrase occurrence in `tokens`, in token order.
    func matches(in tokens: CGTTokens) -> [Match] {
        var found: [Match] = []
        let bytes = tokens.bytes
        for position in 0..<tokens.count {
            let range = tokens.ranges[position]
            for number in byExact.phrases(tokens.hashes[position]) {
                check(number, at: position, in: tokens, into: &found)
            }
            var hash = CGTTokens.seed
            var length = 0
            for index in range {
                hash = CGTTokens.mix(hash, bytes[index])
                length += 1
                if length >= prefixLengths.count { break }
                if prefixLengths[length] {
                    for number in byPrefix.phrases(hash) { check(number, at: position, in: tokens, into: &found) }
                }
            }
            hash = CGTTokens.seed
            length = 0
            for index in range.reversed() {
                hash = CGTTokens.mix(hash, bytes[index])
                length += 1
                if length >= suffixLengths.count { break }
                if suffixLengths[length] {
                    for number in bySuffix.phrases(hash) { check(number, at: position, in: tokens, into: &found) }
                }
            }
        }
        return found
    }

    private func check(_ number: Int, at start: Int, in tokens: CGTTokens, into found: inout [Match]) {
        let words = phrases[number]
        guard start + words.count <= tokens.count else { return }
        for (offset, word) in words.enumerated() where !word.matches(tokens.bytes[tokens.ranges[start + offset]]) {
            return
        }
        found.append(Match(phrase: number, range: start..<(start + words.count)))
    }
}
