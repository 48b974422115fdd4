import ArgumentParser
import DemoData
import Foundation
import Hummingbird
import Logging
import Registry
import Storage
import Web

/// `passerelle serve`: the web server. Migrates the database, imports the bundled demo data into an empty one (and a
/// synthetic cohort into an empty registry), and serves until SIGTERM or SIGINT, finishing the requests in flight.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the web server.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on (env PASSERELLE_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env PASSERELLE_PORT; default 8080).") var port: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: Logger.Level = .info
    @Option(help: "Log format: text or json (one JSON object per line).") var logFormat: LogFormat = .text
    @Flag(help: "Do not import the bundled demo trials, nor the synthetic registry cohort, into an empty database.")
    var noDemo = false
    @Option(help: "Where e-mails go: smtp://user:pass@host:port (env PASSERELLE_SMTP). Without it they wait in the outbox.")
    var smtp: String?
    @Option(help: "The site's public address, for links in e-mails (env PASSERELLE_PUBLIC_URL; default http://HOST:PORT).")
    var publicURL: String?
    @Option(help: "When patient matching's index is built: background (after search is served), eager, or off (env PASSERELLE_MATCHING).")
    var matching: MatchingMode?
    @Option(help: "Memory in MiB for repeated public search answers; 0 turns the cache off (env PASSERELLE_RESPONSE_CACHE_MB; default 64).")
    var responseCacheMb: Int?

    func run() async throws {
        LogFormat.bootstrap(logFormat, level: logLevel)
        let logger = Logger(label: "passerelle")
        let environment = ProcessInfo.processInfo.environment
        let host = host ?? environment["PASSERELLE_HOST"] ?? "127.0.0.1"
        let portText = port.map(String.init) ?? environment["PASSERELLE_PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ValidationError("port must be a number from 0 to 65535, not \(portText)")
        }
        let matchingText = environment["PASSERELLE_MATCHING"] ?? MatchingMode.background.rawValue
        guard let matching = matching ?? MatchingMode(rawValue: matchingText) else {
            throw ValidationError("PASSERELLE_MATCHING must be background, eager or off, not \(matchingText)")
        }
        let cacheText = responseCacheMb.map(String.init) ?? environment["PASSERELLE_RESPONSE_CACHE_MB"] ?? "64"
        guard let cacheMiB = Int(cacheText), (0...65_536).contains(cacheMiB) else {
            throw ValidationError("the response cache must be 0 to 65536 MiB, not \(cacheText)")
        }
        let location = try database.location()
        let store = try await database.openStore(logger: logger)
        logger.info("database ready", metadata: ["database": "\(location)"])
        if !noDemo, try await store.count() == 0 {
            logger.info("empty database: importing the bundled demo data")
            let report = try await TrialImporter(store: store).importFiles(DemoData.studyFiles.map(\.path))
            logger.info("demo data imported", metadata: ["result": "\(report.summary)"])
        }
        if !noDemo, try await RegistryImporter(store: store).loadDemoIfEmpty(asOf: CivilDate(utc: Date())) {
            logger.info("empty registry: loaded the synthetic demo cohort (no real patient)")
        }
        let app = try await buildApplication(
            configuration: ServerConfiguration(
                host: host, port: port, logLevel: logLevel, staffToken: environment["PASSERELLE_STAFF_TOKEN"],
                publicURL: publicURL ?? environment["PASSERELLE_PUBLIC_URL"], secret: environment["PASSERELLE_SECRET"],
                mailFrom: environment["PASSERELLE_MAIL_FROM"] ?? "no-reply@passerelle.quebec",
                smtp: smtp ?? environment["PASSERELLE_SMTP"],
                alertInterval: .seconds(Int(environment["PASSERELLE_ALERT_INTERVAL"] ?? "") ?? 10),
                matching: matching, responseCacheBytes: cacheMiB << 20),
            store: store, logger: logger)
        do {
            try await app.runService()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        logger.info("stopped")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension MatchingMode: ExpressibleByArgument {}

/// How logs are written to standard error.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json

    static func bootstrap(_ format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: StreamLogHandler.standardError(label: label)
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}

/// One JSON object per log line: time, level, label, message and metadata, for log collectors.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [
            "time": Date().formatted(.iso8601), "level": event.level.rawValue, "label": label,
            "message": event.message.description,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = value.description
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
