import Foundation
import Navigation
import Storage
import Testing

/// The people tables (accounts, sessions, saved searches, alerts, outbox, navigation, audit) keep the same contract
/// on SQLite and PostgreSQL.
@Suite("People store")
struct PeopleStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func account(_ email: String) -> AccountRecord {
        AccountRecord(id: UUID().uuidString.lowercased(), email: email, passwordHash: "$2b$04$x", role: "patient",
                      displayName: "Élise Côté", language: "fr", createdAt: now, passwordChangedAt: now)
    }

    @Test("accounts are unique by address; sessions expire and end with a password change", arguments: TestDatabases.kinds)
    func accountsAndSessions(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let people = store.people
            let account = Self.account("elise@example.org")
            #expect(try await people.createAccount(account))
            #expect(try await people.createAccount(Self.account("elise@example.org")) == false)
            #expect(try await people.account(email: "elise@example.org") == account)
            try await people.createSession(tokenHash: "h1", accountId: account.id, csrfToken: "c1", createdAt: Self.now,
                                           expiresAt: Self.now.addingTimeInterval(60))
            #expect(try await people.session(tokenHash: "h1", now: Self.now)?.account.displayName == "Élise Côté")
            #expect(try await people.session(tokenHash: "h1", now: Self.now.addingTimeInterval(61)) == nil, "expired")
            try await people.setPassword(accountId: account.id, hash: "$2b$04$y", at: Self.now)
            #expect(try await people.session(tokenHash: "h1", now: Self.now) == nil, "a new password ends every session")
            try await people.recordSignInFailure(keys: ["email:e", "client:1"], at: Self.now)
            #expect(try await people.signInFailures(key: "email:e", since: Self.now.addingTimeInterval(-1)) == 1)
            #expect(try await people.signInFailures(key: "email:e", since: Self.now.addingTimeInterval(1)) == 0)
        }
    }

    @Test("alerts are recorded once per key with their messages, and the outbox hands each message to one worker",
          arguments: TestDatabases.kinds)
    func alertsAndOutbox(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let people = store.people
            let search = SavedSearchRecord(id: "s1", accountId: nil, email: "a@example.org", query: "q=lymphome", language: "fr",
                                           frequency: "immediate", confirmed: true, feedToken: "feed1", createdAt: Self.now)
            try await people.createSavedSearch(search)
            let alert = AlertRecord(key: "s1|NCT00000001|new-trial|7", savedSearchId: "s1", nctId: "NCT00000001", event: "new-trial",
                                    detail: "", historySequence: 7, createdAt: Self.now, mailedIn: "mail-1")
            let message = OutboxMessage(key: "mail-1", recipient: "a@example.org", message: "Subject: x\r\n\r\nbody", createdAt: Self.now)
            #expect(try await people.recordAlerts([alert], outbox: [message], cursorName: "alerts_cursor", cursor: 7) == 1)
            // Percolating the same changes again writes nothing new.
            #expect(try await people.recordAlerts([alert], outbox: [message], cursorName: "alerts_cursor", cursor: 7) == 0)
            #expect(try await people.setting("alerts_cursor") == "7")
            #expect(try await people.outboxMessages().count == 1)

            let claimed = try await people.claimDue(now: Self.now, lease: .seconds(60), limit: 10)
            #expect(claimed.map(\.key) == ["mail-1"] && claimed[0].attempts == 1 && claimed[0].state == .sending)
            #expect(try await people.claimDue(now: Self.now, lease: .seconds(60), limit: 10).isEmpty, "leased to the first worker")
            // The worker died before ending the DATA: after the lease, another worker takes the message again.
            let later = Self.now.addingTimeInterval(61)
            let retaken = try await people.claimDue(now: later, lease: .seconds(60), limit: 10)
            #expect(retaken.first?.attempts == 2)
            #expect(try await people.markCommitting(key: "mail-1", claim: try #require(claimed[0].claim)) == false,
                    "the first worker lost its claim")
            #expect(try await people.markCommitting(key: "mail-1", claim: try #require(retaken[0].claim)))
            // Committing messages are never handed out again, even after their lease.
            #expect(try await people.claimDue(now: later.addingTimeInterval(3600), lease: .seconds(60), limit: 10).isEmpty)
            // The first worker's late failure report cannot put the message back.
            try await people.markRetry(key: "mail-1", claim: try #require(claimed[0].claim), error: "late", nextAttemptAt: later)
            #expect(try await people.outboxCounts() == [.committing: 1])
            try await people.markSent(key: "mail-1", at: later)
            #expect(try await people.outboxCounts() == [.sent: 1])

            // A transient failure puts a message back for later; a permanent one ends it.
            try await people.enqueue([OutboxMessage(key: "mail-2", recipient: "b@example.org", message: "x", createdAt: later)])
            let second = try #require(try await people.claimDue(now: later, lease: .seconds(60), limit: 10).first)
            try await people.markRetry(key: "mail-2", claim: try #require(second.claim), error: "421", nextAttemptAt: later.addingTimeInterval(60))
            #expect(try await people.claimDue(now: later.addingTimeInterval(59), lease: .seconds(60), limit: 10).isEmpty)
            let third = try #require(try await people.claimDue(now: later.addingTimeInterval(60), lease: .seconds(60), limit: 10).first)
            #expect(third.attempts == 2 && third.lastError == "421")
            try await people.markFailed(key: "mail-2", claim: try #require(third.claim), error: "550")
            #expect(try await people.outboxCounts() == [.sent: 1, .failed: 1])
        }
    }

    @Test("a help request's reads and changes are audited in the same transaction; a stale change writes nothing",
          arguments: TestDatabases.kinds)
    func navigation(kind: StoreKind) async throws {
        try await TestDatabases.withStore(kind) { store in
            let people = store.people
            var navigator = Self.account("nav@example.org")
            navigator.id = "nav"
            #expect(try await people.createAccount(navigator))
            let request = HelpRequest(
                id: "r1", requesterKind: .patient, name: "Luc", email: "luc@example.org", phone: "", contactPreference: .email,
                language: "fr", situation: "Myélome", trials: ["NCT00000002"], consent: true, status: .new, assigneeId: nil,
                createdAt: Self.now, updatedAt: Self.now, dueAt: ServiceLevel().firstAnswerDue(from: Self.now))
            try await people.createHelpRequest(request, requesterAccountId: nil, statusToken: "tok", outbox: [],
                                               audit: AuditEvent(actor: "anonymous", action: "help-request.create", subject: "help-request:r1"))
            let read = try await people.helpRequest(id: "r1", audit: AuditEvent(actor: "nav", action: "help-request.read", subject: "help-request:r1"))
            #expect(read?.request == request)
            let changed = try await people.updateHelpRequest(
                id: "r1", expectedStatus: .new, status: .inProgress, assigneeId: .some("nav"), dueAt: Self.now,
                note: HelpRequestNote(kind: .status, authorId: "nav", text: "new → in-progress", createdAt: Self.now), outbox: [],
                audit: AuditEvent(actor: "nav", action: "help-request.update", subject: "help-request:r1"), at: Self.now.addingTimeInterval(5))
            #expect(changed)
            let stale = try await people.updateHelpRequest(
                id: "r1", expectedStatus: .new, status: .closed, assigneeId: nil, dueAt: Self.now, note: nil, outbox: [],
                audit: AuditEvent(actor: "nav2", action: "help-request.update", subject: "help-request:r1"), at: Self.now.addingTimeInterval(6))
            #expect(!stale)
            let after = try #require(try await people.helpRequest(statusToken: "tok") {
                AuditEvent(actor: "anonymous", action: "help-request.read-by-requester", subject: "help-request:\($0)")
            })
            #expect(after.request.status == .inProgress && after.request.assigneeId == "nav" && after.notes.count == 1)
            let actions = try await people.auditEntries(subject: "help-request:r1").map(\.action)
            #expect(actions == ["help-request.read-by-requester", "help-request.update", "help-request.update", "help-request.read",
                                "help-request.create"])
        }
    }
}
