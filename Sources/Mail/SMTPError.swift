import NIOCore
import NIOPosix
import NIOSSL

/// Why sending failed, classified for retry: ``isPermanent`` errors will fail again the same way (give up, or fix
/// the configuration); the others are transient (retry later with backoff).
///
/// | kind | permanent? |
/// |---|---|
/// | `reply` | when the code is 5xx; 4xx is transient |
/// | `configuration` (STARTTLS required but not offered, credentials refused over plaintext, no common AUTH mechanism) | yes |
/// | `invalidMessage` (fails `MailMessage.validate()`, larger than the server's SIZE) | yes |
/// | `connection`, `timeout`, `tls`, `protocolViolation` | no |
///
/// A timeout or lost connection after the message data was sent may hide a delivered message: the retry then sends
/// it again, with the same Message-ID (receivers and the `X-Passerelle-Key` header let duplicates be spotted).
public struct SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Could not connect, or the connection was lost.
        case connection
        /// No connection or reply in time.
        case timeout
        /// The TLS handshake failed (certificate not trusted, name mismatch, no common protocol…).
        case tls
        /// The server answered with an error (or unexpected) reply code: see ``SMTPError/code``.
        case reply
        /// The server said something that is not SMTP.
        case protocolViolation
        /// The configuration and the server do not fit (STARTTLS, AUTH).
        case configuration
        /// The message cannot be sent as it is.
        case invalidMessage
    }

    public var kind: Kind
    /// The reply code (`550`) when the server answered.
    public var code: Int?
    /// The server's reply text, or a description of what went wrong. Never contains credentials.
    public var message: String
    /// The step that failed: `connect`, `greeting`, `EHLO`, `STARTTLS`, `AUTH`, `MAIL FROM`, `RCPT TO`, `DATA`,
    /// `end of data`…
    public var command: String?
    /// True when retrying cannot help (5xx replies, configuration and message errors).
    public var isPermanent: Bool

    public init(kind: Kind, code: Int? = nil, message: String, command: String? = nil, isPermanent: Bool? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.command = command
        self.isPermanent =
            isPermanent
            ?? {
                switch kind {
                case .reply: (code ?? 0) >= 500 && (code ?? 0) < 600
                case .configuration, .invalidMessage: true
                case .connection, .timeout, .tls, .protocolViolation: false
                }
            }()
    }

    /// The server's error reply to `command`.
    init(reply: SMTPReply, command: String) {
        self.init(kind: .reply, code: reply.code, message: reply.text, command: command)
    }

    /// True for errors worth retrying later.
    public var isTransient: Bool { !isPermanent }

    /// The enhanced status code at the start of the reply text (`5.7.8`), when the server gave one (RFC 3463).
    public var enhancedStatusCode: String? {
        guard kind == .reply, let first = message.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        return String(first)
    }

    public var description: String {
        var text = "SMTP"
        if let command { text += " \(command)" }
        switch kind {
        case .reply: text += " failed: \(code.map(String.init) ?? "?") \(message)"
        case .connection: text += " connection error: \(message)"
        case .timeout: text += " timed out: \(message)"
        case .tls: text += " TLS error: \(message)"
        case .protocolViolation: text += " protocol error: \(message)"
        case .configuration: text += " configuration error: \(message)"
        case .invalidMessage: text += " invalid message: \(message)"
        }
        return text + (isPermanent ? " (permanent)" : " (transient)")
    }

    /// `error` as an SMTPError: itself, or a connection, timeout or TLS error for NIO's errors.
    static func from(_ error: any Error, command: String?) -> SMTPError {
        switch error {
        case var error as SMTPError:
            if error.command == nil { error.command = command }
            return error
        case let error as MailMessageError:
            return SMTPError(kind: .invalidMessage, message: error.description, command: command)
        case let error as NIOConnectionError:
            return SMTPError(kind: .connection, message: "cannot connect to \(error.host):\(error.port): \(error)", command: command)
        case let error as ChannelError:
            if case .connectTimeout(let amount) = error {
                return SMTPError(kind: .timeout, message: "no connection after \(amount.nanoseconds / 1_000_000) ms", command: command)
            }
            return SMTPError(kind: .connection, message: "\(error)", command: command)
        case let error as NIOSSLError:
            return SMTPError(kind: .tls, message: "\(error)", command: command)
        case let error as BoringSSLError:
            return SMTPError(kind: .tls, message: "\(error)", command: command)
        case let error as NIOSSLExtraError:
            return SMTPError(kind: .tls, message: "\(error)", command: command)
        case is CancellationError:
            return SMTPError(kind: .connection, message: "cancelled", command: command)
        default:
            return SMTPError(kind: .connection, message: "\(error)", command: command)
        }
    }
}
