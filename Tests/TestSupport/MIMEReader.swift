import Foundation

/// A small, independent reader of the messages `MailMessage` renders, so tests check what a mail client would see:
/// unfolded headers, RFC 2047 encoded-words decoded (B and Q), quoted-printable bodies decoded, multipart split.
public struct MIMEReader {
    /// Raw header lines as rendered (folded), in order.
    public var headerLines: [String]
    /// Unfolded headers, in order, values raw (not decoded).
    public var headers: [(name: String, value: String)]
    /// The body bytes after the blank line, as text.
    public var body: String

    public init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let split = text.range(of: "\r\n\r\n")!
        let head = String(text[..<split.lowerBound])
        body = String(text[split.upperBound...])
        headerLines = head.components(separatedBy: "\r\n")
        headers = []
        for line in headerLines {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                headers[headers.count - 1].value += line
            } else {
                let colon = line.firstIndex(of: ":")!
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
    }

    /// The first header named `name`, unfolded, raw.
    public func raw(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The first header named `name`, unfolded and decoded.
    public func decoded(_ name: String) -> String? {
        raw(name).map(Self.decodeEncodedWords)
    }

    /// The `boundary` parameter of the Content-Type header.
    public var boundary: String? {
        guard let contentType = raw("Content-Type"), let range = contentType.range(of: "boundary=\"") else { return nil }
        let rest = contentType[range.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    /// The parts of a multipart body: each part's headers and raw body.
    public func parts() -> [MIMEReader] {
        guard let boundary else { return [] }
        let sections = body.components(separatedBy: "--\(boundary)")
        // [preamble, part, part, "--\r\n"]
        return sections.dropFirst().dropLast().map { section in
            var section = section
            if section.hasPrefix("\r\n") { section.removeFirst() }
            if section.hasSuffix("\r\n") { section.removeLast() }
            return MIMEReader(Array(section.utf8))
        }
    }

    /// Decodes `=?charset?B|Q?…?=` words (UTF-8 only); the whitespace between two adjacent encoded-words is dropped.
    public static func decodeEncodedWords(_ text: String) -> String {
        let pattern = try! NSRegularExpression(pattern: "=\\?([^?]+)\\?([BbQq])\\?([^?]*)\\?=")
        var result = ""
        var cursor = text.startIndex
        var previousWasWord = false
        let nsText = text as NSString
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: nsText.length)) {
            let range = Range(match.range, in: text)!
            let between = String(text[cursor..<range.lowerBound])
            if !(previousWasWord && between.allSatisfy({ $0 == " " || $0 == "\t" })) {
                result += between
            }
            let encoding = nsText.substring(with: match.range(at: 2)).uppercased()
            let payload = nsText.substring(with: match.range(at: 3))
            let bytes: [UInt8]
            if encoding == "B" {
                bytes = Array(Data(base64Encoded: payload) ?? Data())
            } else {
                bytes = decodeQuotedPrintable(payload.replacingOccurrences(of: "_", with: " "))
            }
            result += String(decoding: bytes, as: UTF8.self)
            cursor = range.upperBound
            previousWasWord = true
        }
        result += text[cursor...]
        return result
    }

    /// Quoted-printable to bytes: soft breaks removed, `=XX` decoded.
    public static func decodeQuotedPrintable(_ text: String) -> [UInt8] {
        let bytes = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count,
                let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                output.append(value)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    /// The body decoded per its Content-Transfer-Encoding, as UTF-8 text.
    public var decodedBody: String {
        if raw("Content-Transfer-Encoding")?.lowercased() == "quoted-printable" {
            return String(decoding: Self.decodeQuotedPrintable(body), as: UTF8.self)
        }
        return body
    }
}
