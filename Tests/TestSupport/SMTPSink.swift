import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the aiosmtpd integration tests run: when `python3 -c "import aiosmtpd"` works, and always under `CI=true`
/// (where a missing aiosmtpd then fails the tests instead of skipping them).
public enum SMTPTestEnvironment {
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    public static let aiosmtpdAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    public static let shouldRun: Bool = {
        if !aiosmtpdAvailable && !isCI {
            print("note: python3 cannot import aiosmtpd (python3 -m pip install aiosmtpd): the SMTP integration tests are skipped")
        }
        return aiosmtpdAvailable || isCI
    }()
}

/// What `smtp_sink.py` wrote for one accepted message.
public struct ReceivedMessage: Decodable, Sendable {
    public struct Address: Decodable, Equatable, Sendable {
        public var name: String
        public var address: String

        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    public struct Header: Decodable, Sendable {
        public var name: String
        public var value: String
    }

    public struct Part: Decodable, Sendable {
        public var contentType: String
        public var charset: String?
        public var cte: String?
        public var content: String
    }

    /// What Python's `email` package (policy.default) reads from the raw message.
    public struct Parsed: Decodable, Sendable {
        public var subject: String?
        public var from: [Address]
        public var to: [Address]
        public var replyTo: [Address]
        public var messageId: String?
        public var headers: [Header]
        public var defects: [String]
        public var contentType: String
        public var parts: [Part]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public var mailFrom: String
    public var mailOptions: [String]
    public var rcptTos: [String]
    public var peerPort: Int
    public var login: String?
    public var mechanism: String?
    public var tls: Bool
    public var parsed: Parsed
    /// The message bytes as received (after dot-unstuffing).
    public var raw: [UInt8] = []

    enum CodingKeys: String, CodingKey {
        case mailFrom, mailOptions, rcptTos, peerPort, login, mechanism, tls, parsed
    }
}

/// A running `smtp_sink.py` (aiosmtpd) on a free loopback port, writing what it receives into a temporary directory.
public struct SMTPSink: Sendable {
    public let port: Int
    public let directory: URL

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_sink.py").path

    /// Starts the sink with `options` (see smtp_sink.py), runs `body`, then stops the sink and removes its files.
    public static func with<T>(_ options: [String] = [], _ body: (SMTPSink) async throws -> T) async throws -> T {
        try #require(SMTPTestEnvironment.aiosmtpdAvailable, "CI=true but python3 cannot import aiosmtpd: python3 -m pip install aiosmtpd")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logURL = directory.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }

        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "\(port)", directory.path] + options
        let input = Pipe()  // the sink stops when this closes, should the test process die
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        try process.run()
        do {
            let result = try await body(try await ready(process: process, port: port, log: logURL, directory: directory))
            await stop(process, input: input)
            return result
        } catch {
            await stop(process, input: input)
            throw error
        }
    }

    /// Waits until the sink says it accepts connections.
    private static func ready(process: Process, port: Int, log: URL, directory: URL) async throws -> SMTPSink {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if output.contains("ready \(port)") { break }
            guard process.isRunning, ContinuousClock.now < deadline else {
                Issue.record("smtp_sink.py did not start: \(output)")
                throw SinkError.notStarted
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return SMTPSink(port: port, directory: directory)
    }

    /// Stops the sink (SIGTERM, and its stdin closed), SIGKILL if it is still there after 10 s. Never blocks a thread.
    private static func stop(_ process: Process, input: Pipe) async {
        if process.isRunning { process.terminate() }
        try? input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    public enum SinkError: Error { case notStarted }

    /// How many messages were received so far (cheaper than ``received()`` for polling).
    public func receivedCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.count
    }

    /// The messages received so far, in order.
    public func received() throws -> [ReceivedMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try names.map { name in
            var message = try decoder.decode(ReceivedMessage.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
            let raw = directory.appendingPathComponent(name.replacingOccurrences(of: ".json", with: ".eml"))
            message.raw = Array(try Data(contentsOf: raw))
            return message
        }
    }
}

/// A loopback port nothing listens on (at the time of the call).
public func freePort() throws -> Int {
    let socket = try ListeningSocket(listen: false)
    return socket.port
}

/// A TCP socket bound to 127.0.0.1 on a free port; listening (the kernel completes connections, nobody answers)
/// when asked. Closed on deinit.
public final class ListeningSocket {
    public let descriptor: Int32
    public let port: Int

    public init(listen shouldListen: Bool) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        if shouldListen { _ = listen(descriptor, 8) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// The first IPv4 address of this machine that is not loopback, if any.
public func nonLoopbackIPv4Address() -> String? {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0, let first = list else { return nil }
    defer { freeifaddrs(list) }
    var cursor: UnsafeMutablePointer<ifaddrs>? = first
    while let entry = cursor {
        defer { cursor = entry.pointee.ifa_next }
        guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
        var ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &ipv4, &buffer, socklen_t(buffer.count)) != nil else { continue }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if !text.hasPrefix("127.") { return text }
    }
    return nil
}
