import Foundation

/// A forward-only JSON reader over UTF-8 bytes that decodes only the values a caller asks for and skips the rest
/// without building them. Several times faster than `JSONDecoder` on ClinicalTrials.gov studies, which carry large
/// sections Passerelle does not read (results, outcomes, references).
///
/// Errors are ``RecordError``s naming the field path as `protocolSection.designModule.enrollmentInfo.count`
/// (array elements as `locations[3]`); any syntax error is `json: malformed JSON`.
struct JSONReader {
    private let bytes: [UInt8]
    private var index = 0
    private var path: [PathElement] = []

    private enum PathElement {
        case key(String)
        case index(Int)
    }

    init(_ data: Data) {
        bytes = [UInt8](data)
    }

    /// The path of the value being read, e.g. `protocolSection.statusModule.overallStatus`.
    var currentPath: String {
        var text = ""
        for element in path {
            switch element {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    func error(_ reason: String) -> RecordError {
        RecordError(field: currentPath, reason: reason)
    }

    func error(at key: String, _ reason: String) -> RecordError {
        let base = currentPath
        return RecordError(field: base.isEmpty ? key : "\(base).\(key)", reason: reason)
    }

    private static let malformed = RecordError(field: "json", reason: "malformed JSON")

    // MARK: Structure

    /// Reads an object, calling `body` for each member with the reader positioned on its value. `body` must read or
    /// ``skip()`` that value. A `null` counts as an absent object: `body` is not called.
    mutating func object(_ body: (inout JSONReader, String) throws(RecordError) -> Void) throws(RecordError) {
        skipSpace()
        if consumeNull() { return }
        guard peek() == UInt8(ascii: "{") else {
            try skip()
            throw error("expected an object")
        }
        index += 1
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw Self.malformed }
            let key = try rawString()
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw Self.malformed }
            index += 1
            path.append(.key(key))
            try body(&self, key)
            path.removeLast()
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw Self.malformed
            }
        }
    }

    /// Reads an array, calling `body` for each element. A `null` counts as an empty array.
    mutating func array(_ body: (inout JSONReader) throws(RecordError) -> Void) throws(RecordError) {
        skipSpace()
        if consumeNull() { return }
        guard peek() == UInt8(ascii: "[") else {
            try skip()
            throw error("expected an array")
        }
        index += 1
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var position = 0
        while true {
            path.append(.index(position))
            try body(&self)
            path.removeLast()
            position += 1
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw Self.malformed
            }
        }
    }

    /// An array of strings; `null` elements are dropped.
    mutating func strings() throws(RecordError) -> [String] {
        var values: [String] = []
        try array { reader throws(RecordError) in
            if let value = try reader.optionalString() { values.append(value) }
        }
        return values
    }

    /// Checks that nothing but white space follows the top-level value.
    mutating func end() throws(RecordError) {
        skipSpace()
        guard index == bytes.count else { throw Self.malformed }
    }

    // MARK: Scalars

    /// A string, or `nil` for `null`.
    mutating func optionalString() throws(RecordError) -> String? {
        skipSpace()
        if consumeNull() { return nil }
        guard peek() == UInt8(ascii: "\"") else {
            try skip()
            throw error("expected String")
        }
        return try rawString()
    }

    /// A required string.
    mutating func string() throws(RecordError) -> String {
        guard let value = try optionalString() else { throw error("missing String value") }
        return value
    }

    /// An integer, or `nil` for `null`.
    mutating func optionalInt() throws(RecordError) -> Int? {
        skipSpace()
        if consumeNull() { return nil }
        let text = try numberText()
        guard let value = Int(text) else { throw error("expected Int") }
        return value
    }

    /// A number, or `nil` for `null`.
    mutating func optionalDouble() throws(RecordError) -> Double? {
        skipSpace()
        if consumeNull() { return nil }
        let text = try numberText()
        guard let value = Double(text) else { throw error("expected Double") }
        return value
    }

    /// A required number.
    mutating func double() throws(RecordError) -> Double {
        guard let value = try optionalDouble() else { throw error("missing Double value") }
        return value
    }

    /// A boolean, or `nil` for `null`.
    mutating func optionalBool() throws(RecordError) -> Bool? {
        skipSpace()
        if consumeNull() { return nil }
        if matches("true") {
            index += 4
            return true
        }
        if matches("false") {
            index += 5
            return false
        }
        try skip()
        throw error("expected Bool")
    }

    /// Skips one value of any kind, checking its syntax.
    mutating func skip() throws(RecordError) {
        skipSpace()
        switch peek() {
        case UInt8(ascii: "{"):
            try object { reader, _ throws(RecordError) in try reader.skip() }
        case UInt8(ascii: "["):
            try array { reader throws(RecordError) in try reader.skip() }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"):
            guard matches("true") else { throw Self.malformed }
            index += 4
        case UInt8(ascii: "f"):
            guard matches("false") else { throw Self.malformed }
            index += 5
        case UInt8(ascii: "n"):
            guard consumeNull() else { throw Self.malformed }
        default:
            _ = try numberText()
        }
    }

    // MARK: Bytes

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { literalBytes in
            for offset in 0..<count where bytes[index + offset] != literalBytes[offset] { return false }
            return true
        }
    }

    private mutating func consumeNull() -> Bool {
        guard matches("null") else { return false }
        index += 4
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, ASCII.isSpace(bytes[index]) { index += 1 }
    }

    private mutating func numberText() throws(RecordError) -> Substring {
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                guard index > start else {
                    if let byte = peek(), byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "{")
                        || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f")
                    {
                        try skip()
                        throw error("expected a number")
                    }
                    throw Self.malformed
                }
                return Substring(decoding: bytes[start..<index], as: UTF8.self)
            }
        }
        guard index > start else { throw Self.malformed }
        return Substring(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipString() throws(RecordError) {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        throw Self.malformed
    }

    /// Reads a string starting at its opening quote, decoding escapes.
    private mutating func rawString() throws(RecordError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let value = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return value
            }
            if byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        var output = Array(bytes[start..<index])
        while index < bytes.count {
            // Copy the run up to the next quote or backslash in one go.
            let runStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                index += 1
            }
            output.append(contentsOf: bytes[runStart..<index])
            guard index < bytes.count else { break }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: output, as: UTF8.self)
            }
            guard index + 1 < bytes.count else { throw Self.malformed }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar), matches("\\u") {
                    index += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: Array(String(Character(character)).utf8))
            default: throw Self.malformed
            }
        }
        throw Self.malformed
    }

    private mutating func hex4() throws(RecordError) -> UInt32 {
        guard index + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw Self.malformed }
        index += 4
        return value
    }
}
