/// An e-mail address with an optional display name, as in `Zoé Tremblay <zoe@example.org>`.
///
/// The address is an ASCII `local@domain` (a dot-atom on both sides, or a bracketed address literal for the domain);
/// the display name is any text without line breaks or control characters and is RFC 2047-encoded when rendered.
/// Internationalized addresses (non-ASCII local parts or domains) need SMTPUTF8 and are rejected: give a domain in its
/// punycode form (`xn--…`).
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The `local@domain` address, used as is in headers and in the SMTP envelope.
    public var address: String
    /// The name shown to people, or nil.
    public var displayName: String?

    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// The unencoded human form, `Name <local@domain>` or `local@domain`.
    public var description: String {
        guard let displayName, !displayName.isEmpty else { return address }
        return "\(displayName) <\(address)>"
    }

    /// Throws unless the address and display name are safe to put in a header and an SMTP command.
    ///
    /// - Parameter field: the header the address is for (`From`, `To`, `Reply-To`), named in the error.
    public func validate(field: String) throws(MailMessageError) {
        try Self.validateAddress(address, field: field)
        if let displayName {
            try HeaderText.validate(displayName, field: "\(field) display name")
        }
    }

    static func validateAddress(_ address: String, field: String) throws(MailMessageError) {
        func fail(_ reason: String) -> MailMessageError {
            MailMessageError(field: field, reason: "address \"\(HeaderText.printable(address))\" \(reason)")
        }
        if address.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw fail("contains a line break (CR or LF)")
        }
        if address.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw fail("contains a control character")
        }
        if address.unicodeScalars.contains(where: { $0.value > 0x7F }) {
            throw fail("contains non-ASCII characters (internationalized addresses need SMTPUTF8, which is not supported; use the punycode form of the domain)")
        }
        let bytes = Array(address.utf8)
        guard bytes.count <= 254 else { throw fail("is longer than 254 characters") }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else {
            throw fail("is not of the form local@domain")
        }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard local.count <= 64 else { throw fail("has a local part longer than 64 characters") }
        guard isDotAtom(local) else {
            throw fail("has a local part with a character not allowed (quoted local parts are not supported) or a misplaced dot")
        }
        if domain.first == UInt8(ascii: "[") {
            let literal = domain.dropFirst().dropLast()
            guard domain.last == UInt8(ascii: "]"), !literal.isEmpty,
                literal.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\\") })
            else { throw fail("has a malformed address literal as its domain") }
        } else {
            guard domain.allSatisfy(isDomainCharacter), isDotAtom(domain) else {
                throw fail("has a domain with a character not allowed (letters, digits, '-' and '.')")
            }
        }
    }

    private static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, first != UInt8(ascii: "."), last != UInt8(ascii: ".") else {
            return false
        }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isAtext(byte) else { return false }
                previousDot = false
            }
        }
        return true
    }

    /// RFC 5322 `atext`: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    private static func isDomainCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }
}

extension MailAddress: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
