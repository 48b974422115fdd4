#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Submits messages to an SMTP server (RFC 5321) over SwiftNIO.
///
/// Each call opens one connection: greeting → EHLO (HELO when EHLO is refused) → STARTTLS and EHLO again (per
/// ``SMTPConfiguration/startTLS``; `smtps://` is TLS from the start) → AUTH PLAIN, else LOGIN, when credentials are
/// configured → for each message MAIL FROM, RCPT TO per recipient, DATA → QUIT.
///
/// Credentials are only sent over TLS, or in plaintext to a loopback address. The dialogue is logged at debug level
/// without AUTH payloads. Every wait has a deadline (``SMTPConfiguration/connectTimeout``,
/// ``SMTPConfiguration/replyTimeout``).
///
/// ```swift
/// let client = SMTPClient(configuration: try SMTPConfiguration(url: "smtp://alertes:secret@mail.example.org:587"))
/// let results = await client.send(messages)   // one connection, one result per message
/// ```
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "passerelle.mail.smtp")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "smtp.server"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
    }

    /// Sends one message on its own connection.
    ///
    /// - Throws: the ``SMTPError`` that stopped it; ``SMTPError/isPermanent`` says whether a retry can help.
    public func send(_ message: MailMessage) async throws(SMTPError) {
        try await send([message])[0].get()
    }

    /// Sends one already rendered message on its own connection.
    public func send(_ mail: OutgoingMail) async throws(SMTPError) {
        try await send([mail])[0].get()
    }

    /// Renders `messages` (at ``MailMessage/date``, else now) and sends them on one connection as
    /// `send(_ mails: [OutgoingMail])` does; a message that does not render fails alone with an `invalidMessage` error.
    public func send(_ messages: [MailMessage]) async -> [Result<Void, SMTPError>] {
        await send(messages.map { message in
            Result { () throws(MailMessageError) in try OutgoingMail(message) }
        })
    }

    /// Sends `mails` in order on one connection and returns one result per message, in the same order.
    ///
    /// A message the server refuses (a 4xx or 5xx reply to MAIL FROM, any RCPT TO, or DATA), or that is invalid or
    /// larger than the server's SIZE, fails alone: the transaction is reset (RSET) and the next message goes on. A
    /// message is sent to all its recipients or to none. When the connection cannot be opened or is lost (connection,
    /// TLS, AUTH, timeout, 421), every message not yet accepted gets that error. A message whose data the server
    /// accepted (250 after the final `.`) is a success even if QUIT then fails.
    public func send(_ mails: [OutgoingMail]) async -> [Result<Void, SMTPError>] {
        await send(mails.map { Result<OutgoingMail, MailMessageError>.success($0) })
    }

    /// Sends `mails` as `send(_ mails:)` does, and calls `beforeEndOfData` with a message's index once
    /// all its data is written, just before the final `.` after which the server delivers it.
    ///
    /// This is where a caller durably records "about to be delivered" for exactly-once bookkeeping. When it returns
    /// false the `.` is not sent: the connection is closed so the server discards the message, and that message and
    /// the ones after it fail with a transient `connection` error. Messages whose refusal came earlier (MAIL FROM,
    /// RCPT TO, DATA) never reach it.
    ///
    /// `accepted` is called with a message's index as soon as the server accepts it (250 after the `.`), before the
    /// next message is sent, so the caller can record each delivery without waiting for the whole batch.
    public func send(
        _ mails: [OutgoingMail], beforeEndOfData: (Int) async -> Bool, accepted: (Int) async -> Void = { _ in }
    ) async -> [Result<Void, SMTPError>] {
        await send(mails.map { Result<OutgoingMail, MailMessageError>.success($0) }, beforeEndOfData: beforeEndOfData, accepted: accepted)
    }

    private func send(
        _ mails: [Result<OutgoingMail, MailMessageError>], beforeEndOfData: (Int) async -> Bool = { _ in true },
        accepted: (Int) async -> Void = { _ in }
    ) async -> [Result<Void, SMTPError>] {
        var results = [Result<Void, SMTPError>?](repeating: nil, count: mails.count)
        var pending: [(index: Int, mail: OutgoingMail, data: [UInt8])] = []
        for (index, mail) in mails.enumerated() {
            do {
                let mail = try mail.get()
                try mail.validateEnvelope()
                pending.append((index, mail, SMTPData.framed(mail.data)))
            } catch {
                results[index] = .failure(SMTPError(kind: .invalidMessage, message: error.description, command: "message"))
            }
        }
        guard !pending.isEmpty else { return results.map { $0! } }

        var session: SMTPSession?
        do {
            let opened = try await SMTPSession.open(configuration: configuration, group: eventLoopGroup, logger: logger)
            session = opened
            for item in pending {
                do {
                    try await opened.send(from: item.mail.sender, to: item.mail.uniqueRecipients, data: item.data) {
                        await beforeEndOfData(item.index)
                    }
                    results[item.index] = .success(())
                    await accepted(item.index)
                    logger.debug("SMTP message accepted", metadata: ["smtp.recipients": "\(item.mail.recipients.count)"])
                } catch let error where (error.kind == .reply && error.code != 421) || error.kind == .invalidMessage {
                    results[item.index] = .failure(error)
                    logger.debug("SMTP message refused", metadata: ["smtp.error": "\(error)"])
                    try await opened.reset()
                }
            }
            await opened.quit()
        } catch {
            let error = SMTPError.from(error, command: nil)
            logger.debug("SMTP session failed", metadata: ["smtp.error": "\(error)"])
            await session?.close()
            for index in results.indices where results[index] == nil {
                results[index] = .failure(error)
            }
        }
        return results.map { $0! }
    }
}

