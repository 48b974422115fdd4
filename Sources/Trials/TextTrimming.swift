/// White-space trimming without Foundation's `NSString` bridge, which was the slowest step of reading a record
/// (it is called thousands of times per study). ASCII white space is trimmed on UTF-8 bytes; other Unicode white
/// space (no-break space, em space, …) at either end falls back to a scalar-by-scalar trim.
extension StringProtocol {
    /// The text without leading and trailing white space and line breaks.
    public var trimmed: String {
        let whole = Substring(self)
        let utf8 = whole.utf8
        guard let first = utf8.firstIndex(where: { !ASCII.isBlank($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !ASCII.isBlank($0) })!
        let core = whole[first...last]
        // Only a non-ASCII byte at either end can start or end other Unicode white space.
        if utf8[first] >= 0x80 || utf8[last] >= 0x80, let head = core.unicodeScalars.first,
            let tail = core.unicodeScalars.last, head.properties.isWhitespace || tail.properties.isWhitespace
        {
            let scalars = core.unicodeScalars
            guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
            return String(core[start...end])
        }
        return String(core)
    }

    /// The trimmed text, or `nil` when nothing is left.
    public var trimmedNonEmpty: String? {
        let text = trimmed
        return text.isEmpty ? nil : text
    }
}

extension String {
    /// The string, or `nil` when it is empty or only white space.
    var nonEmpty: String? {
        // Decided by the first byte that is not ASCII white space; only non-ASCII text needs the Unicode check.
        for byte in utf8 where !ASCII.isBlank(byte) {
            return byte >= 0x80 && unicodeScalars.allSatisfy(\.properties.isWhitespace) ? nil : self
        }
        return nil
    }
}

/// ASCII white-space bytes, shared by the readers and the trimming above.
enum ASCII {
    /// Space, tab, CR, LF: white space in JSON and XML syntax.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// ``isSpace(_:)`` plus vertical tab and form feed: what trimming removes from text.
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == 0x0B || byte == 0x0C
    }
}
