import Foundation
import Navigation

/// Where accounts, saved searches, alerts, the e-mail outbox, navigation requests and the audit log are kept. Both
/// stores give the same ``PeopleTables``: one set of statements (see `SQLStatementRunner`) run on SQLite and
/// PostgreSQL, so the contracts below hold on both.
public protocol PeopleStore: Sendable {
    var people: PeopleTables { get }
}

/// Everything Passerelle keeps: trials, the registry, and people (accounts, alerts, navigation).
public typealias PasserelleStore = TrialStore & RegistryStore & PeopleStore

extension SQLiteTrialStore: PeopleStore {
    public var people: PeopleTables { PeopleTables(runner: self) }
}

extension PostgresTrialStore: PeopleStore {
    public var people: PeopleTables { PeopleTables(runner: self) }
}

/// A signed-up person. `role` is an `Access.Role` raw value.
public struct AccountRecord: Sendable, Equatable, Codable {
    public var id: String
    public var email: String
    /// bcrypt hash (never the password).
    public var passwordHash: String
    public var role: String
    public var displayName: String
    public var language: String
    public var createdAt: Date
    public var passwordChangedAt: Date

    public init(
        id: String, email: String, passwordHash: String, role: String, displayName: String, language: String,
        createdAt: Date, passwordChangedAt: Date
    ) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.displayName = displayName
        self.language = language
        self.createdAt = createdAt
        self.passwordChangedAt = passwordChangedAt
    }
}

/// A live session: the account and the session's CSRF token.
public struct SessionRecord: Sendable, Equatable {
    public var account: AccountRecord
    public var csrfToken: String
    public var expiresAt: Date
}

/// A finder search someone asked to be told about. `query` is the finder's URL query (`q=…&near=…`); the web
/// layer owns its meaning.
public struct SavedSearchRecord: Sendable, Equatable, Codable {
    public var id: String
    public var accountId: String?
    public var email: String
    public var query: String
    public var language: String
    /// immediate, daily or weekly.
    public var frequency: String
    /// Double opt-in done (or saved by a signed-in account with this address).
    public var confirmed: Bool
    /// The unguessable part of the Atom feed's URL.
    public var feedToken: String
    public var createdAt: Date
    public var confirmedAt: Date?
    public var unsubscribedAt: Date?

    public init(
        id: String, accountId: String?, email: String, query: String, language: String, frequency: String,
        confirmed: Bool, feedToken: String, createdAt: Date, confirmedAt: Date? = nil, unsubscribedAt: Date? = nil
    ) {
        self.id = id
        self.accountId = accountId
        self.email = email
        self.query = query
        self.language = language
        self.frequency = frequency
        self.confirmed = confirmed
        self.feedToken = feedToken
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
        self.unsubscribedAt = unsubscribedAt
    }

    /// Confirmed and not unsubscribed: alerts are made for it.
    public var isActive: Bool { confirmed && unsubscribedAt == nil }
}

/// One alert: a trial that a saved search now matches, and why. `key` is its idempotency key.
public struct AlertRecord: Sendable, Equatable, Codable {
    public var key: String
    public var savedSearchId: String
    public var nctId: String
    /// new-trial, status-changed, new-site.
    public var event: String
    /// The reason's particulars, as the alert worker encodes them (JSON: statuses, a site and its distance).
    public var detail: String
    /// The trial history entry that caused it.
    public var historySequence: Int64
    public var createdAt: Date
    /// The outbox key of the e-mail that carried it (an immediate alert or a digest); `nil` while waiting for a digest.
    public var mailedIn: String?

    public init(
        key: String, savedSearchId: String, nctId: String, event: String, detail: String, historySequence: Int64,
        createdAt: Date, mailedIn: String? = nil
    ) {
        self.key = key
        self.savedSearchId = savedSearchId
        self.nctId = nctId
        self.event = event
        self.detail = detail
        self.historySequence = historySequence
        self.createdAt = createdAt
        self.mailedIn = mailedIn
    }
}

