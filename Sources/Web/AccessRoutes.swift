import Access

/// The role × route table: every route the server has, and who may use it. Deny by default — a route missing from
/// this table is refused to everyone (`AccessPolicy`), and a test checks that every registered route has a line
/// and that each line is enforced for every role.
enum AccessRoutes {
    /// Roles that work on the outcomes registry's patient-level pages (overdue follow-up lists patients).
    static let registryStaff: Audience = .roles([.centreStaff, .dataSteward, .admin])
    /// Roles that see registry aggregates (small numbers suppressed).
    static let registryAggregates: Audience = .roles([.centreStaff, .researcher, .dataSteward, .admin])
    static let navigators: Audience = .roles([.navigator, .admin])
    static let admins: Audience = .roles([.admin])
    static let auditors: Audience = .roles([.dataSteward, .admin])

    static let policy = AccessPolicy(rules: [
        // Public: the product works without an account.
        AccessRule("GET", "/", .anyone),
        AccessRule("GET", "/ping", .anyone),
        AccessRule("GET", "/health", .anyone),
        AccessRule("GET", "/metrics", .anyone),
        AccessRule("GET", "/openapi.yaml", .anyone),
        AccessRule("GET", "/search", .anyone),
        AccessRule("GET", "/trials/:nct", .anyone),
        AccessRule("GET", "/portrait", .anyone),
        AccessRule("GET", "/match", .anyone),
        AccessRule("POST", "/match", .anyone),
        // Accounts.
        AccessRule("GET", "/account/sign-up", .anyone),
        AccessRule("POST", "/account/sign-up", .anyone),
        AccessRule("GET", "/account/sign-in", .anyone),
        AccessRule("POST", "/account/sign-in", .anyone),
        AccessRule("POST", "/account/sign-out", .signedIn),
        AccessRule("GET", "/account/reset", .anyone),
        AccessRule("POST", "/account/reset", .anyone),
        AccessRule("GET", "/account/reset/:token", .anyone),
        AccessRule("POST", "/account/reset/:token", .anyone),
        AccessRule("GET", "/account", .signedIn),
        AccessRule("GET", "/admin/accounts", admins),
        AccessRule("POST", "/admin/accounts/:id/role", admins),
        AccessRule("GET", "/admin/audit", auditors),
        AccessRule("GET", "/admin/outbox", admins),
        // Saved searches and alerts: anyone may subscribe (double opt-in by e-mail); links carry signed tokens.
        AccessRule("POST", "/alerts", .anyone),
        AccessRule("GET", "/alerts/confirm/:token", .anyone),
        AccessRule("GET", "/alerts/unsubscribe/:token", .anyone),
        AccessRule("POST", "/alerts/unsubscribe/:token", .anyone),
        AccessRule("GET", "/alerts/feed/:token", .anyone),
        // Navigation (Onco+): anyone may ask for help; navigators work the queue.
        AccessRule("GET", "/help", .anyone),
        AccessRule("POST", "/help", .anyone),
        AccessRule("GET", "/help/status/:token", .anyone),
        AccessRule("GET", "/navigator", navigators),
        AccessRule("GET", "/navigator/requests/:id", navigators),
        AccessRule("POST", "/navigator/requests/:id", navigators),
        // Outcomes registry.
        AccessRule("GET", "/registry", registryAggregates),
        AccessRule("GET", "/registry/survival", registryAggregates),
        AccessRule("GET", "/registry/cost-effectiveness", registryAggregates),
        AccessRule("GET", "/registry/follow-up", registryStaff),
        // JSON API.
        AccessRule("POST", "/api/v1/match", .anyone),
        AccessRule("GET", "/api/v1/trials", .anyone),
        AccessRule("GET", "/api/v1/trials/:nct", .anyone),
        AccessRule("GET", "/api/v1/portrait", .anyone),
        AccessRule("POST", "/api/v1/saved-searches", .anyone),
        AccessRule("POST", "/api/v1/help-requests", .anyone),
        AccessRule("GET", "/api/v1/help-requests", navigators),
        AccessRule("PATCH", "/api/v1/help-requests/:id", navigators),
        AccessRule("GET", "/api/v1/registry/summary", registryAggregates),
        AccessRule("GET", "/api/v1/registry/survival", registryAggregates),
        AccessRule("GET", "/api/v1/registry/follow-up/overdue", registryStaff),
        // Calculations on the caller's own numbers: no stored data is read.
        AccessRule("POST", "/api/v1/analytics/km", .anyone),
        AccessRule("POST", "/api/v1/analytics/icer", .anyone),
        AccessRule("POST", "/api/v1/analytics/psm", .anyone),
        AccessRule("POST", "/api/v1/analytics/markov", .anyone),
        AccessRule("POST", "/api/v1/analytics/psa", .anyone),
        AccessRule("POST", "/api/v1/analytics/budget", .anyone),
        AccessRule("POST", "/api/v1/analytics/payments", .anyone),
    ])
}
