/// One token as the tokenizer cuts it: folded bytes and the boundaries of its hyphen-joined parts.
///
/// "CAR-T" gives one token with parts "car" and "t"; "HER2+" gives "her2" with `plus`; "CD19" stays one part.
/// A view into the tokenizer's buffers: valid only during the callback that receives it.
struct RawToken {
    /// Folded bytes of all parts, concatenated without separators.
    var bytes: UnsafeBufferPointer<UInt8>
    /// End offset in `bytes` of each part; the last equals `bytes.count`.
    var partEnds: UnsafeBufferPointer<Int>
    /// Every letter of the source token was upper-case and there were at least two (an acronym such as "ALL").
    var isAcronym: Bool
    /// The source token ended with "+" (HER2+, CD34+).
    var plus: Bool

    var partCount: Int { partEnds.count }

    func part(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : partEnds[index - 1]
        return UnsafeBufferPointer(rebasing: bytes[start..<partEnds[index]])
    }
}

/// Cuts text into ``RawToken``s, folding as it goes (see ``Folding``).
///
/// Rules:
/// - letters and digits make tokens; "CD19", "BRCA1", "T2DM" are single tokens;
/// - a hyphen between two letters or digits joins parts of one token ("CAR-T", "IL-6", "B-cell", "non-small-cell");
///   a token has at most 8 parts (a ninth starts a new token) and at most 64 bytes (the rest is dropped);
/// - French elision: "l'", "d'", "qu'", "j'", "n'", "s'", "c'", "t'", "m'", "jusqu'", "lorsqu'", "puisqu'",
///   "quoiqu'" before a letter are dropped ("l'hôpital" → "hopital"); any other apostrophe separates;
/// - a "+" right after a token, not followed by a letter or digit, sets ``RawToken/plus``;
/// - everything else separates tokens.
enum Tokenizer {
    static let maximumBytes = 64
    static let maximumParts = 8

    /// Calls `body` with each token of `text` in order.
    static func tokenize(_ text: String, _ body: (RawToken) -> Void) {
        var text = text
        text.withUTF8 { utf8 in
            var state = State()
            defer { state.deallocate() }
            state.run(utf8, body)
        }
    }

    private struct State {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: Tokenizer.maximumBytes + 8)
        let partEnds = UnsafeMutablePointer<Int>.allocate(capacity: Tokenizer.maximumParts)
        var count = 0
        var parts = 0
        var upper = 0
        var lower = 0
        var plus = false

        func deallocate() {
            bytes.deallocate()
            partEnds.deallocate()
        }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            if count < Tokenizer.maximumBytes {
                bytes[count] = byte
                count += 1
            }
        }

        mutating func reset() {
            count = 0
            parts = 0
            upper = 0
            lower = 0
            plus = false
        }

        mutating func emit(_ body: (RawToken) -> Void) {
            if count > 0 {
                if parts == 0 || partEnds[parts - 1] != count {
                    partEnds[parts] = count
                    parts += 1
                }
                body(
                    RawToken(
                        bytes: UnsafeBufferPointer(start: bytes, count: count),
                        partEnds: UnsafeBufferPointer(start: partEnds, count: parts), isAcronym: upper >= 2 && lower == 0,
                        plus: plus))
            }
            reset()
        }

        /// Ends the current part at a hyphen; a token that already has the most parts is emitted instead.
        mutating func endPart(_ body: (RawToken) -> Void) {
            if parts + 1 >= Tokenizer.maximumParts {
                emit(body)
            } else if count > 0, parts == 0 || partEnds[parts - 1] != count {
                partEnds[parts] = count
                parts += 1
            }
        }

        /// Whether the current token is a lone elided French word.
        func isElision() -> Bool {
            guard parts == 0, count <= 6 else { return false }
            var key: UInt64 = 0
            for index in 0..<count { key = key << 8 | UInt64(bytes[index]) }
            return Tokenizer.elisions.contains(key)
        }

        mutating func run(_ utf8: UnsafeBufferPointer<UInt8>, _ body: (RawToken) -> Void) {
            let end = utf8.count
            var index = 0
            func isWordByte(_ position: Int) -> Bool {
                guard position < end else { return false }
                let byte = utf8[position]
                return (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte >= 0xC0
            }
            while index < end {
                let byte = utf8[index]
                if byte < 0x80 {
                    index += 1
                    switch byte {
                    case 0x61...0x7A:
                        append(byte)
                        lower += 1
                    case 0x41...0x5A:
                        append(byte | 0x20)
                        upper += 1
                    case 0x30...0x39:
                        append(byte)
                    case 0x2D:  // "-"
                        if count > 0, isWordByte(index) { endPart(body) } else { emit(body) }
                    case 0x27:  // "'"
                        if isElision(), isWordByte(index) { reset() } else { emit(body) }
                    case 0x2B:  // "+"
                        if count > 0, !isWordByte(index) { plus = true }
                        emit(body)
                    default:
                        emit(body)
                    }
                    continue
                }
                let (scalar, length) = Tokenizer.decode(utf8, at: index)
                index += length
                switch scalar.value {
                case 0x2019, 0x02BC:
                    if isElision(), isWordByte(index) { reset() } else { emit(body) }
                case 0x2010, 0x2011:
                    if count > 0, isWordByte(index) { endPart(body) } else { emit(body) }
                default:
                    if let folded = Folding.table[scalar.value] {
                        for byte in folded.utf8 { append(byte) }
                        if scalar.properties.isUppercase { upper += 1 } else { lower += 1 }
                    } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                        for byte in String(scalar).lowercased().utf8 { append(byte) }
                        lower += 1
                    } else {
                        emit(body)
                    }
                }
            }
            emit(body)
        }
    }

    /// The elided words, packed big-endian into integers.
    private static let elisions: Set<UInt64> = Set(
        ["l", "d", "j", "n", "s", "c", "t", "m", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"].map { word in
            word.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        })

    /// Decodes the scalar starting at `index` (invalid bytes decode as U+FFFD, one byte long).
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= bytes.count else { return ("\u{FFFD}", 1) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let next = bytes[index + offset]
            guard next & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(next & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}