/// A message ready to send: the SMTP envelope and the RFC 5322 bytes. What the delivery worker stores and sends, so
/// a retry sends exactly the bytes of the first attempt.
public struct OutgoingMail: Sendable, Hashable {
    /// The envelope sender (`MAIL FROM`), where bounces go.
    public var sender: String
    /// The envelope recipients (`RCPT TO`), each sent once.
    public var recipients: [String]
    /// The message: headers, blank line, body. CRLF or LF line endings; dot-stuffing is done when sending.
    public var data: [UInt8]

    public init(sender: String, recipients: [String], data: [UInt8]) {
        self.sender = sender
        self.recipients = recipients
        self.data = data
    }

    /// `message` rendered (``MailMessage/rendered(date:)``), from its From address to its To addresses.
    public init(_ message: MailMessage, date: Date? = nil) throws(MailMessageError) {
        self.init(sender: message.from.address, recipients: message.recipients, data: try message.rendered(date: date))
    }

    /// Throws unless the sender and recipients are plain addresses (no line break that could inject SMTP commands).
    public func validateEnvelope() throws(MailMessageError) {
        try MailAddress.validateAddress(sender, field: "envelope sender")
        guard !recipients.isEmpty else { throw MailMessageError(field: "envelope recipients", reason: "has no recipient") }
        for recipient in recipients { try MailAddress.validateAddress(recipient, field: "envelope recipient") }
    }

    /// The recipients in order, each once (case-insensitively).
    var uniqueRecipients: [String] {
        var seen: Set<String> = []
        return recipients.filter { seen.insert($0.lowercased()).inserted }
    }
}

/// One open connection, used by one task at a time.
final class SMTPSession {
    private let channel: any Channel
    private let configuration: SMTPConfiguration
    private let logger: Logger
    private let replyTimeout: TimeAmount
    private let tlsUpgrade: TLSUpgrade?
    private let failureRecord: SMTPFailureRecord
    private(set) var extensions = SMTPExtensions()
    private(set) var isTLS: Bool

