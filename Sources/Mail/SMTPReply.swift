import NIOCore

/// A server reply: a three-digit code and one or more lines of text (`250-first`, `250 last`).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// The text of each line, without the code and separator.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The lines joined by spaces.
    public var text: String { lines.joined(separator: " ") }

    /// 2xx.
    public var isPositiveCompletion: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
    public var isPositiveIntermediate: Bool { (300..<400).contains(code) }

    public var description: String { "\(code) \(text)" }
}

/// What the server announced in its EHLO reply.
public struct SMTPExtensions: Sendable, Hashable {
    /// Keywords (upper-cased) with their parameters: `["AUTH": ["PLAIN", "LOGIN"], "SIZE": ["35882577"], …]`.
    public var keywords: [String: [String]]

    public init(keywords: [String: [String]] = [:]) {
        self.keywords = keywords
    }

    /// The extensions in an EHLO reply: every line after the first is `KEYWORD [PARAM…]`.
    public init(ehloReply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let keyword = words.first else { continue }
            // Old servers also send `AUTH=LOGIN PLAIN`.
            let parts = keyword.split(separator: "=", maxSplits: 1)
            let name = parts[0].uppercased()
            let parameters = (parts.count == 2 ? [parts[1]] : []) + words.dropFirst()
            keywords[name, default: []] += parameters.map { String($0) }
        }
        self.keywords = keywords
    }

    public var supportsStartTLS: Bool { keywords["STARTTLS"] != nil }
    public var supports8BitMIME: Bool { keywords["8BITMIME"] != nil }
    public var supportsPipelining: Bool { keywords["PIPELINING"] != nil }
    /// The AUTH mechanisms, upper-cased.
    public var authMechanisms: Set<String> { Set((keywords["AUTH"] ?? []).map { $0.uppercased() }) }
    /// The largest message the server accepts, when it announced SIZE with a limit (0 means no limit).
    public var maximumSize: Int? {
        guard let value = keywords["SIZE"]?.first.flatMap({ Int($0) }), value > 0 else { return nil }
        return value
    }
}

/// Splits the server's bytes into replies. Lines end in CRLF (a bare LF is accepted); a reply is lines `ddd-text`
/// ended by a line `ddd text` or `ddd`, all with the same code.
struct SMTPReplyParser {
    /// The longest reply line accepted (RFC 5321 allows 512 octets; servers' texts can be longer).
    static let maximumLineLength = 4096
    /// The most lines in one reply.
    static let maximumLines = 200

    private var buffer = ByteBuffer()
    private var code: Int?
    private var lines: [String] = []

    /// True when bytes past the last complete reply are waiting: after a STARTTLS 220 this must be false (bytes sent
    /// before the TLS handshake would otherwise be read as if they came through TLS).
    var hasPendingInput: Bool { buffer.readableBytes > 0 || code != nil }

    mutating func append(_ bytes: inout ByteBuffer) {
        buffer.writeBuffer(&bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        buffer.writeBytes(bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    mutating func next() throws(SMTPError) -> SMTPReply? {
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            guard var line = buffer.readBytes(length: length + 1) else { return nil }
            line.removeLast()
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if buffer.readerIndex > 65_536 { buffer.discardReadBytes() }
            if let reply = try take(line) { return reply }
        }
        guard buffer.readableBytes <= Self.maximumLineLength else {
            throw SMTPError(kind: .protocolViolation, message: "reply line longer than \(Self.maximumLineLength) bytes")
        }
        return nil
    }

    private mutating func take(_ line: [UInt8]) throws(SMTPError) -> SMTPReply? {
        let printable = String(decoding: line.prefix(100), as: UTF8.self)
        guard line.count <= Self.maximumLineLength else {
            throw SMTPError(kind: .protocolViolation, message: "reply line longer than \(Self.maximumLineLength) bytes")
        }
        guard line.count >= 3, line[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), (0x32...0x35).contains(line[0]),
            line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-")
        else {
            throw SMTPError(kind: .protocolViolation, message: "malformed reply line \"\(printable)\"")
        }
        let lineCode = Int(line[0] - 0x30) * 100 + Int(line[1] - 0x30) * 10 + Int(line[2] - 0x30)
        if let code, code != lineCode {
            throw SMTPError(kind: .protocolViolation, message: "reply line \"\(printable)\" continues a \(code) reply with another code")
        }
        code = lineCode
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maximumLines else {
            throw SMTPError(kind: .protocolViolation, message: "reply of more than \(Self.maximumLines) lines")
        }
        if line.count > 3 && line[3] == UInt8(ascii: "-") { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines = []
        return reply
    }
}

/// SMTP's DATA framing (RFC 5321 §4.5.2).
enum SMTPData {
    /// `message` ready to follow DATA: a `.` added before every line starting with `.`, a final CRLF when missing,
    /// then the `.` CRLF terminator. Bare CR and LF become CRLF.
    static func framed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == 0x0D || byte == 0x0A {
                output += [0x0D, 0x0A]
                index += (byte == 0x0D && index + 1 < message.count && message[index + 1] == 0x0A) ? 2 : 1
                atLineStart = true
                continue
            }
            if atLineStart && byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = false
            index += 1
        }
        if !atLineStart { output += [0x0D, 0x0A] }
        output += [UInt8(ascii: "."), 0x0D, 0x0A]
        return output
    }
}
