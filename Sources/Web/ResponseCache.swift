import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Keeps the bytes of recent public search answers (`GET /api/v1/trials`, `GET /api/v1/portrait`) so a repeated
/// request is answered without searching and encoding again.
///
/// Contracts:
/// - An entry is used only for the same path and query, the same `Accept` header and the same search index
///   (``Finder/sequence``): an import that changes any trial makes every older entry unreachable.
/// - Entries also expire after ``timeToLive`` (the portrait's "new this year" depends on the date).
/// - Only `200` answers no larger than ``largestEntryBytes`` are kept; the total stays under the byte budget, the
///   least recently used entries going first. A budget of 0 turns the cache off.
/// - These answers are the same for everyone (no account, cookie or personal data goes into them), which is what
///   makes sharing them safe; routes whose answer depends on the visitor must never be listed in ``cacheablePaths``.
final class ResponseCache: Sendable {
    /// The routes whose answers are kept.
    static let cacheablePaths: Set<String> = ["/api/v1/trials", "/api/v1/portrait"]
    /// Answers above this size (large CSV exports) are not kept.
    static let largestEntryBytes = 1 << 20
    /// How long an entry may be used at most.
    static let timeToLive: Duration = .seconds(60)

    private struct Entry {
        var sequence: Int64
        var stored: ContinuousClock.Instant
        var lastUsed: UInt64
        var headers: HTTPFields
        var body: ByteBuffer
        var bytes: Int { body.readableBytes + key.utf8.count + 256 }
        var key: String
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    /// The byte budget (0: off).
    let capacityBytes: Int
    private let storage = Mutex(Storage())
    private let hits = Counter(label: "passerelle_response_cache_total", dimensions: [("result", "hit")])
    private let misses = Counter(label: "passerelle_response_cache_total", dimensions: [("result", "miss")])

    init(capacityBytes: Int) {
        self.capacityBytes = max(0, capacityBytes)
    }

    /// The cache key of `request`, or `nil` when its answer must not be shared.
    static func key(_ request: Request) -> String? {
        guard request.method == .get, cacheablePaths.contains(request.uri.path) else { return nil }
        return "\(request.uri.description)\n\(request.headers[.accept] ?? "")"
    }

    /// The stored answer for `key` made on the index at `sequence`, if still valid.
    func answer(_ key: String, sequence: Int64, now: ContinuousClock.Instant = .now) -> (HTTPFields, ByteBuffer)? {
        let found = storage.withLock { storage -> (HTTPFields, ByteBuffer)? in
            guard var entry = storage.entries[key] else { return nil }
            guard entry.sequence == sequence, now - entry.stored < Self.timeToLive else {
                storage.bytes -= entry.bytes
                storage.entries[key] = nil
                return nil
            }
            storage.clock &+= 1
            entry.lastUsed = storage.clock
            storage.entries[key] = entry
            return (entry.headers, entry.body)
        }
        if found == nil { misses.increment() } else { hits.increment() }
        return found
    }

    /// Keeps an answer, evicting the least recently used entries when the budget is exceeded.
    func keep(_ key: String, sequence: Int64, headers: HTTPFields, body: ByteBuffer, now: ContinuousClock.Instant = .now) {
        guard capacityBytes > 0, body.readableBytes <= Self.largestEntryBytes else { return }
        storage.withLock { storage in
            storage.clock &+= 1
            let entry = Entry(sequence: sequence, stored: now, lastUsed: storage.clock, headers: headers, body: body, key: key)
            if let old = storage.entries.updateValue(entry, forKey: key) { storage.bytes -= old.bytes }
            storage.bytes += entry.bytes
            guard storage.bytes > capacityBytes else { return }
            // Evict down to three quarters of the budget at once, so eviction's sort is paid rarely.
            for old in storage.entries.values.sorted(by: { $0.lastUsed < $1.lastUsed }) {
                guard storage.bytes > capacityBytes / 4 * 3 else { break }
                storage.entries[old.key] = nil
                storage.bytes -= old.bytes
            }
        }
    }

    /// Bytes held now.
    var heldBytes: Int { storage.withLock { $0.bytes } }
}

/// Answers cacheable requests from the ``ResponseCache`` and fills it with the answers of the routes behind it.
/// Every answer it sees says whether it came from the cache (`X-Passerelle-Cache: hit` or `miss`).
struct ResponseCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: ResponseCache
    let finder: Finder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard cache.capacityBytes > 0, let key = ResponseCache.key(request) else {
            return try await next(request, context)
        }
        let sequence = finder.sequence
        if let (headers, body) = cache.answer(key, sequence: sequence) {
            var response = Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            response.headers[Self.header] = "hit"
            return response
        }
        var response = try await next(request, context)
        guard response.status == .ok, (response.body.contentLength ?? 0) <= ResponseCache.largestEntryBytes else {
            return response
        }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = collector.buffer
        if let trailers = collector.trailers {
            response.body = .init { writer in
                try await writer.write(body)
                try await writer.finish(trailers)
            }
            return response
        }
        var headers = response.headers
        headers[.contentLength] = nil
        cache.keep(key, sequence: sequence, headers: headers, body: body)
        response.body = .init(byteBuffer: body)
        response.headers[Self.header] = "miss"
        return response
    }

    private static var header: HTTPField.Name { HTTPField.Name("X-Passerelle-Cache")! }
}

/// Gathers a response body in memory (the cached routes build their answers in memory anyway), with any trailing
/// headers, which make an answer one not to keep.
private final class BodyCollector: ResponseBodyWriter {
    private(set) var buffer = ByteBuffer()
    private(set) var trailers: HTTPFields?

    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {
        trailers = trailingHeaders
    }
}