/// A message waiting in (or gone from) the outbox.
public struct OutboxMessage: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Waiting for its next attempt.
        case pending
        /// Claimed by a worker until its lease ends; the server has not been told to deliver. Safe to retry.
        case sending
        /// The worker is about to end the SMTP DATA: delivery may or may not have happened. Never retried.
        case committing
        /// The server accepted it.
        case sent
        /// Refused for good, or out of attempts.
        case failed
    }

    /// Idempotency key, also the Message-ID's local part.
    public var key: String
    public var recipient: String
    /// The whole RFC 5322 message.
    public var message: String
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var leaseUntil: Date?
    /// The claim of the worker holding the message: the lease's exact stored text, which the worker's later
    /// updates must present (a `Date` does not round-trip through text to the same string).
    public var claim: String?
    public var createdAt: Date
    public var sentAt: Date?
    public var lastError: String?

    public init(key: String, recipient: String, message: String, createdAt: Date) {
        self.key = key
        self.recipient = recipient
        self.message = message
        state = .pending
        attempts = 0
        nextAttemptAt = createdAt
        self.createdAt = createdAt
    }
}

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var sequence: Int64
    public var at: Date
    /// The account id, or "anonymous", "system", "token".
    public var actor: String
    /// What was done: "help-request.read", "help-request.status", "account.role", …
    public var action: String
    /// What it was done to: "help-request:<id>", "account:<id>".
    public var subject: String
    public var detail: String
}

/// What the audit log records for one action, written in the same transaction as the action.
public struct AuditEvent: Sendable, Equatable {
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String