    private init(
        channel: any Channel, configuration: SMTPConfiguration, logger: Logger, tlsUpgrade: TLSUpgrade?, failureRecord: SMTPFailureRecord
    ) {
        self.channel = channel
        self.failureRecord = failureRecord
        self.configuration = configuration
        self.logger = logger
        self.replyTimeout = TimeAmount(configuration.replyTimeout)
        self.tlsUpgrade = tlsUpgrade
        self.isTLS = configuration.implicitTLS
    }

    /// Connects and runs the dialogue up to a session ready for MAIL FROM: greeting, EHLO, STARTTLS, AUTH.
    static func open(configuration: SMTPConfiguration, group: any EventLoopGroup, logger: Logger) async throws(SMTPError) -> SMTPSession {
        guard !configuration.heloName.isEmpty, configuration.heloName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SMTPError(kind: .configuration, message: "the HELO name \"\(configuration.heloName)\" is not printable ASCII without spaces", command: "connect")
        }
        var tlsUpgrade: TLSUpgrade?
        if configuration.implicitTLS || configuration.startTLS != .never {
            do {
                var tls = TLSConfiguration.makeClientConfiguration()
                if !configuration.verifyCertificates { tls.certificateVerification = .none }
                let context = try NIOSSLContext(configuration: tls)
                tlsUpgrade = TLSUpgrade(context: context, serverHostname: isIPAddress(configuration.host) ? nil : configuration.host)
            } catch {
                throw SMTPError(kind: .tls, message: "cannot set up TLS: \(error)", command: "connect")
            }
        }
        let implicitTLS = configuration.implicitTLS ? tlsUpgrade : nil
        logger.debug("SMTP connecting", metadata: ["smtp.tls": "\(configuration.implicitTLS ? "implicit" : configuration.startTLS.rawValue)"])
        let failureRecord = SMTPFailureRecord()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            let tls = try NIOSSLClientHandler(context: implicitTLS.context, serverHostname: implicitTLS.serverHostname)
                            try channel.pipeline.syncOperations.addHandler(tls)
                        }
                        try channel.pipeline.syncOperations.addHandler(SMTPDialogueHandler(failureRecord: failureRecord))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw SMTPError.from(error, command: "connect")
        }
        let session = SMTPSession(
            channel: channel, configuration: configuration, logger: logger, tlsUpgrade: tlsUpgrade, failureRecord: failureRecord)
        do {
            try await session.handshake()
            return session
        } catch {
            await session.close()
            throw error
        }
    }

    private func handshake() async throws(SMTPError) {
        let greeting = try await exchange(nil, command: "greeting")
        guard greeting.code == 220 else { throw SMTPError(reply: greeting, command: "greeting") }
        try await hello()

        if !configuration.implicitTLS {
            switch (configuration.startTLS, extensions.supportsStartTLS) {
            case (.never, _), (.opportunistic, false):
                break
            case (.required, false):
                throw SMTPError(kind: .configuration, message: "the server does not offer STARTTLS and the configuration requires it (starttls=required)", command: "STARTTLS")
            case (.required, true), (.opportunistic, true):
                let reply = try await exchange("STARTTLS", command: "STARTTLS", tlsUpgrade: tlsUpgrade)
                guard reply.code == 220 else { throw SMTPError(reply: reply, command: "STARTTLS") }
                isTLS = true
                logger.debug("SMTP TLS started")
                try await hello()
            }
        }

        if let credentials = configuration.credentials {
            try await authenticate(credentials)
        }
    }

    /// EHLO, or HELO when the server refuses EHLO with a 5xx reply (then no extensions).
    private func hello() async throws(SMTPError) {
        let reply = try await exchange("EHLO \(configuration.heloName)", command: "EHLO")
        if reply.code == 250 {
            extensions = SMTPExtensions(ehloReply: reply)
            return
        }
        guard (500..<600).contains(reply.code) else { throw SMTPError(reply: reply, command: "EHLO") }
        let helo = try await exchange("HELO \(configuration.heloName)", command: "HELO")
        guard helo.code == 250 else { throw SMTPError(reply: helo, command: "HELO") }
        extensions = SMTPExtensions()
    }

    private func authenticate(_ credentials: SMTPConfiguration.Credentials) async throws(SMTPError) {
        guard isTLS || peerIsLoopback else {
            throw SMTPError(
                kind: .configuration,
                message: "refusing to send credentials over a plaintext connection to \(configuration.host), which is not a loopback address: use smtps://, or a server offering STARTTLS (starttls=required)",
                command: "AUTH")
        }
        let mechanisms = extensions.authMechanisms
        if mechanisms.contains("PLAIN") {
            let response = Base64.encode([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))
            var reply = try await exchange("AUTH PLAIN \(response)", command: "AUTH", logAs: "AUTH PLAIN ***")
            if reply.code == 334 {
                reply = try await exchange(response, command: "AUTH", logAs: "***")
            }
            guard reply.code == 235 else { throw SMTPError(reply: reply, command: "AUTH PLAIN") }
        } else if mechanisms.contains("LOGIN") {
            var reply = try await exchange("AUTH LOGIN", command: "AUTH")
            guard reply.code == 334 else { throw SMTPError(reply: reply, command: "AUTH LOGIN") }
            reply = try await exchange(Base64.encode(credentials.username), command: "AUTH", logAs: "***")
            guard reply.code == 334 else { throw SMTPError(reply: reply, command: "AUTH LOGIN") }
            reply = try await exchange(Base64.encode(credentials.password), command: "AUTH", logAs: "***")
            guard reply.code == 235 else { throw SMTPError(reply: reply, command: "AUTH LOGIN") }
        } else if mechanisms.isEmpty {
            throw SMTPError(kind: .configuration, message: "credentials are configured but the server offers no AUTH", command: "AUTH")
        } else {
            throw SMTPError(kind: .configuration, message: "the server offers AUTH \(mechanisms.sorted().joined(separator: " ")); this client supports PLAIN and LOGIN", command: "AUTH")
        }
        logger.debug("SMTP authenticated", metadata: ["smtp.user": "\(credentials.username)"])
    }

    /// One mail transaction; `data` is framed (``SMTPData/framed(_:)``). On a refusal the caller resets the transaction
    /// with ``reset()``. `beforeEndOfData` runs when everything but the final `.` is written; false closes the
    /// connection instead of sending the `.`.
    func send(
        from sender: String, to recipients: [String], data: [UInt8], beforeEndOfData: () async -> Bool
    ) async throws(SMTPError) {
        if let maximum = extensions.maximumSize, data.count > maximum {
            throw SMTPError(kind: .invalidMessage, message: "the message is \(data.count) bytes, over the server's limit of \(maximum) (SIZE)", command: "MAIL FROM")
        }
        var parameters = extensions.keywords["SIZE"] != nil ? " SIZE=\(data.count)" : ""
        if extensions.supports8BitMIME && data.contains(where: { $0 > 0x7F }) { parameters += " BODY=8BITMIME" }
        var reply = try await exchange("MAIL FROM:<\(sender)>\(parameters)", command: "MAIL FROM")
        guard reply.code == 250 else { throw SMTPError(reply: reply, command: "MAIL FROM") }
        for recipient in recipients {
            reply = try await exchange("RCPT TO:<\(recipient)>", command: "RCPT TO")
            guard reply.code == 250 || reply.code == 251 else {
                var error = SMTPError(reply: reply, command: "RCPT TO")
                error.message += " (recipient \(recipient))"
                throw error
            }
        }
        reply = try await exchange("DATA", command: "DATA")
        guard reply.code == 354 else { throw SMTPError(reply: reply, command: "DATA") }
        let terminator = 3  // ".\r\n"
        try await write(Array(data.dropLast(terminator)), command: "DATA", logAs: "<message data, \(data.count - terminator) bytes>")
        guard await beforeEndOfData() else {
            let error = failureRecord.record(SMTPError(
                kind: .connection, message: "the end of data was withheld by the caller; connection closed so the server discards the message",
                command: "end of data"))
            await close()
            throw error
        }
        reply = try await exchange(".", command: "end of data")
        guard reply.code == 250 else { throw SMTPError(reply: reply, command: "end of data") }
    }

    /// RSET: abandons the current transaction.
    func reset() async throws(SMTPError) {
        let reply = try await exchange("RSET", command: "RSET")
        guard reply.code == 250 else { throw SMTPError(reply: reply, command: "RSET") }
    }

    /// QUIT, then closes the connection. Errors are logged, not thrown: every message has its result by then.
    func quit() async {
        do {
            _ = try await exchange("QUIT", command: "QUIT", timeout: min(replyTimeout, .seconds(10)))
        } catch {
            logger.debug("SMTP QUIT failed", metadata: ["smtp.error": "\(error)"])
        }
        await close()
    }

    func close() async {
        try? await channel.close()
    }

    private var peerIsLoopback: Bool {
        if let address = channel.remoteAddress?.ipAddress {
            return SMTPConfiguration.isLoopback(address) || address.hasPrefix("::ffff:127.")
        }
        return false
    }

    private func exchange(
        _ line: String?, command: String, logAs: String? = nil, tlsUpgrade: TLSUpgrade? = nil, timeout: TimeAmount? = nil
    ) async throws(SMTPError) -> SMTPReply {
        try await exchange(bytes: line.map { Array(($0 + "\r\n").utf8) }, command: command, logAs: logAs ?? line, tlsUpgrade: tlsUpgrade, timeout: timeout)
    }

    /// Writes `bytes` that have no reply of their own, and waits until they are written.
    private func write(_ bytes: [UInt8], command: String, logAs: String) async throws(SMTPError) {
        logger.debug("C: \(logAs)")
        let request = SMTPRequest(bytes: ByteBuffer(bytes: bytes), reply: nil, timeout: replyTimeout, command: command)
        do {
            try await cancellable { try await self.channel.writeAndFlush(request) }
        } catch {
            throw failureRecord.error ?? SMTPError.from(error, command: command)
        }
    }

    /// Writes `bytes` (nothing for the greeting) and waits for the reply.
    private func exchange(
        bytes: [UInt8]?, command: String, logAs: String?, tlsUpgrade: TLSUpgrade? = nil, timeout: TimeAmount? = nil
    ) async throws(SMTPError) -> SMTPReply {
        if let logAs { logger.debug("C: \(logAs)") }
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let request = SMTPRequest(
            bytes: bytes.map { ByteBuffer(bytes: $0) }, reply: promise, timeout: timeout ?? replyTimeout, command: command,
            tlsUpgrade: tlsUpgrade)
        // A write the handler never saw (the channel closed after a failure) must still complete the promise.
        channel.writeAndFlush(request).whenFailure { [failureRecord] error in
            promise.fail(failureRecord.error ?? SMTPError.from(error, command: command))
        }
        do {
            let reply = try await cancellable { try await promise.futureResult.get() }
            logger.debug("S: \(reply.lines.enumerated().map { "\(reply.code)\($0.offset == reply.lines.count - 1 ? " " : "-")\($0.element)" }.joined(separator: "\n"))")
            return reply
        } catch {
            throw failureRecord.error ?? SMTPError.from(error, command: command)
        }
    }

    /// Runs `operation`; when the task is cancelled meanwhile, closes the connection so the operation ends at once
    /// (with a transient "cancelled" error) instead of at its deadline.
    private func cancellable<T>(_ operation: () async throws -> T) async throws -> T {
        try await withTaskCancellationHandler(operation: operation) { [channel, failureRecord] in
            failureRecord.record(SMTPError(kind: .connection, message: "cancelled"))
            channel.close(promise: nil)
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
