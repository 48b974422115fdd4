/// Header text checks: what may go into a header before encoding.
enum HeaderText {
    /// Throws when `text` contains CR, LF or another control character (tab is allowed): header injection.
    static func validate(_ text: String, field: String) throws(MailMessageError) {
        for scalar in text.unicodeScalars {
            if scalar == "\r" || scalar == "\n" {
                throw MailMessageError(field: field, reason: "contains a line break (CR or LF): \"\(printable(text))\"")
            }
            if (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            {
                throw MailMessageError(field: field, reason: "contains a control character: \"\(printable(text))\"")
            }
        }
    }

    /// `text` with control characters shown as `\r`, `\n` or `\u{…}`, for error messages.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(200) {
            switch scalar {
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// True when `text` can go in a header as it is: printable ASCII, spaces and tabs, and nothing that a reader
    /// could take for an encoded-word (`=?`).
    static func isPlainASCII(_ text: String) -> Bool {
        !text.utf8.contains(where: { $0 > 0x7E || ($0 < 0x20 && $0 != 0x09) }) && !text.contains("=?")
    }
}

/// RFC 2047 encoded-words: `=?UTF-8?B?…?=`.
enum EncodedWords {
    /// The longest encoded-word RFC 2047 allows.
    static let maximumLength = 75
    /// `=?UTF-8?B?` and `?=`.
    private static let overhead = 12

    /// `text` as encoded-words separated by single spaces (folding points). Each word is at most 75 characters, the
    /// first at most `firstLength`, and no word splits a character (grapheme cluster, or Unicode scalar when one
    /// cluster alone does not fit). Decoders ignore the space between adjacent encoded-words, so the words decode
    /// back to exactly `text`.
    static func encode(_ text: String, firstLength: Int = maximumLength) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = capacity(min(max(firstLength, 20), maximumLength))
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=")
            chunk.removeAll(keepingCapacity: true)
            limit = capacity(maximumLength)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count <= limit {
                chunk += bytes
                continue
            }
            flush()
            if bytes.count <= limit {
                chunk = bytes
            } else {
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > limit { flush() }
                    chunk += scalarBytes
                }
            }
        }
        flush()
        return words.isEmpty ? "=?UTF-8?B??=" : words.joined(separator: " ")
    }

    /// How many bytes fit in an encoded-word of at most `length` characters.
    private static func capacity(_ length: Int) -> Int {
        (length - overhead) / 4 * 3
    }
}

/// Standard base64 (RFC 4648) with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)], alphabet[Int(value & 63)]]
            index += 3
        }
        switch input.count - index {
        case 1:
            let value = UInt32(input[index]) << 16
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        case 2:
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output += [alphabet[Int(value >> 18 & 63)], alphabet[Int(value >> 12 & 63)], alphabet[Int(value >> 6 & 63)], UInt8(ascii: "=")]
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func encode(_ string: String) -> String {
        encode(Array(string.utf8))
    }
}

/// RFC 5322 header folding.
enum HeaderFolding {
    /// The line length folding aims at: RFC 2047 limits lines holding encoded-words to 76 characters (RFC 5322's
    /// recommendation is 78).
    static let lineLength = 76
    /// RFC 5322's hard limit, CRLF excluded.
    static let maximumLineLength = 998

    /// `Name: value` folded into lines of at most 76 characters where the value has spaces to fold at, each line but
    /// the last ending in CRLF followed by the space it was folded at; no CRLF at the end.
    ///
    /// `value` must be ASCII without CR or LF. Folds only before a space that follows a non-space and precedes a
    /// non-space, so no line is blank and unfolding (removing CRLF) gives back `value` exactly. A word longer than a
    /// line stays whole; a line longer than 998 characters throws.
    static func fold(name: String, value: String) throws(MailMessageError) -> String {
        let bytes = Array(value.utf8)
        var segments: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where index > 0 && bytes[index] == UInt8(ascii: " ") {
            let previous = bytes[index - 1]
            let next = index + 1 < bytes.count ? bytes[index + 1] : UInt8(ascii: " ")
            if previous != UInt8(ascii: " ") && previous != UInt8(ascii: "\t") && next != UInt8(ascii: " ") && next != UInt8(ascii: "\t") {
                segments.append(bytes[start..<index])
                start = index
            }
        }
        segments.append(bytes[start...])

        var output = Array("\(name): ".utf8)
        var lineStart = 0
        for (position, segment) in segments.enumerated() {
            if position > 0 && output.count - lineStart + segment.count > lineLength {
                output += [0x0D, 0x0A]
                lineStart = output.count
            }
            output += segment
            if output.count - lineStart > maximumLineLength {
                throw MailMessageError(field: name, reason: "has a word too long for a header line (over 998 characters)")
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Quoted-printable (RFC 2045 §6.7) for text bodies.
enum QuotedPrintable {
    /// The longest encoded line, soft break `=` included, CRLF excluded.
    static let lineLength = 76

    /// The UTF-8 of `text` quoted-printable encoded, with its line breaks (CRLF, CR or LF) as CRLF and a final CRLF.
    ///
    /// Printable ASCII but `=` is kept; `=`, other bytes, and a space or tab ending a line become `=XX`; lines longer
    /// than 76 characters get soft breaks (`=` CRLF) that never split an `=XX`. A line starting with `From ` gets its
    /// `F` encoded so mbox-style relays cannot mangle it. The output never contains `=_`, so a multipart boundary
    /// starting with `=_` cannot occur in it.
    static func encode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8 + 4)
        for line in lines(of: text) {
            var lineLength = 0
            for (index, byte) in line.enumerated() {
                let isLast = index == line.count - 1
                var token: [UInt8]
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    token = isLast ? escaped(byte) : [byte]
                case UInt8(ascii: "="):
                    token = escaped(byte)
                case 0x21...0x7E:
                    token = [byte]
                default:
                    token = escaped(byte)
                }
                if index == 0 && byte == UInt8(ascii: "F") && line.starts(with: Array("From ".utf8)) {
                    token = escaped(byte)
                }
                // Room for the token plus a soft break after it unless it ends the line.
                let room = isLast ? lineLength : lineLength + 1
                if room + token.count > Self.lineLength {
                    output += [UInt8(ascii: "="), 0x0D, 0x0A]
                    lineLength = 0
                }
                output += token
                lineLength += token.count
            }
            output += [0x0D, 0x0A]
        }
        return output
    }

    /// The UTF-8 lines of `text`, split at CRLF, CR or LF. A final line break does not start an empty line.
    static func lines(of text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var previousCR = false
        for byte in text.utf8 {
            if byte == 0x0A && previousCR {
                previousCR = false
                continue
            }
            previousCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                lines.append(current)
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func escaped(_ byte: UInt8) -> [UInt8] {
        [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}

/// RFC 5322 `date-time` in UTC, e.g. `Tue, 15 Jul 2025 14:03:00 +0000`.
enum RFC5322Date {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// - Parameter seconds: seconds since 1970-01-01T00:00:00Z.
    static func format(secondsSince1970 seconds: Int64) -> String {
        let dayNumber = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - dayNumber * 86_400
        // Howard Hinnant's civil-from-days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = days[Int(((dayNumber % 7) + 7) % 7)]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(day) \(months[Int(month - 1)]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }
}