    public init(actor: String, action: String, subject: String, detail: String = "") {
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// The statements of ``PeopleStore``, the same on both databases.
public struct PeopleTables: Sendable {
    let runner: any SQLStatementRunner

    // MARK: Settings

    /// The value of setting `name`, creating it as `initial()` if absent (the first writer wins).
    public func setting(_ name: String, orCreate initial: () -> String) async throws -> String {
        let rows = try await runner.transaction([
            SQLStatement("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                         [.text(name), .text(initial())]),
            SQLStatement("SELECT value FROM settings WHERE name = ?", [.text(name)]),
        ])
        return rows[1].first?[0].string ?? ""
    }

    public func setting(_ name: String) async throws -> String? {
        try await runner.rows("SELECT value FROM settings WHERE name = ?", [.text(name)]).first?[0].string
    }

    public func setSetting(_ name: String, _ value: String) async throws {
        try await runner.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [.text(name), .text(value)])
    }

    // MARK: Accounts

    static let accountColumns = "id, email, password_hash, role, display_name, language, created_at, password_changed_at"

    /// Adds the account; `false` (and nothing written) when its e-mail address is taken.
    public func createAccount(_ account: AccountRecord, audit: AuditEvent? = nil) async throws -> Bool {
        var statements = [SQLStatement(
            "INSERT INTO accounts (\(Self.accountColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id",
            [.text(account.id), .text(account.email), .text(account.passwordHash), .text(account.role),
             .text(account.displayName), .text(account.language), .text(Self.time(account.createdAt)),
             .text(Self.time(account.passwordChangedAt))])]
        if let audit { statements.append(Self.auditStatement(audit)) }
        let rows = try await runner.transaction(statements)
        return !rows[0].isEmpty
    }

    public func account(email: String) async throws -> AccountRecord? {
        try await runner.rows("SELECT \(Self.accountColumns) FROM accounts WHERE email = ?", [.text(email)])
            .first.map(Self.account)
    }

    public func account(id: String) async throws -> AccountRecord? {
        try await runner.rows("SELECT \(Self.accountColumns) FROM accounts WHERE id = ?", [.text(id)]).first.map(Self.account)
    }

    /// Every account, by e-mail address.
    public func accounts() async throws -> [AccountRecord] {
        try await runner.rows("SELECT \(Self.accountColumns) FROM accounts ORDER BY email").map(Self.account)
    }

    /// Changes an account's role (audited).
    public func setRole(accountId: String, role: String, audit: AuditEvent) async throws {
        _ = try await runner.transaction([
            SQLStatement("UPDATE accounts SET role = ? WHERE id = ?", [.text(role), .text(accountId)]),
            Self.auditStatement(audit),
        ])
    }

    /// Replaces the password hash and ends every session of the account.
    public func setPassword(accountId: String, hash: String, at time: Date) async throws {
        _ = try await runner.transaction([
            SQLStatement("UPDATE accounts SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                         [.text(hash), .text(Self.time(time)), .text(accountId)]),
            SQLStatement("DELETE FROM sessions WHERE account_id = ?", [.text(accountId)]),
            Self.auditStatement(AuditEvent(actor: accountId, action: "account.password", subject: "account:\(accountId)")),
        ])
    }

    private static func account(_ row: [SQLValue]) -> AccountRecord {
        AccountRecord(
            id: row[0].string ?? "", email: row[1].string ?? "", passwordHash: row[2].string ?? "", role: row[3].string ?? "",
            displayName: row[4].string ?? "", language: row[5].string ?? "fr", createdAt: date(row[6]),
            passwordChangedAt: date(row[7]))
    }

    // MARK: Sessions

    public func createSession(tokenHash: String, accountId: String, csrfToken: String, createdAt: Date, expiresAt: Date)
        async throws
    {
        try await runner.execute(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [.text(tokenHash), .text(accountId), .text(csrfToken), .text(Self.time(createdAt)), .text(Self.time(expiresAt))])
    }

    /// The unexpired session with this token hash, with its account.
    public func session(tokenHash: String, now: Date) async throws -> SessionRecord? {
        let rows = try await runner.rows(
            "SELECT \(Self.qualified(Self.accountColumns, "a")), s.csrf_token, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ? AND s.expires_at > ?",
            [.text(tokenHash), .text(Self.time(now))])
        return rows.first.map { row in
            SessionRecord(account: Self.account(Array(row[0..<8])), csrfToken: row[8].string ?? "", expiresAt: Self.date(row[9]))
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await runner.execute("DELETE FROM sessions WHERE token_hash = ?", [.text(tokenHash)])
    }

    /// Forgets expired sessions and sign-in failures older than `failuresBefore`.
    public func prune(now: Date, failuresBefore: Date) async throws {
        _ = try await runner.transaction([
            SQLStatement("DELETE FROM sessions WHERE expires_at <= ?", [.text(Self.time(now))]),
            SQLStatement("DELETE FROM sign_in_failures WHERE at < ?", [.text(Self.time(failuresBefore))]),
        ])
    }

    // MARK: Sign-in rate limiting

    public func recordSignInFailure(keys: [String], at time: Date) async throws {
        _ = try await runner.transaction(keys.map {
            SQLStatement("INSERT INTO sign_in_failures (key, at) VALUES (?, ?)", [.text($0), .text(Self.time(time))])
        })
    }

    /// Failures recorded for `key` since `time`.
    public func signInFailures(key: String, since time: Date) async throws -> Int {
        try await runner.rows("SELECT COUNT(*) FROM sign_in_failures WHERE key = ? AND at >= ?",
                              [.text(key), .text(Self.time(time))]).first?[0].int ?? 0
    }

    public func clearSignInFailures(key: String) async throws {
        try await runner.execute("DELETE FROM sign_in_failures WHERE key = ?", [.text(key)])
    }

    // MARK: Saved searches

    static let savedSearchColumns =
        "id, account_id, email, query, language, frequency, confirmed, feed_token, created_at, confirmed_at, unsubscribed_at"

    /// Adds a saved search, and in the same transaction the messages to send about it (the opt-in request).
    public func createSavedSearch(_ search: SavedSearchRecord, outbox: [OutboxMessage] = []) async throws {
        _ = try await runner.transaction(
            [SQLStatement(
                "INSERT INTO saved_searches (\(Self.savedSearchColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [.text(search.id), SQLValue(search.accountId), .text(search.email), .text(search.query),
                 .text(search.language), .text(search.frequency), SQLValue(search.confirmed), .text(search.feedToken),
                 .text(Self.time(search.createdAt)), SQLValue(search.confirmedAt.map(Self.time)),
                 SQLValue(search.unsubscribedAt.map(Self.time))])]
                + outbox.map(Self.enqueueStatement))
    }

    public func savedSearch(id: String) async throws -> SavedSearchRecord? {
        try await runner.rows("SELECT \(Self.savedSearchColumns) FROM saved_searches WHERE id = ?", [.text(id)])
            .first.map(Self.savedSearch)
    }

    public func savedSearch(feedToken: String) async throws -> SavedSearchRecord? {
        try await runner.rows("SELECT \(Self.savedSearchColumns) FROM saved_searches WHERE feed_token = ?", [.text(feedToken)])
            .first.map(Self.savedSearch)
    }

    /// The saved searches of an account (or made with its address before it signed up), newest first.
    public func savedSearches(accountId: String, email: String) async throws -> [SavedSearchRecord] {
        try await runner.rows(
            "SELECT \(Self.savedSearchColumns) FROM saved_searches WHERE account_id = ? OR email = ? ORDER BY created_at DESC, id",
            [.text(accountId), .text(email)]
        ).map(Self.savedSearch)
    }

    /// Confirmed, subscribed saved searches: the ones alerts are made for.
    public func activeSavedSearches() async throws -> [SavedSearchRecord] {
        try await runner.rows(
            "SELECT \(Self.savedSearchColumns) FROM saved_searches WHERE confirmed = 1 AND unsubscribed_at IS NULL ORDER BY id"
        ).map(Self.savedSearch)
    }

    /// Confirms the double opt-in; `false` if there is no such saved search or it was unsubscribed.
    public func confirmSavedSearch(id: String, at time: Date) async throws -> Bool {
        let rows = try await runner.rows(
            "UPDATE saved_searches SET confirmed = 1, confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ? AND unsubscribed_at IS NULL RETURNING id",
            [.text(Self.time(time)), .text(id)])
        return !rows.isEmpty
    }

    /// Stops alerts for the saved search (idempotent); `false` if there is no such saved search.
    public func unsubscribe(savedSearchId id: String, at time: Date) async throws -> Bool {
        let rows = try await runner.rows(
            "UPDATE saved_searches SET unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ? RETURNING id",
            [.text(Self.time(time)), .text(id)])
        return !rows.isEmpty
    }

    private static func savedSearch(_ row: [SQLValue]) -> SavedSearchRecord {
        SavedSearchRecord(
            id: row[0].string ?? "", accountId: row[1].string, email: row[2].string ?? "", query: row[3].string ?? "",
            language: row[4].string ?? "fr", frequency: row[5].string ?? "daily", confirmed: row[6].bool,
            feedToken: row[7].string ?? "", createdAt: date(row[8]), confirmedAt: row[9].string.map { date(.text($0)) },
            unsubscribedAt: row[10].string.map { date(.text($0)) })
    }

    // MARK: Alerts

    static let alertColumns = "key, saved_search_id, nct_id, event, detail, history_sequence, created_at, mailed_in"

    /// Records alerts and the messages that carry the immediate ones, and moves the percolation cursor to
    /// `cursor` — all in one transaction, so a crash leaves either all of it or none, and re-running from the old
    /// cursor makes the same keys, which are ignored (`ON CONFLICT DO NOTHING`). Returns the alerts that were new.
    @discardableResult
    public func recordAlerts(_ alerts: [AlertRecord], outbox: [OutboxMessage], cursorName: String, cursor: Int64)
        async throws -> Int
    {
        var statements = alerts.map { alert in
            SQLStatement(
                "INSERT INTO alerts (\(Self.alertColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING key",
                [.text(alert.key), .text(alert.savedSearchId), .text(alert.nctId), .text(alert.event), .text(alert.detail),
                 .integer(alert.historySequence), .text(Self.time(alert.createdAt)), SQLValue(alert.mailedIn)])
        }
        statements += outbox.map(Self.enqueueStatement)
        statements.append(SQLStatement(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [.text(cursorName), .text(String(cursor))]))
        let results = try await runner.transaction(statements)
        return results.prefix(alerts.count).filter { !$0.isEmpty }.count
    }

    /// The alerts of a saved search, newest first.
    public func alerts(savedSearchId: String, limit: Int) async throws -> [AlertRecord] {
        try await runner.rows(
            "SELECT \(Self.alertColumns) FROM alerts WHERE saved_search_id = ? ORDER BY created_at DESC, key LIMIT ?",
            [.text(savedSearchId), .integer(Int64(limit))]
        ).map(Self.alert)
    }

    /// Alerts not yet carried by any e-mail, for saved searches of `frequency` that are still active, oldest first.
    public func unmailedAlerts(frequency: String, createdBefore time: Date) async throws -> [AlertRecord] {
        return try await runner.rows(
            """
            SELECT \(Self.qualified(Self.alertColumns, "a")) FROM alerts a JOIN saved_searches s ON s.id = a.saved_search_id
            WHERE a.mailed_in IS NULL AND s.frequency = ? AND s.confirmed = 1 AND s.unsubscribed_at IS NULL AND a.created_at < ?
            ORDER BY a.created_at, a.key
            """,
            [.text(frequency), .text(Self.time(time))]
        ).map(Self.alert)
    }

    /// Queues a digest and marks the alerts it carries, in one transaction.
    public func queueDigest(_ message: OutboxMessage, alertKeys: [String]) async throws {
        _ = try await runner.transaction(
            [Self.enqueueStatement(message)]
                + alertKeys.map {
                    SQLStatement("UPDATE alerts SET mailed_in = ? WHERE key = ? AND mailed_in IS NULL", [.text(message.key), .text($0)])
                })
    }

    private static func alert(_ row: [SQLValue]) -> AlertRecord {
        AlertRecord(
            key: row[0].string ?? "", savedSearchId: row[1].string ?? "", nctId: row[2].string ?? "",
            event: row[3].string ?? "", detail: row[4].string ?? "", historySequence: row[5].int64 ?? 0,
            createdAt: date(row[6]), mailedIn: row[7].string)
    }

    // MARK: Outbox

    static let outboxColumns =
        "key, recipient, message, state, attempts, next_attempt_at, lease_until, created_at, sent_at, last_error"

    /// Queues messages; a key already queued is left as it is (idempotent).
    public func enqueue(_ messages: [OutboxMessage]) async throws {
        guard !messages.isEmpty else { return }
        _ = try await runner.transaction(messages.map(Self.enqueueStatement))
    }

    static func enqueueStatement(_ message: OutboxMessage) -> SQLStatement {
        SQLStatement(
            "INSERT INTO outbox (\(outboxColumns)) VALUES (?, ?, ?, 'pending', 0, ?, NULL, ?, NULL, NULL) ON CONFLICT (key) DO NOTHING",
            [.text(message.key), .text(message.recipient), .text(message.message), .text(time(message.nextAttemptAt)),
             .text(time(message.createdAt))])
    }

    /// Claims up to `limit` messages due at `now` for `lease`: pending ones whose time has come, and `sending` ones
    /// whose lease ran out (their worker died before ending the DATA, so the server discarded them). Claimed
    /// messages are `sending`, their attempt counted, until the lease ends. The outer condition is checked again
    /// on the row itself, so two workers racing on PostgreSQL never claim the same message.
    public func claimDue(now: Date, lease: Duration, limit: Int) async throws -> [OutboxMessage] {
        let until = now.addingTimeInterval(Double(lease.components.seconds))
        return try await runner.rows(
            """
            UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?
            WHERE key IN (SELECT key FROM outbox WHERE (state = 'pending' AND next_attempt_at <= ?)
                OR (state = 'sending' AND lease_until < ?) ORDER BY next_attempt_at, key LIMIT ?)
            AND ((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?))
            RETURNING \(Self.outboxColumns)
            """,
            [.text(Self.time(until)), .text(Self.time(now)), .text(Self.time(now)), .integer(Int64(limit)),
             .text(Self.time(now)), .text(Self.time(now))]
        ).map(Self.outboxMessage).sorted { ($0.nextAttemptAt, $0.key) < ($1.nextAttemptAt, $1.key) }
    }

    /// Records, durably, that the worker is about to end the DATA of `key`: from now on the message is never sent
    /// again. `false` when the claim was lost (another worker took the message after the lease ran out).
    public func markCommitting(key: String, claim: String) async throws -> Bool {
        !(try await runner.rows(
            "UPDATE outbox SET state = 'committing' WHERE key = ? AND state = 'sending' AND lease_until = ? RETURNING key",
            [.text(key), .text(claim)])).isEmpty
    }

    /// Records the server's acceptance of a message this worker marked `committing`.
    public func markSent(key: String, at time: Date) async throws {
        try await runner.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE key = ? AND state = 'committing'",
            [.text(Self.time(time)), .text(key)])
    }

    /// Puts a message back for a later attempt. Only the worker holding the claim (`leaseUntil`) can, and only
    /// before `committing` — unless `refusedAtEnd`: the server answered the end of the DATA with an error, so it
    /// certainly did not deliver. A message that may have been delivered stays `committing`.
    public func markRetry(key: String, claim: String, error: String, nextAttemptAt: Date, refusedAtEnd: Bool = false)
        async throws
    {
        try await runner.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE key = ? AND lease_until = ? AND state IN ('sending', ?)",
            [.text(Self.time(nextAttemptAt)), .text(error), .text(key), .text(claim), .text(refusedAtEnd ? "committing" : "sending")])
    }

    /// Gives up on a message (refused for good, or out of attempts), under the same conditions as ``markRetry``.
    public func markFailed(key: String, claim: String, error: String, refusedAtEnd: Bool = false) async throws {
        try await runner.execute(
            "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ? WHERE key = ? AND lease_until = ? AND state IN ('sending', ?)",
            [.text(error), .text(key), .text(claim), .text(refusedAtEnd ? "committing" : "sending")])
    }

    /// Messages by state.
    public func outboxCounts() async throws -> [OutboxMessage.State: Int] {
        var counts: [OutboxMessage.State: Int] = [:]
        for row in try await runner.rows("SELECT state, COUNT(*) FROM outbox GROUP BY state") {
            if let state = row[0].string.flatMap(OutboxMessage.State.init(rawValue:)) { counts[state] = row[1].int ?? 0 }
        }
        return counts
    }

    /// Messages in the outbox, oldest first, optionally only those to `recipient`.
    public func outboxMessages(recipient: String? = nil, limit: Int = 1000) async throws -> [OutboxMessage] {
        if let recipient {
            return try await runner.rows(
                "SELECT \(Self.outboxColumns) FROM outbox WHERE recipient = ? ORDER BY created_at, key LIMIT ?",
                [.text(recipient), .integer(Int64(limit))]).map(Self.outboxMessage)
        }
        return try await runner.rows(
            "SELECT \(Self.outboxColumns) FROM outbox ORDER BY created_at, key LIMIT ?", [.integer(Int64(limit))]
        ).map(Self.outboxMessage)
    }

    private static func outboxMessage(_ row: [SQLValue]) -> OutboxMessage {
        var message = OutboxMessage(key: row[0].string ?? "", recipient: row[1].string ?? "", message: row[2].string ?? "",
                                    createdAt: date(row[7]))
        message.state = row[3].string.flatMap(OutboxMessage.State.init(rawValue:)) ?? .pending
        message.attempts = row[4].int ?? 0
        message.nextAttemptAt = date(row[5])
        message.leaseUntil = row[6].string.map { date(.text($0)) }
        message.claim = row[6].string
        message.sentAt = row[8].string.map { date(.text($0)) }
        message.lastError = row[9].string
        return message
    }

    // MARK: Navigation

    static let helpRequestColumns = """
        id, requester_account_id, requester_kind, name, email, phone, contact_preference, language, situation, trials, \
        consent, status, assignee_account_id, status_token, created_at, updated_at, due_at
        """

    /// Adds a help request, its confirmation message and the audit line, in one transaction. `statusToken` lets the
    /// requester follow it without an account.
    public func createHelpRequest(
        _ request: HelpRequest, requesterAccountId: String?, statusToken: String, outbox: [OutboxMessage], audit: AuditEvent
    ) async throws {
        _ = try await runner.transaction(
            [SQLStatement(
                "INSERT INTO navigation_requests (\(Self.helpRequestColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [.text(request.id), SQLValue(requesterAccountId), .text(request.requesterKind.rawValue), .text(request.name),
                 .text(request.email), .text(request.phone), .text(request.contactPreference.rawValue), .text(request.language),
                 .text(request.situation), .text(request.trials.joined(separator: " ")), SQLValue(request.consent),
                 .text(request.status.rawValue), SQLValue(request.assigneeId), .text(statusToken),
                 .text(Self.time(request.createdAt)), .text(Self.time(request.updatedAt)), .text(Self.time(request.dueAt))])]
                + outbox.map(Self.enqueueStatement) + [Self.auditStatement(audit)])
    }

