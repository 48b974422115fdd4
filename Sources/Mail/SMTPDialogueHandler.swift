import NIOCore
import NIOSSL
import Synchronization

/// One step of the dialogue written to the channel: an optional command line (or message data) and the promise of
/// the server's reply to it. A request without bytes waits for a reply the server sends on its own (the greeting); a
/// request without a reply promise only writes (message data before its final `.`).
struct SMTPRequest: Sendable {
    var bytes: ByteBuffer?
    var reply: EventLoopPromise<SMTPReply>?
    var timeout: TimeAmount
    /// The step, for error messages (`EHLO`, `RCPT TO`…).
    var command: String
    /// Set on STARTTLS: when the reply is 220, TLS is added to the pipeline before the reply is delivered, so the
    /// next command goes through it.
    var tlsUpgrade: TLSUpgrade?
}

/// What the STARTTLS upgrade needs.
struct TLSUpgrade: Sendable {
    var context: NIOSSLContext
    /// For SNI and certificate name checks; nil for IP addresses.
    var serverHostname: String?
}

/// The first error that ended a connection, readable from any thread. A command written after the handler failed
/// never reaches it (the channel is closed), so the session reads the real cause here instead of "I/O on closed
/// channel".
final class SMTPFailureRecord: Sendable {
    private let first = Mutex<SMTPError?>(nil)

    init() {}

    /// Keeps `error` unless an error is already recorded; returns the recorded one.
    @discardableResult
    func record(_ error: SMTPError) -> SMTPError {
        first.withLock { first in
            if first == nil { first = error }
            return first!
        }
    }

    var error: SMTPError? { first.withLock { $0 } }
}

/// Matches replies to requests, in order, each with a deadline.
///
/// Contract: every request's promise is completed exactly once: by its reply, or by a failure (timeout, protocol
/// violation, TLS or I/O error, channel closed). After the first failure the channel is closed and every pending and
/// later request fails with that error. Replies that arrive while no request waits are kept for the next request
/// without bytes (the greeting); a command written while such a reply is pending fails as a protocol violation,
/// unless the reply is 421 (service closing), which becomes that command's reply.
final class SMTPDialogueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiter {
        var request: SMTPRequest
        var reply: EventLoopPromise<SMTPReply>
        var deadline: Scheduled<Void>?
    }

    private var parser = SMTPReplyParser()
    private var waiters = CircularBuffer<Waiter>()
    private var unsolicited = CircularBuffer<SMTPReply>()
    private var failure: SMTPError?
    private var closedByClient = false
    private let failureRecord: SMTPFailureRecord

    init(failureRecord: SMTPFailureRecord) {
        self.failureRecord = failureRecord
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply?.fail(failure)
            promise?.fail(failure)
            return
        }
        guard let reply = request.reply else {
            context.writeAndFlush(wrapOutboundOut(request.bytes ?? ByteBuffer()), promise: promise)
            return
        }
        if request.bytes != nil, let pending = unsolicited.first {
            guard pending.code == 421 else {
                fail(SMTPError(kind: .protocolViolation, message: "unexpected reply \"\(pending)\" before \(request.command)", command: request.command), context: context)
                reply.fail(failure!)
                promise?.fail(failure!)
                return
            }
            unsolicited.removeFirst()
            reply.succeed(pending)
            promise?.succeed()
            return
        }
        let deadline = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) { [self] in
            let seconds = Double(request.timeout.nanoseconds) / 1e9
            fail(SMTPError(kind: .timeout, message: "no reply within \(seconds) s", command: request.command), context: context)
        }
        waiters.append(Waiter(request: request, reply: reply, deadline: deadline))
        if let bytes = request.bytes {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed()
            deliverUnsolicited(context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard failure == nil else { return }
        parser.append(&bytes)
        do {
            while failure == nil, let reply = try parser.next() {
                deliver(reply, context: context)
            }
        } catch {
            fail(error, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPError.from(error, command: waiters.first?.request.command), context: context)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        closedByClient = true
        context.close(mode: mode, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let message = closedByClient ? "the connection was closed" : "the server closed the connection"
        fail(SMTPError(kind: .connection, message: message, command: waiters.first?.request.command), context: context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(SMTPError(kind: .connection, message: "the connection was torn down", command: waiters.first?.request.command), context: context)
    }

    private func deliver(_ reply: SMTPReply, context: ChannelHandlerContext) {
        guard let waiter = waiters.popFirst() else {
            unsolicited.append(reply)
            return
        }
        waiter.deadline?.cancel()
        if let upgrade = waiter.request.tlsUpgrade, reply.code == 220 {
            guard !parser.hasPendingInput else {
                let error = SMTPError(kind: .protocolViolation, message: "the server sent data after its STARTTLS reply, before TLS (possible command injection)", command: "STARTTLS")
                waiter.reply.fail(error)
                fail(error, context: context)
                return
            }
            do {
                let tls = try NIOSSLClientHandler(context: upgrade.context, serverHostname: upgrade.serverHostname)
                try context.pipeline.syncOperations.addHandler(tls, position: .first)
            } catch {
                let error = SMTPError.from(error, command: "STARTTLS")
                waiter.reply.fail(error)
                fail(error, context: context)
                return
            }
        }
        waiter.reply.succeed(reply)
    }

    private func deliverUnsolicited(context: ChannelHandlerContext) {
        while !unsolicited.isEmpty && !waiters.isEmpty {
            deliver(unsolicited.removeFirst(), context: context)
        }
    }

    /// Fails every waiting request with the first error and closes the channel (once).
    private func fail(_ error: SMTPError, context: ChannelHandlerContext) {
        if failure == nil {
            failure = failureRecord.record(error)
            context.close(promise: nil)
        }
        let failure = self.failure!
        while let waiter = waiters.popFirst() {
            waiter.deadline?.cancel()
            waiter.reply.fail(failure)
        }
    }
}
