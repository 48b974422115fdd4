import Foundation

/// A request for help finding a trial, sent by a patient, a caregiver or a professional to the navigators (the
/// seeds' Onco+ service). Holds what the requester wrote; the store adds the audit trail.
public struct HelpRequest: Sendable, Codable, Equatable {
    public enum RequesterKind: String, Sendable, Codable, CaseIterable {
        case patient
        case caregiver
        case professional
    }

    public enum ContactPreference: String, Sendable, Codable, CaseIterable {
        case email
        case phone
    }

    public var id: String
    public var requesterKind: RequesterKind
    public var name: String
    public var email: String
    public var phone: String
    public var contactPreference: ContactPreference
    /// "fr" or "en": the language the navigator answers in.
    public var language: String
    /// The person's situation in their words.
    public var situation: String
    /// NCT ids of trials the person is interested in.
    public var trials: [String]
    /// The person agreed to be contacted about this request.
    public var consent: Bool
    public var status: HelpRequestStatus
    /// The navigator working on it.
    public var assigneeId: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// When the next answer is due (see ``ServiceLevel``).
    public var dueAt: Date

    public init(
        id: String, requesterKind: RequesterKind, name: String, email: String, phone: String,
        contactPreference: ContactPreference, language: String, situation: String, trials: [String], consent: Bool,
        status: HelpRequestStatus, assigneeId: String?, createdAt: Date, updatedAt: Date, dueAt: Date
    ) {
        self.id = id
        self.requesterKind = requesterKind
        self.name = name
        self.email = email
        self.phone = phone
        self.contactPreference = contactPreference
        self.language = language
        self.situation = situation
        self.trials = trials
        self.consent = consent
        self.status = status
        self.assigneeId = assigneeId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.dueAt = dueAt
    }

    /// Still waiting on a navigator and past its due time.
    public func isOverdue(at now: Date) -> Bool { status.isOpen && now > dueAt }
}

/// Where a help request stands. Moves forward only: new → in progress → referred to a site or closed; a referred
/// request can still be closed.
public enum HelpRequestStatus: String, Sendable, Codable, CaseIterable {
    case new
    case inProgress = "in-progress"
    case referred
    case closed

    /// Open requests count against the service level.
    public var isOpen: Bool { self == .new || self == .inProgress }

    /// Whether a navigator may move a request from this status to `next`.
    public func canMove(to next: HelpRequestStatus) -> Bool {
        switch (self, next) {
        case (.new, .inProgress), (.new, .closed), (.inProgress, .referred), (.inProgress, .closed), (.referred, .closed):
            true
        default:
            false
        }
    }
}

/// Service-level targets of the navigation service: a first answer within two working days of the request, then
/// an update within five working days while the request stays open. Weekends do not count (holidays are not modelled).
public struct ServiceLevel: Sendable, Equatable {
    public var firstAnswerWorkingDays: Int
    public var followUpWorkingDays: Int

    public init(firstAnswerWorkingDays: Int = 2, followUpWorkingDays: Int = 5) {
        self.firstAnswerWorkingDays = firstAnswerWorkingDays
        self.followUpWorkingDays = followUpWorkingDays
    }

    /// When a request created at `time` must first be answered.
    public func firstAnswerDue(from time: Date) -> Date { Self.adding(workingDays: firstAnswerWorkingDays, to: time) }

    /// When the next update is due after a change at `time`.
    public func followUpDue(from time: Date) -> Date { Self.adding(workingDays: followUpWorkingDays, to: time) }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Toronto") ?? .gmt
        return calendar
    }()

    /// `time` plus `days` working days (Monday to Friday, in Québec's time zone), keeping the time of day.
    static func adding(workingDays days: Int, to time: Date) -> Date {
        var result = time
        var remaining = days
        while remaining > 0 {
            result = calendar.date(byAdding: .day, value: 1, to: result)!
            if !calendar.isDateInWeekend(result) { remaining -= 1 }
        }
        return result
    }
}

/// A note on a help request: a navigator's remark, a status change or a referral sent to a site.
public struct HelpRequestNote: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case note
        case status
        case referral
        case assignment
    }

    public var kind: Kind
    public var authorId: String
    public var text: String
    public var createdAt: Date

    public init(kind: Kind, authorId: String, text: String, createdAt: Date) {
        self.kind = kind
        self.authorId = authorId
        self.text = text
        self.createdAt = createdAt
    }
}