    /// One request, and the audit line saying who read it (written in the same transaction as the read).
    public func helpRequest(id: String, audit: AuditEvent) async throws -> StoredHelpRequest? {
        let rows = try await runner.transaction([
            SQLStatement("SELECT \(Self.helpRequestColumns) FROM navigation_requests WHERE id = ?", [.text(id)]),
            SQLStatement("SELECT kind, author_account_id, text, created_at FROM navigation_notes WHERE request_id = ? ORDER BY sequence", [.text(id)]),
            Self.auditStatement(audit),
        ])
        guard let row = rows[0].first else { return nil }
        var stored = Self.helpRequest(row)
        stored.notes = rows[1].map(Self.note)
        return stored
    }

    /// The request a status token opens (the requester's own view), audited.
    public func helpRequest(statusToken: String, audit: (String) -> AuditEvent) async throws -> StoredHelpRequest? {
        let rows = try await runner.rows(
            "SELECT id FROM navigation_requests WHERE status_token = ?", [.text(statusToken)])
        guard let id = rows.first?[0].string else { return nil }
        return try await helpRequest(id: id, audit: audit(id))
    }

    /// Requests in `statuses` (all when empty), oldest due first; the listing itself is audited.
    public func helpRequests(statuses: [HelpRequestStatus], audit: AuditEvent) async throws -> [StoredHelpRequest] {
        let filter = statuses.isEmpty ? "" : "WHERE status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))"
        let rows = try await runner.transaction([
            SQLStatement("SELECT \(Self.helpRequestColumns) FROM navigation_requests \(filter) ORDER BY due_at, id",
                         statuses.map { .text($0.rawValue) }),
            Self.auditStatement(audit),
        ])
        return rows[0].map(Self.helpRequest)
    }

