import ArgumentParser
import Foundation
import Logging
import Web

/// `passerelle alerts …`: one pass of the alert worker or of the e-mail delivery worker that `serve` runs on a
/// timer, for cron jobs, tests and operators.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Percolate new trial changes, queue digests, or send the e-mail outbox.",
        subcommands: [Percolate.self, Digest.self, Deliver.self])

    /// The settings `serve` would use, from the same environment variables.
    static func serverConfiguration(smtp: String? = nil) -> ServerConfiguration {
        let environment = ProcessInfo.processInfo.environment
        return ServerConfiguration(
            publicURL: environment["PASSERELLE_PUBLIC_URL"], secret: environment["PASSERELLE_SECRET"],
            mailFrom: environment["PASSERELLE_MAIL_FROM"] ?? "no-reply@passerelle.quebec", smtp: smtp ?? environment["PASSERELLE_SMTP"])
    }

    struct Percolate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turn the trial changes recorded since the last pass into alerts.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = try await database.openStore()
            let created = try await AlertsRunner.percolate(store: store, configuration: AlertsCommand.serverConfiguration())
            try await store.close()
            print("\(created) new alerts")
        }
    }

    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue the daily or weekly digests now.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "daily or weekly") var frequency: String

        func run() async throws {
            let store = try await database.openStore()
            let queued = try await AlertsRunner.digest(frequency, store: store, configuration: AlertsCommand.serverConfiguration())
            try await store.close()
            print("\(queued) digests queued")
        }
    }

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send every due message of the outbox once.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "smtp://user:pass@host:port (env PASSERELLE_SMTP).") var smtp: String?
        @Option(help: "Seconds a claimed message is reserved before another worker may retry it.") var leaseSeconds = 300

        func run() async throws {
            let store = try await database.openStore()
            let report = try await AlertsRunner.deliver(
                store: store, configuration: AlertsCommand.serverConfiguration(smtp: smtp), lease: .seconds(leaseSeconds))
            try await store.close()
            print("sent \(report.sent), retried \(report.retried), failed \(report.failed)")
        }
    }
}
