/// What a signed-in person is to Passerelle. One role per account; an admin grants the staff roles (sign-up gives
/// `patient` or `professional`). Anyone can search and match trials without an account.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// A patient or a caregiver (family, friend).
    case patient
    /// A clinician or research nurse.
    case professional
    /// Works the navigation queue (Onco+-style help requests).
    case navigator
    /// Staff of a treatment centre: the outcomes registry of their centres.
    case centreStaff = "centre-staff"
    /// Aggregates of the registry after small-number suppression.
    case researcher
    /// Oversees data access: the registry, the audit log.
    case dataSteward = "data-steward"
    /// Everything, including granting roles.
    case admin

    /// Roles a person may choose at sign-up; the others are granted by an admin.
    public static let selfServe: [Role] = [.patient, .professional]

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who may use a route.
public enum Audience: Sendable, Equatable, CustomStringConvertible {
    /// Everyone, signed in or not.
    case anyone
    /// Any signed-in account.
    case signedIn
    /// Signed-in accounts with one of these roles.
    case roles(Set<Role>)

    /// Whether a visitor with `role` (`nil`: not signed in) may use the route.
    public func admits(_ role: Role?) -> Bool {
        switch self {
        case .anyone: true
        case .signedIn: role != nil
        case .roles(let roles): role.map(roles.contains) ?? false
        }
    }

    public var description: String {
        switch self {
        case .anyone: "anyone"
        case .signedIn: "signed in"
        case .roles(let roles): roles.sorted().map(\.rawValue).joined(separator: "|")
        }
    }
}

/// One line of the role × route table: a method and a path pattern as the router writes it (`/trials/:nct`,
/// `/api/v1/registry/**`), and who may use it.
public struct AccessRule: Sendable, Equatable {
    public var method: String
    public var pattern: String
    public var audience: Audience

    public init(_ method: String, _ pattern: String, _ audience: Audience) {
        self.method = method
        self.pattern = pattern
        self.audience = audience
    }

    /// Whether the rule covers `path`: `:name` and `{name}` segments match one segment, a final `**` any rest
    /// (including nothing).
    public func covers(method: String, path: String) -> Bool {
        guard method == self.method else { return false }
        let want = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let have = path.split(separator: "/", omittingEmptySubsequences: true)
        var index = 0
        for segment in want {
            if segment == "**" { return true }
            guard index < have.count else { return false }
            if !(segment.hasPrefix(":") || segment.hasPrefix("{")) && segment != have[index] { return false }
            index += 1
        }
        return index == have.count
    }
}

/// The role × route table: deny by default. A request is allowed when the first rule covering its method and path
/// admits the visitor's role; a request no rule covers is refused for everyone (as an unknown route).
public struct AccessPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Not signed in, and the route needs an account.
        case signInRequired
        /// Signed in without a role the route admits.
        case forbidden
        /// No rule covers the route: refused to everyone, as a page that does not exist.
        case unknownRoute
    }

    public let rules: [AccessRule]

    public init(rules: [AccessRule]) { self.rules = rules }

    /// The first rule covering the request, if any.
    public func rule(method: String, path: String) -> AccessRule? {
        rules.first { $0.covers(method: method, path: path) }
    }

    public func decide(method: String, path: String, role: Role?) -> Decision {
        guard let rule = rule(method: method, path: path) else { return .unknownRoute }
        if rule.audience.admits(role) { return .allowed }
        return role == nil ? .signInRequired : .forbidden
    }
}