    /// Help requests sent by an account, newest first (the requester's own list).
    public func helpRequests(requesterAccountId: String) async throws -> [StoredHelpRequest] {
        try await runner.rows(
            "SELECT \(Self.helpRequestColumns) FROM navigation_requests WHERE requester_account_id = ? ORDER BY created_at DESC, id",
            [.text(requesterAccountId)]
        ).map(Self.helpRequest)
    }

    /// Applies a navigator's change: new status and/or assignee, new due time, a note, messages to send (a
    /// referral), and the audit line — in one transaction. `expectedStatus` guards against a concurrent change:
    /// `false` (nothing written) when the request is no longer in that status.
    public func updateHelpRequest(
        id: String, expectedStatus: HelpRequestStatus, status: HelpRequestStatus, assigneeId: String??, dueAt: Date,
        note: HelpRequestNote?, outbox: [OutboxMessage], audit: AuditEvent, at time: Date
    ) async throws -> Bool {
        var assignment = ""
        var binds: [SQLValue] = [.text(status.rawValue), .text(Self.time(time)), .text(Self.time(dueAt))]
        if let assigneeId {
            assignment = ", assignee_account_id = ?"
            binds.append(SQLValue(assigneeId))
        }
        binds += [.text(id), .text(expectedStatus.rawValue)]
        var statements = [SQLStatement(
            "UPDATE navigation_requests SET status = ?, updated_at = ?, due_at = ?\(assignment) WHERE id = ? AND status = ? RETURNING id",
            binds)]
        if let note {
            statements.append(SQLStatement(
                "INSERT INTO navigation_notes (request_id, author_account_id, kind, text, created_at) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM navigation_requests WHERE id = ? AND updated_at = ?)",
                [.text(id), .text(note.authorId), .text(note.kind.rawValue), .text(note.text), .text(Self.time(note.createdAt)),
                 .text(id), .text(Self.time(time))]))
        }
        statements += outbox.map(Self.enqueueStatement)
        statements.append(Self.auditStatement(audit))
        let results = try await runner.transaction(statements)
        return !results[0].isEmpty
    }

