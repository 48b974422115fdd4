#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An e-mail message: a pure value that renders to RFC 5322 bytes.
///
/// ```swift
/// let message = MailMessage(
///     from: MailAddress("alertes@passerelle.quebec", displayName: "Passerelle"),
///     to: [MailAddress("zoe@example.org", displayName: "Zoé Tremblay")],
///     subject: "Nouvel essai : lymphome à grandes cellules B — recrutement ouvert",
///     text: "Bonjour…", html: "<p>Bonjour…</p>",
///     messageID: "alert-42.7@passerelle.quebec",
///     headers: [MailHeader("List-Unsubscribe", "<https://passerelle.quebec/desabonnement/abc>")])
/// let bytes = try message.rendered()
/// ```
///
/// Rendering is deterministic: the same message and date give the same bytes (the multipart boundary is derived from
/// the content), so a retried alert is byte-for-byte the one sent before, with the same caller-chosen Message-ID.
public struct MailMessage: Sendable, Hashable {
    /// The author, in `From:` and as the SMTP envelope sender (`MAIL FROM`).
    public var from: MailAddress
    /// The recipients, in `To:` and as the envelope recipients (`RCPT TO`, duplicates sent once). At least one.
    public var to: [MailAddress]
    /// Where replies go, or nil for `from`.
    public var replyTo: MailAddress?
    /// Any text; non-ASCII is RFC 2047-encoded.
    public var subject: String
    /// The plain-text body (any line breaks; sent as CRLF, quoted-printable UTF-8).
    public var text: String
    /// The HTML alternative, or nil for a text-only message.
    public var html: String?
    /// The Message-ID without or with its angle brackets (`alert-42@passerelle.quebec`): chosen by the caller so that
    /// the same alert always has the same Message-ID and receivers can discard duplicates of a retried send.
    public var messageID: String
    /// The `Date:` header, or nil for the time of rendering.
    public var date: Date?
    /// Further headers in order, after the standard ones: `List-Unsubscribe`, `List-Unsubscribe-Post`,
    /// `X-Passerelle-Key`… Names the message sets itself (From, To, Subject, Content-Type…) are refused.
    public var headers: [MailHeader]

    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String, text: String,
        html: String? = nil, messageID: String, date: Date? = nil, headers: [MailHeader] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.headers = headers
    }

    /// The Message-ID in angle brackets, as in the header.
    public var bracketedMessageID: String {
        var id = messageID
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 { id = String(id.dropFirst().dropLast()) }
        return "<\(id)>"
    }

    /// The envelope recipients: the `to` addresses in order, each once.
    public var recipients: [String] {
        var seen: Set<String> = []
        return to.map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }

    /// Throws the first problem that would make the message unsafe or invalid to send, naming the field: a line break
    /// or control character in any header text or address (header injection), a malformed address, Message-ID or
    /// header name, no recipient.
    public func validate() throws(MailMessageError) {
        try from.validate(field: "From")
        guard !to.isEmpty else { throw MailMessageError(field: "To", reason: "has no recipient") }
        for address in to { try address.validate(field: "To") }
        try replyTo?.validate(field: "Reply-To")
        try HeaderText.validate(subject, field: "Subject")
        try Self.validateMessageID(messageID)
        for header in headers { try header.validate() }
    }

    /// The message as RFC 5322 bytes: CRLF line endings, 7-bit ASCII only (RFC 2047 headers, quoted-printable
    /// bodies), header lines folded at 76 characters where they have spaces, no final `.` line (SMTP framing is the
    /// client's job).
    ///
    /// - Parameter date: the `Date:` header's time; default `self.date`, else now.
    public func rendered(date: Date? = nil) throws(MailMessageError) -> [UInt8] {
        try validate()
        let when = date ?? self.date ?? Date()
        var lines: [String] = []
        func add(_ name: String, _ value: String) throws(MailMessageError) {
            lines.append(try HeaderFolding.fold(name: name, value: value))
        }
        try add("Date", RFC5322Date.format(secondsSince1970: Int64(when.timeIntervalSince1970.rounded(.down))))
        try add("From", Self.addressList([from], headerName: "From"))
        try add("To", Self.addressList(to, headerName: "To"))
        if let replyTo { try add("Reply-To", Self.addressList([replyTo], headerName: "Reply-To")) }
        try add("Message-ID", bracketedMessageID)
        try add("Subject", Self.unstructured(subject, headerName: "Subject"))
        for header in headers {
            try add(header.name, Self.unstructured(header.value, headerName: header.name))
        }
        try add("MIME-Version", "1.0")

        var body: [UInt8] = []
        if let html {
            let boundary = self.boundary
            try add("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
            body += Array("This is a multi-part message in MIME format.\r\n\r\n".utf8)
            for (type, content) in [("text/plain", text), ("text/html", html)] {
                body += Array("--\(boundary)\r\nContent-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
                // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1): one more keeps the
                // part's last line break.
                body += QuotedPrintable.encode(content) + [0x0D, 0x0A]
            }
            body += Array("--\(boundary)--\r\n".utf8)
        } else {
            try add("Content-Type", "text/plain; charset=UTF-8")
            try add("Content-Transfer-Encoding", "quoted-printable")
            body = QuotedPrintable.encode(text)
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }

    /// The multipart boundary: `=_Passerelle_` and a hash of the content. `=_` never occurs in quoted-printable
    /// output, so the boundary cannot occur in the encoded bodies whatever they contain.
    var boundary: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [messageID, subject, text, html ?? ""] {
            for byte in part.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "=_Passerelle_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// An unstructured header value: as is when plain ASCII, else encoded-words sized for the header's first line.
    static func unstructured(_ text: String, headerName: String) -> String {
        if HeaderText.isPlainASCII(text) { return text }
        return EncodedWords.encode(text, firstLength: HeaderFolding.lineLength - headerName.utf8.count - 2)
    }

    /// `Name <address>, address, …`, display names as atoms, a quoted string or encoded-words.
    static func addressList(_ addresses: [MailAddress], headerName: String) -> String {
        addresses.enumerated().map { index, address in
            guard let name = address.displayName, !name.isEmpty else { return address.address }
            let firstLength = index == 0 ? HeaderFolding.lineLength - headerName.utf8.count - 2 : EncodedWords.maximumLength
            return "\(phrase(name, firstLength: firstLength)) <\(address.address)>"
        }.joined(separator: ", ")
    }

    /// A display name as an RFC 5322 phrase.
    static func phrase(_ name: String, firstLength: Int) -> String {
        let isAtoms = name.split(separator: " ", omittingEmptySubsequences: false).allSatisfy { word in
            !word.isEmpty && word.utf8.allSatisfy(MailAddress.isAtext)
        }
        if isAtoms && !name.contains("=?") { return name }
        if HeaderText.isPlainASCII(name) {
            return "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        return EncodedWords.encode(name, firstLength: firstLength)
    }

    static func validateMessageID(_ id: String) throws(MailMessageError) {
        try HeaderText.validate(id, field: "Message-ID")
        var bare = Substring(id)
        if bare.hasPrefix("<") && bare.hasSuffix(">") && bare.count >= 2 { bare = bare.dropFirst().dropLast() }
        let parts = bare.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            bare.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "\"") })
        else {
            throw MailMessageError(field: "Message-ID", reason: "\"\(HeaderText.printable(id))\" is not of the form left@right (printable ASCII, no spaces or angle brackets inside)")
        }
    }
}

/// A header the caller adds to a message, e.g. `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
public struct MailHeader: Sendable, Hashable {
    /// The field name: printable ASCII without `:` or spaces.
    public var name: String
    /// The value, unfolded; non-ASCII is RFC 2047-encoded.
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Names `MailMessage` writes itself; adding one of them as a header is refused.
    public static let reservedNames: Set<String> = [
        "date", "from", "sender", "to", "cc", "bcc", "reply-to", "message-id", "subject", "mime-version",
        "content-type", "content-transfer-encoding", "return-path",
    ]

    /// Throws on a malformed or reserved name, or a value with a line break or control character (header injection).
    public func validate() throws(MailMessageError) {
        guard !name.isEmpty, name.utf8.count <= 60, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
            throw MailMessageError(field: "header \"\(HeaderText.printable(name))\"", reason: "has a malformed name (1 to 60 printable ASCII characters, no colon or space)")
        }
        guard !Self.reservedNames.contains(name.lowercased()) else {
            throw MailMessageError(field: "header \(name)", reason: "is set by the message itself; use the MailMessage property")
        }
        try HeaderText.validate(value, field: "header \(name)")
    }
}

/// Why a message cannot be rendered or sent: the field and the problem.
public struct MailMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header or part at fault: `From`, `To`, `Subject`, `Message-ID`, `header X-Passerelle-Key`…
    public var field: String
    /// What is wrong with it.
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "invalid \(field): \(reason)" }
}
