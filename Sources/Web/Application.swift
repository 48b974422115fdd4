import API
import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import Search
import ServiceLifecycle
import Logging
import Mail
import Metrics
import Mustache
import Prometheus
import Registry
import Storage
import Trials

/// How the server is run: where it listens and what it serves from.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    /// How often the search index picks up trials imported by other processes.
    public var indexRefreshInterval: Duration
    /// A bearer token for automation that acts with the data-steward role on the API; `nil` or empty: none.
    public var staffToken: String?
    /// The site's address as people reach it, for links in e-mails; `https://…` also makes cookies `Secure`.
    public var publicURL: String
    /// The key that signs e-mailed links; `nil`: a random key kept in the store.
    public var secret: String?
    /// bcrypt cost of new password hashes (12 in production; tests use the minimum, 4).
    public var bcryptCost: UInt8
    /// The sender of Passerelle's e-mails.
    public var mailFrom: String
    /// Where e-mails go (`smtp://user:pass@host:port`); `nil`: they wait in the outbox.
    public var smtp: String?
    /// How often the alert worker percolates new changes and the delivery worker sends the outbox.
    public var alertInterval: Duration
    /// When patient matching's eligibility index is built.
    public var matching: MatchingMode
    /// Memory for repeated public search answers (``ResponseCache``); 0 turns the cache off.
    public var responseCacheBytes: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, logLevel: Logger.Level = .info,
        indexRefreshInterval: Duration = .seconds(10), staffToken: String? = nil, publicURL: String? = nil,
        secret: String? = nil, bcryptCost: UInt8 = 12, mailFrom: String = "no-reply@passerelle.quebec",
        smtp: String? = nil, alertInterval: Duration = .seconds(10), matching: MatchingMode = .eager,
        responseCacheBytes: Int = 64 << 20
    ) {
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.indexRefreshInterval = indexRefreshInterval
        self.staffToken = staffToken
        self.publicURL = publicURL ?? "http://\(host):\(port)"
        self.secret = secret
        self.bcryptCost = bcryptCost
        self.mailFrom = mailFrom
        self.smtp = smtp
        self.alertInterval = alertInterval
        self.matching = matching
        self.responseCacheBytes = responseCacheBytes
    }
}


/// Builds the Passerelle web application on an open, migrated store. Tests call it and use `app.test(.router)`;
/// `passerelle serve` calls it and runs the result as a service (graceful shutdown on SIGTERM and SIGINT).
public func buildApplication(
    configuration: ServerConfiguration, store: any PasserelleStore, logger: Logger = Logger(label: "passerelle")
) async throws -> some ApplicationProtocol {
    let (lexicon, geography) = try SearchSetup.resources()
    let finder = try await Finder.build(
        store: store, lexicon: lexicon, geography: geography, matching: configuration.matching)
    logger.info(
        "search index built",
        metadata: ["trials": "\(finder.snapshot.index.count)", "matching": "\(configuration.matching.rawValue)"])
    return try await buildApplication(configuration: configuration, store: store, finder: finder, logger: logger)
}

/// Builds the application around an existing finder (tests share one index across many applications).
func buildApplication(
    configuration: ServerConfiguration, store: any PasserelleStore, finder: Finder,
    logger: Logger = Logger(label: "passerelle"),
    registryToday: @escaping @Sendable () -> CivilDate = { CivilDate(utc: Date()) }
) async throws -> some ApplicationProtocol {
    let (router, services) = try await buildRouter(
        configuration: configuration, store: store, finder: finder, logger: logger, registryToday: registryToday)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Passerelle"),
        services: services,
        logger: logger)
}

