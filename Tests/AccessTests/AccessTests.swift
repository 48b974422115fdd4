import Access
import Foundation
import Navigation
import Testing

@Suite("Access and navigation rules")
struct AccessTests {
    @Test("route patterns cover what the router would route to them, and nothing else")
    func patterns() {
        let trial = AccessRule("GET", "/trials/:nct", .anyone)
        #expect(trial.covers(method: "GET", path: "/trials/NCT01234567"))
        #expect(!trial.covers(method: "POST", path: "/trials/NCT01234567"))
        #expect(!trial.covers(method: "GET", path: "/trials"))
        #expect(!trial.covers(method: "GET", path: "/trials/NCT01234567/extra"))
        let api = AccessRule("GET", "/api/v1/trials/{nct}", .anyone)
        #expect(api.covers(method: "GET", path: "/api/v1/trials/NCT1"))
        let rest = AccessRule("GET", "/files/**", .signedIn)
        #expect(rest.covers(method: "GET", path: "/files") && rest.covers(method: "GET", path: "/files/a/b"))
    }

    @Test("the policy denies by default and tells sign-in from forbidden")
    func decisions() {
        let policy = AccessPolicy(rules: [
            AccessRule("GET", "/registry", .roles([.centreStaff, .admin])), AccessRule("GET", "/", .anyone),
        ])
        #expect(policy.decide(method: "GET", path: "/", role: nil) == .allowed)
        #expect(policy.decide(method: "GET", path: "/registry", role: nil) == .signInRequired)
        #expect(policy.decide(method: "GET", path: "/registry", role: .patient) == .forbidden)
        #expect(policy.decide(method: "GET", path: "/registry", role: .centreStaff) == .allowed)
        #expect(policy.decide(method: "GET", path: "/unlisted", role: .admin) == .unknownRoute)
        #expect(policy.decide(method: "DELETE", path: "/", role: .admin) == .unknownRoute)
    }

    @Test("e-mail addresses are normalised and header-breaking ones refused")
    func emails() {
        #expect(EmailAddress(" Marie.Côté@Example.QC.ca ")?.value == "marie.côté@example.qc.ca")
        for bad in ["", "marie", "marie@", "@example.org", "marie@example", "a b@example.org", "a@example.org\r\nBcc: x@y.z",
                    "a@@example.org", "a@example..org", "<a@example.org>"] {
            #expect(EmailAddress(bad) == nil, "\(bad)")
        }
    }

    @Test("password rules")
    func passwords() {
        #expect(PasswordRule.check("short", email: "a@b.c") == .tooShort)
        #expect(PasswordRule.check("aaaaaaaaaaaa", email: "a@b.c") == .repetitive)
        #expect(PasswordRule.check("anne@example.org", email: "Anne@example.org") == .sameAsEmail)
        #expect(PasswordRule.check(String(repeating: "ab1", count: 50), email: "a@b.c") == .tooLong)
        #expect(PasswordRule.check("correct horse battery", email: "a@b.c") == nil)
    }

    @Test("help requests move forward only")
    func statuses() {
        #expect(HelpRequestStatus.new.canMove(to: .inProgress))
        #expect(HelpRequestStatus.inProgress.canMove(to: .referred))
        #expect(HelpRequestStatus.referred.canMove(to: .closed))
        #expect(!HelpRequestStatus.closed.canMove(to: .new))
        #expect(!HelpRequestStatus.inProgress.canMove(to: .new))
        #expect(!HelpRequestStatus.new.canMove(to: .referred), "a request is worked on before it is referred")
    }

    @Test("service level counts working days in Québec's time zone")
    func serviceLevel() throws {
        // Friday 2026-11-27 15:00 in Montréal (20:00 UTC): two working days later is Tuesday 2026-12-01.
        let friday = try Date("2026-11-27T20:00:00Z", strategy: .iso8601)
        let due = ServiceLevel().firstAnswerDue(from: friday)
        #expect(due == (try Date("2026-12-01T20:00:00Z", strategy: .iso8601)))
        let request = HelpRequest(id: "r", requesterKind: .patient, name: "n", email: "e@x.ca", phone: "", contactPreference: .email,
                                  language: "fr", situation: "s", trials: [], consent: true, status: .new, assigneeId: nil,
                                  createdAt: friday, updatedAt: friday, dueAt: due)
        #expect(!request.isOverdue(at: due) && request.isOverdue(at: due.addingTimeInterval(1)))
        var closed = request
        closed.status = .closed
        #expect(!closed.isOverdue(at: due.addingTimeInterval(86_400)))
    }
}
