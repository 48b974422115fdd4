import Alerts
import Foundation
import Logging
import Mail
import ServiceLifecycle
import Storage

/// Sends the outbox: claims due messages for a lease, sends them on one SMTP connection, and records each outcome.
///
/// **Guarantee: a key is never sent twice.** Before ending a message's DATA (the `.` after which the server
/// delivers), the worker durably marks it `committing`; a `committing` message is never claimed again. So:
/// - a crash (or `kill -9`) before that mark leaves the message `sending`; the server discarded the unfinished DATA,
///   and once the lease ends another worker sends it — delivered once;
/// - a crash after the server's `250` but before `sent` is written leaves it `committing`: already delivered, not
///   sent again;
/// - only a crash inside the few instructions between the `committing` commit and the write of the final `.` can lose
///   a message (at most once rather than twice): it stays `committing`, visible on `/admin/outbox`.
///
/// Transient failures (4xx, connection, timeout) before the mark are retried with exponential backoff (1 minute,
/// doubling, at most 6 hours) up to ``maximumAttempts``; permanent ones (5xx) fail at once. A reply to the final `.`
/// that refuses the message is certain too, so it is retried or failed like the others.
struct OutboxDelivery: Sendable {
    let people: PeopleTables
    let client: SMTPClient
    /// The envelope sender (bounces go there).
    let sender: String
    let lease: Duration
    let batchSize: Int
    let logger: Logger
    static let maximumAttempts = 8

    init(people: PeopleTables, client: SMTPClient, sender: String, lease: Duration = .seconds(300), batchSize: Int = 50,
         logger: Logger) {
        self.people = people
        self.client = client
        self.sender = sender
        self.lease = lease
        self.batchSize = batchSize
        self.logger = logger
    }

    struct Report: Sendable, Equatable {
        var sent = 0
        var retried = 0
        var failed = 0
    }

    /// Delay before the next attempt after `attempts` attempts.
    static func backoff(attempts: Int) -> TimeInterval {
        min(6 * 3600, 60 * pow(2, Double(max(0, attempts - 1))))
    }

    /// Sends every message due now, batch by batch, until none is left.
    @discardableResult
    func deliverDue() async throws -> Report {
        var report = Report()
        while true {
            let claimed = try await people.claimDue(now: Date(), lease: lease, limit: batchSize)
            guard !claimed.isEmpty else { break }
            let mails = claimed.map { OutgoingMail(sender: sender, recipients: [$0.recipient], data: Array($0.message.utf8)) }
            let people = people
            var recorded = Set<Int>()
            let results = await client.send(mails, beforeEndOfData: { index in
                guard let claim = claimed[index].claim else { return false }
                return (try? await people.markCommitting(key: claimed[index].key, claim: claim)) ?? false
            }, accepted: { index in
                // Recorded at once: a crash later in the batch must not leave delivered messages `committing`.
                if (try? await people.markSent(key: claimed[index].key, at: Date())) != nil { recorded.insert(index) }
            })
            for (index, (message, result)) in zip(claimed, results).enumerated() {
                guard let claim = message.claim else { continue }
                switch result {
                case .success:
                    // Only if recording it at acceptance failed: the error, if it happens again, surfaces here.
                    if !recorded.contains(index) { try await people.markSent(key: message.key, at: Date()) }
                    report.sent += 1
                case .failure(let error):
                    // A reply to the final `.` is the server saying it did not take the message.
                    let refusedAtEnd = error.kind == .reply && error.command == "end of data"
                    // A refused sign-in or a configuration mismatch is the server's setup, not this message: retried.
                    let serverSetup = error.kind == .configuration || (error.command?.hasPrefix("AUTH") ?? false)
                    if (error.isPermanent && !serverSetup) || message.attempts >= Self.maximumAttempts {
                        try await people.markFailed(key: message.key, claim: claim, error: error.description, refusedAtEnd: refusedAtEnd)
                        report.failed += 1
                        logger.warning("e-mail failed", metadata: ["key": "\(message.key)", "error": "\(error)"])
                    } else {
                        try await people.markRetry(key: message.key, claim: claim, error: error.description,
                                                   nextAttemptAt: Date().addingTimeInterval(Self.backoff(attempts: message.attempts)), refusedAtEnd: refusedAtEnd)
                        report.retried += 1
                    }
                }
            }
            if claimed.count < batchSize { break }
        }
        if report != Report() { logger.info("outbox delivered", metadata: ["sent": "\(report.sent)", "retried": "\(report.retried)", "failed": "\(report.failed)"]) }
        return report
    }
}

/// Runs ``OutboxDelivery`` inside `serve` every `interval`; on shutdown it finishes the pass in progress (a pass
/// interrupted by a crash is safe too, see ``OutboxDelivery``).
struct DeliveryService: Service {
    let delivery: OutboxDelivery
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await delivery.deliverDue()
            } catch {
                delivery.logger.error("e-mail delivery failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}

/// The alert and delivery passes for the command line (`passerelle alerts percolate|digest|deliver`), on the same
/// store `serve` uses: each pass is safe to run beside a running server (claims and keys keep it exactly-once).
public enum AlertsRunner {
    /// Percolates the history recorded since the last pass; returns the new alerts.
    public static func percolate(store: any PasserelleStore, configuration: ServerConfiguration) async throws -> Int {
        try await worker(store: store, configuration: configuration).percolate(now: Date())
    }

    /// Queues the digests of `frequency` ("daily" or "weekly") now; returns how many.
    public static func digest(_ frequency: String, store: any PasserelleStore, configuration: ServerConfiguration) async throws -> Int {
        guard let frequency = SavedSearch.Frequency(rawValue: frequency), frequency != .immediate else {
            throw ParameterError(parameter: "frequency", reason: "must be daily or weekly")
        }
        return try await worker(store: store, configuration: configuration).queueDigests(frequency, now: Date())
    }

    /// Sends every due message of the outbox once; returns (sent, retried, failed).
    public static func deliver(store: any PasserelleStore, configuration: ServerConfiguration, lease: Duration)
        async throws -> (sent: Int, retried: Int, failed: Int)
    {
        guard let url = configuration.smtp else { throw ParameterError(parameter: "smtp", reason: "give --smtp or PASSERELLE_SMTP") }
        let delivery = OutboxDelivery(
            people: store.people, client: SMTPClient(configuration: try SMTPConfiguration(url: url)),
            sender: configuration.mailFrom, lease: lease, logger: Logger(label: "passerelle.delivery"))
        let report = try await delivery.deliverDue()
        return (report.sent, report.retried, report.failed)
    }

    private static func worker(store: any PasserelleStore, configuration: ServerConfiguration) async throws -> AlertWorker {
        let (lexicon, geography) = try SearchSetup.resources()
        let finder = try await Finder.build(store: store, lexicon: lexicon, geography: geography, matching: .off)
        let subscriptions = try await Subscriptions.configured(
            people: store.people, finder: finder, configuration: configuration, library: try await Pages.load().library)
        return AlertWorker(store: store, finder: finder, subscriptions: subscriptions, logger: Logger(label: "passerelle.alerts"))
    }
}