/// Every route of the server behind its middleware, and the background services that go with them (index refresh,
/// alerts, e-mail delivery). Tests read `router.routes` to check the role × route table covers every route.
func buildRouter(
    configuration: ServerConfiguration, store: any PasserelleStore, finder: Finder, logger: Logger,
    registryToday: @escaping @Sendable () -> CivilDate
) async throws -> (router: Router<AppRequestContext>, services: [any Service]) {
    let telemetry = Telemetry.shared
    let pages = try await Pages.load()
    let catalog = Catalog(store: store)
    let registry = RegistryService(store: store, today: registryToday)
    let people = store.people
    let subscriptions = try await Subscriptions.configured(
        people: people, finder: finder, configuration: configuration, library: pages.library)
    let mailer = subscriptions.mailer
    let accounts = Accounts(people: people, secrets: subscriptions.secrets, mailer: mailer, bcryptCost: configuration.bcryptCost,
                            secureCookies: configuration.publicURL.hasPrefix("https://"))

    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        LogRequestsMiddleware(.info)
        MetricsMiddleware()
        SecurityHeadersMiddleware()
        AccessMiddleware(policy: AccessRoutes.policy, people: people, staffToken: configuration.staffToken, pages: pages,
                         secureCookies: accounts.secureCookies)
    }
    router.get("/ping") { _, _ in "ok" }
    router.get("/health") { _, _ -> Response in
        var health = try await catalog.health()
        health.matching = finder.matcher != nil ? "ready" : finder.matchingMode == .off ? "off" : "building"
        return try JSONResponse.make(health, status: health.status == "ok" ? .ok : .serviceUnavailable)
    }
    router.get("/metrics") { _, _ -> Response in
        let summary = try await catalog.summary()
        telemetry.trials.record(summary.trials)
        telemetry.recruiting.record(summary.recruiting)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: telemetry.registry.emitToBuffer())))
    }
    router.get("/") { request, _ -> Response in
        let language = Language.from(request)
        let summary = try await catalog.summary()
        return pages.render("home", HomePage(summary: summary, language: language, path: "/"), language: language)
    }
    addFinderPages(to: router, pages: pages, finder: finder, store: store)
    addAccountRoutes(to: router, pages: pages, accounts: accounts)
    addSubscriptionRoutes(to: router, pages: pages, subscriptions: subscriptions)
    let desk = NavigationDesk(people: people, mailer: mailer)
    addNavigationRoutes(to: router, pages: pages, desk: desk)
    addRegistryPages(to: router, pages: pages, registry: registry)
    addMatchPages(to: router, pages: pages, finder: finder)

    // Answers are cached by URI (ResponseCache); JSON is compact with sorted keys, so the same data always gives
    // the same bytes (pretty-printing, the generator's default, doubled the bytes of a search answer).
    let api = router.group()
        .add(middleware: ResponseCacheMiddleware(cache: ResponseCache(capacityBytes: configuration.responseCacheBytes), finder: finder))
        .add(middleware: APIProblemMiddleware())
    try PasserelleAPI(
        trials: TrialsAPI(finder: finder, store: store, today: { Date() }), registry: RegistryAPI(registry: registry),
        matching: MatchAPI(finder: finder), people: PeopleAPI(subscriptions: subscriptions, desk: desk)
    ).registerHandlers(on: api, configuration: Configuration(jsonEncodingOptions: [.sortedKeys]))
    let specification = try OpenAPISpecification.load()
    router.get("/openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: specification)))
    }

    let refresher = FinderRefreshService(finder: finder, interval: configuration.indexRefreshInterval, logger: logger)
    let alerts = AlertService(
        worker: AlertWorker(store: store, finder: finder, subscriptions: subscriptions, logger: logger),
        interval: configuration.alertInterval)
    var services: [any Service] = [refresher, alerts]
    if finder.awaitsMatcher { services.append(MatcherBuildService(finder: finder, logger: logger)) }
    if let smtp = configuration.smtp {
        let delivery = OutboxDelivery(
            people: people, client: SMTPClient(configuration: try SMTPConfiguration(url: smtp), logger: logger),
            sender: configuration.mailFrom, logger: logger)
        services.append(DeliveryService(delivery: delivery, interval: configuration.alertInterval))
    }
    return (router, services)
}

/// Adds the security headers every page and API answer carries.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.contentSecurityPolicy] = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
        return response
    }
}

/// JSON answers with sorted keys, so the same data always gives the same bytes.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Process-wide metrics: swift-metrics is bootstrapped once with a Prometheus registry that `/metrics` renders.
final class Telemetry: Sendable {
    static let shared = Telemetry()

    let registry: PrometheusCollectorRegistry
    let trials: Metrics.Gauge
    let recruiting: Metrics.Gauge

    private init() {
        registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        trials = Metrics.Gauge(label: "passerelle_trials")
        recruiting = Metrics.Gauge(label: "passerelle_trials_recruiting")
    }
}