    private static func helpRequest(_ row: [SQLValue]) -> StoredHelpRequest {
        let request = HelpRequest(
            id: row[0].string ?? "", requesterKind: row[2].string.flatMap(HelpRequest.RequesterKind.init(rawValue:)) ?? .patient,
            name: row[3].string ?? "", email: row[4].string ?? "", phone: row[5].string ?? "",
            contactPreference: row[6].string.flatMap(HelpRequest.ContactPreference.init(rawValue:)) ?? .email,
            language: row[7].string ?? "fr", situation: row[8].string ?? "",
            trials: (row[9].string ?? "").split(separator: " ").map(String.init), consent: row[10].bool,
            status: row[11].string.flatMap(HelpRequestStatus.init(rawValue:)) ?? .new, assigneeId: row[12].string,
            createdAt: date(row[14]), updatedAt: date(row[15]), dueAt: date(row[16]))
        return StoredHelpRequest(request: request, requesterAccountId: row[1].string, statusToken: row[13].string ?? "", notes: [])
    }

    private static func note(_ row: [SQLValue]) -> HelpRequestNote {
        HelpRequestNote(kind: row[0].string.flatMap(HelpRequestNote.Kind.init(rawValue:)) ?? .note,
                        authorId: row[1].string ?? "", text: row[2].string ?? "", createdAt: date(row[3]))
    }

