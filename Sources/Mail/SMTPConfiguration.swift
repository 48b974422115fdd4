#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how to submit mail: host, port, TLS, credentials, timeouts.
///
/// Usually parsed from a URL (`--smtp` / `PASSERELLE_SMTP`):
///
///     smtp://user:password@host:port?starttls=required&tls_verify=false&helo=name&timeout=60&connect_timeout=10
///
/// - `smtp://` connects in plaintext and upgrades with STARTTLS per `starttls` (default port 25; 587 is the usual
///   submission port). `smtps://` is TLS from the first byte (implicit TLS, default port 465).
/// - user and password are percent-decoded (`%40` for `@`, `%3A` for `:`); both or neither.
/// - `starttls=required|opportunistic|never` (default `opportunistic`: upgrade when the server offers it).
///   Not allowed with `smtps://`.
/// - `tls_verify=false` accepts any certificate. **Insecure**: anyone on the path can read the mail and the password.
///   Only for tests and a relay on the same machine.
/// - `helo=name`: the name the client gives in EHLO/HELO (default: this machine's host name).
/// - `timeout=seconds` for each server reply (default 60), `connect_timeout=seconds` (default 10).
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// When to upgrade a plaintext connection with STARTTLS.
    public enum StartTLSPolicy: String, Sendable, Hashable, CaseIterable {
        /// Upgrade, and fail (permanently) when the server does not offer STARTTLS.
        case required
        /// Upgrade when the server offers STARTTLS, else go on in plaintext.
        case opportunistic
        /// Never upgrade.
        case never
    }

    /// A user name and password for SMTP AUTH.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// The user name only; the password is never shown.
        public var description: String { "\(username):***" }
    }

    /// The server's host name or IP address (IPv6 without brackets).
    public var host: String
    public var port: Int
    /// TLS from the first byte (`smtps://`). When true `startTLS` does not apply.
    public var implicitTLS: Bool
    public var startTLS: StartTLSPolicy
    /// Whether the server's certificate is verified (chain and host name). Turning it off is insecure: only for tests
    /// and a relay on the same machine.
    public var verifyCertificates: Bool
    /// For AUTH PLAIN or LOGIN; nil sends without authenticating.
    public var credentials: Credentials?
    /// The client's name in EHLO/HELO.
    public var heloName: String
    public var connectTimeout: Duration
    /// How long to wait for each reply, the greeting and the reply to the end of the message data included.
    public var replyTimeout: Duration

    public init(
        host: String, port: Int? = nil, implicitTLS: Bool = false, startTLS: StartTLSPolicy = .opportunistic,
        verifyCertificates: Bool = true, credentials: Credentials? = nil, heloName: String? = nil,
        connectTimeout: Duration = .seconds(10), replyTimeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port ?? (implicitTLS ? 465 : 25)
        self.implicitTLS = implicitTLS
        self.startTLS = startTLS
        self.verifyCertificates = verifyCertificates
        self.credentials = credentials
        self.heloName = heloName ?? Self.localHostName()
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }

    /// Parses `smtp://` and `smtps://` URLs (see the type's documentation). Errors name the part of the URL at fault
    /// and never contain the password.
    public init(url: String) throws(SMTPConfigurationError) {
        func fail(_ part: String, _ reason: String) -> SMTPConfigurationError {
            SMTPConfigurationError(part: part, reason: reason)
        }
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw fail("scheme", "the URL must start with smtp:// or smtps://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "smtp" || scheme == "smtps" else {
            throw fail("scheme", "\"\(scheme)\" is not smtp or smtps")
        }
        var rest = url[schemeEnd.upperBound...]
        if rest.contains("#") { throw fail("fragment", "a URL fragment (#…) is not allowed") }
        var query: Substring = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let path = rest[slash...]
            guard path == "/" else { throw fail("path", "\"\(path)\" is not allowed (nothing may follow host:port)") }
        }

        var credentials: Credentials?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw fail("password", "missing: give user:password, or neither")
            }
            guard let username = Self.percentDecoded(userInfo[..<colon]) else {
                throw fail("user", "has an invalid percent escape")
            }
            guard let password = Self.percentDecoded(userInfo[userInfo.index(after: colon)...]) else {
                throw fail("password", "has an invalid percent escape")
            }
            guard !username.isEmpty else { throw fail("user", "is empty") }
            guard !password.isEmpty else { throw fail("password", "is empty") }
            credentials = Credentials(username: username, password: password)
        }

        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("host", "IPv6 address without a closing ]") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("host", "unexpected \"\(after)\" after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
            if host.contains(":") { throw fail("host", "an IPv6 address must be in brackets, e.g. smtp://[::1]:25") }
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw fail("host", "is missing") }
        guard host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !Array("/?#@[]\\%\"<>".utf8).contains($0) }) else {
            throw fail("host", "\"\(host)\" has a character not allowed in a host name")
        }
        var port: Int?
        if let portText {
            guard let value = Int(portText), portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), (1...65535).contains(value) else {
                throw fail("port", "\"\(portText)\" is not a number from 1 to 65535")
            }
            port = value
        }

        let implicitTLS = scheme == "smtps"
        var startTLS = StartTLSPolicy.opportunistic
        var verify = true
        var heloName: String?
        var connectTimeout = Duration.seconds(10)
        var replyTimeout = Duration.seconds(60)
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(pair[0])
            guard let value = pair.count == 2 ? Self.percentDecoded(pair[1]) : nil else {
                throw fail("option \(key)", "needs a value (\(key)=…)")
            }
            switch key {
            case "starttls":
                guard !implicitTLS else { throw fail("option starttls", "does not apply to smtps:// (TLS from the first byte)") }
                guard let policy = StartTLSPolicy(rawValue: value.lowercased()) else {
                    throw fail("option starttls", "\"\(value)\" is not required, opportunistic or never")
                }
                startTLS = policy
            case "tls_verify":
                switch value.lowercased() {
                case "true", "1", "yes": verify = true
                case "false", "0", "no": verify = false
                default: throw fail("option tls_verify", "\"\(value)\" is not true or false")
                }
            case "helo":
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    throw fail("option helo", "\"\(value)\" is not a host name (printable ASCII, no spaces)")
                }
                heloName = value
            case "timeout", "connect_timeout":
                guard let seconds = Double(value), seconds > 0, seconds <= 86_400 else {
                    throw fail("option \(key)", "\"\(value)\" is not a number of seconds (0 < s ≤ 86400)")
                }
                let duration = Duration.milliseconds(Int64((seconds * 1000).rounded()))
                if key == "timeout" { replyTimeout = duration } else { connectTimeout = duration }
            default:
                throw fail("option \(key)", "is unknown (starttls, tls_verify, helo, timeout, connect_timeout)")
            }
        }
        self.init(
            host: String(host), port: port, implicitTLS: implicitTLS, startTLS: startTLS, verifyCertificates: verify,
            credentials: credentials, heloName: heloName, connectTimeout: connectTimeout, replyTimeout: replyTimeout)
    }

    /// The configuration as a URL with the password replaced by `***`.
    public var description: String {
        var text = implicitTLS ? "smtps://" : "smtp://"
        if let credentials { text += "\(Self.percentEncoded(credentials.username)):***@" }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)"
        var options: [String] = []
        if !implicitTLS && startTLS != .opportunistic { options.append("starttls=\(startTLS.rawValue)") }
        if !verifyCertificates { options.append("tls_verify=false") }
        return options.isEmpty ? text : text + "?" + options.joined(separator: "&")
    }

    /// True when `host` names this machine (`localhost`, 127.0.0.0/8, `::1`).
    var hostIsLoopback: Bool {
        Self.isLoopback(host)
    }

    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || lowered == "::1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy({ UInt8($0) != nil }) && octets[0] == "127"
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if (MailAddress.isAtext(byte) && byte != UInt8(ascii: "%")) || byte == UInt8(ascii: ".") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// This machine's host name, or `localhost`.
    static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return !name.isEmpty && name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) ? name : "localhost"
    }
}

/// A malformed SMTP URL: the part at fault (`scheme`, `user`, `password`, `host`, `port`, `path`, `option …`) and why.
/// Never contains the password.
public struct SMTPConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var part: String
    public var reason: String

    public init(part: String, reason: String) {
        self.part = part
        self.reason = reason
    }

    public var description: String { "invalid SMTP URL: \(part) \(reason)" }
}
