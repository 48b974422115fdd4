import Foundation

/// An e-mail address as accounts and subscriptions keep it: trimmed and lower-cased, checked for the shape
/// `local@domain.tld` with no spaces, control characters or header-breaking characters.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains(".."),
            trimmed.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value != 127 && !"<>()[]\\,;:\"".unicodeScalars.contains($0) })
        else { return nil }
        value = trimmed
    }

    public var description: String { value }
}

/// What a new password must be: long enough to resist guessing (NIST SP 800-63B: at least 10 characters here, at
/// most 128 since bcrypt reads 72 bytes), not the e-mail address, not one repeated character.
public enum PasswordRule: String, Sendable, Error, CaseIterable {
    case tooShort = "too-short"
    case tooLong = "too-long"
    case sameAsEmail = "same-as-email"
    case repetitive

    public static let minimumLength = 10
    public static let maximumLength = 128

    /// The first rule `password` breaks, or `nil` when it is acceptable.
    public static func check(_ password: String, email: String) -> PasswordRule? {
        if password.count < minimumLength { return .tooShort }
        if password.count > maximumLength || password.utf8.count > 72 * 4 { return .tooLong }
        if password.lowercased() == email.lowercased() { return .sameAsEmail }
        if Set(password).count < 3 { return .repetitive }
        return nil
    }
}