    // MARK: Audit

    public func audit(_ event: AuditEvent) async throws {
        _ = try await runner.transaction([Self.auditStatement(event)])
    }

    /// Audit lines, newest first, optionally about one subject.
    public func auditEntries(subject: String? = nil, limit: Int = 200) async throws -> [AuditEntry] {
        let filter = subject == nil ? "" : "WHERE subject = ?"
        let binds: [SQLValue] = (subject.map { [SQLValue.text($0)] } ?? []) + [.integer(Int64(limit))]
        return try await runner.rows(
            "SELECT sequence, at, actor, action, subject, detail FROM audit_log \(filter) ORDER BY sequence DESC LIMIT ?", binds
        ).map { row in
            AuditEntry(sequence: row[0].int64 ?? 0, at: Self.date(row[1]), actor: row[2].string ?? "",
                       action: row[3].string ?? "", subject: row[4].string ?? "", detail: row[5].string ?? "")
        }
    }

    static func auditStatement(_ event: AuditEvent) -> SQLStatement {
        SQLStatement(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            [.text(time(Date())), .text(event.actor), .text(event.action), .text(event.subject), .text(event.detail)])
    }

    /// `columns` ("id, email, …") prefixed with a table alias ("a.id, a.email, …"), for joins.
    static func qualified(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias)." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
    }

    // MARK: Times

    static func time(_ date: Date) -> String { RecordCoding.timestamp(date) }

    static func date(_ value: SQLValue) -> Date {
        guard let text = value.string else { return Date(timeIntervalSince1970: 0) }
        return (try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)))
            ?? Date(timeIntervalSince1970: 0)
    }
}

/// A help request as stored: with how its requester follows it and its notes.
public struct StoredHelpRequest: Sendable, Equatable {
    public var request: HelpRequest
    public var requesterAccountId: String?
    /// The secret part of the requester's status page URL.
    public var statusToken: String
    public var notes: [HelpRequestNote]
}
