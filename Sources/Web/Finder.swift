import Foundation
import Logging
import Matching
import NIOPosix
import Search
import ServiceLifecycle
import Storage
import Synchronization
import Trials

/// When the server builds the eligibility index that patient matching needs (docs/MATCHING.md).
public enum MatchingMode: String, Sendable, CaseIterable {
    /// Before the finder is ready (tests, and tools that match at once).
    case eager
    /// After the search index, on a thread of its own, so search is served first; matching answers 503 until it
    /// is ready. The server's default: the eligibility index takes longer to build than the search index.
    case background
    /// Never: matching answers 503 (alert workers, and search-only servers such as the scale benchmarks).
    case off
}

/// The trial finder's in-memory side: the search index of the store's trials and their summaries, and the
/// matcher over the same trials, kept in step with the store.
///
/// Contracts:
/// - Searches read an immutable ``Snapshot``; they run in parallel and never see a half-applied update.
/// - ``refresh()`` reads the store's change log after the snapshot's sequence number, so trials imported by another
///   process (`passerelle import` against the same database) become searchable at the next refresh. Small change
///   sets are applied to a copy of the index; large ones rebuild it, which also resets document frequencies.
/// - The matcher has its own sequence number: built in the background, it catches up at the next refresh.
final class Finder: Sendable {
    /// One consistent state of the search side.
    struct Snapshot: Sendable {
        var index: TrialIndex
        var summaries: [String: TrialSummary]
        /// The last change-log sequence number applied.
        var sequence: Int64
    }

    /// Patient matching over the store's trials, and the last change-log sequence number it has applied.
    private struct MatcherState: Sendable {
        var matcher: TrialMatcher?
        var sequence: Int64
    }

    private let store: any TrialStore
    private let lexicon: MedicalLexicon
    let geography: Geography
    /// How the matcher is built.
    let matchingMode: MatchingMode
    private let state: Mutex<Snapshot>
    private let matching: Mutex<MatcherState>
    /// Serialises refreshes; searches never wait for it.
    private let refreshing = Mutex(false)

    /// Above this many changed trials (and above 5 % of the index), a refresh rebuilds instead of patching.
    static let patchLimit = 2_000

    private init(
        store: any TrialStore, lexicon: MedicalLexicon, geography: Geography, matchingMode: MatchingMode,
        snapshot: Snapshot, matcher: MatcherState
    ) {
        self.store = store
        self.lexicon = lexicon
        self.geography = geography
        self.matchingMode = matchingMode
        state = Mutex(snapshot)
        matching = Mutex(matcher)
    }

    /// Builds the search index of every trial in `store`, and the matcher too when `matching` is `.eager`.
    static func build(
        store: any TrialStore, lexicon: MedicalLexicon, geography: Geography, matching: MatchingMode = .eager
    ) async throws -> Finder {
        let sequence = try await store.lastSequence()
        let trials = try await store.allTrials()
        let snapshot = makeSnapshot(trials, sequence: sequence, geography: geography, lexicon: lexicon)
        var matcher = MatcherState(matcher: nil, sequence: sequence)
        if matching == .eager { matcher.matcher = makeMatcher(trials, lexicon: lexicon) }
        return Finder(
            store: store, lexicon: lexicon, geography: geography, matchingMode: matching, snapshot: snapshot,
            matcher: matcher)
    }

    private static func makeSnapshot(_ trials: [Trial], sequence: Int64, geography: Geography, lexicon: MedicalLexicon)
        -> Snapshot
    {
        let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)
        var summaries: [String: TrialSummary] = [:]
        summaries.reserveCapacity(trials.count)
        for trial in trials { summaries[trial.nctId] = TrialSummary(trial, geography: geography) }
        return Snapshot(index: index, summaries: summaries, sequence: sequence)
    }

    private static func makeMatcher(_ trials: [Trial], lexicon: MedicalLexicon) -> TrialMatcher {
        TrialMatcher(index: MatchingIndex(trials: trials, lexicon: lexicon), lexicon: lexicon)
    }

    /// The current state.
    var snapshot: Snapshot { state.withLock { $0 } }

    /// The last change-log sequence number the search index has applied: answers derived from the index change
    /// only when it does.
    var sequence: Int64 { state.withLock { $0.sequence } }

    /// The matcher, or `nil` while it is being built in the background or when matching is off.
    var matcher: TrialMatcher? { matching.withLock { $0.matcher } }

    /// Whether a background build of the matcher is still to come.
    var awaitsMatcher: Bool { matchingMode == .background && matcher == nil }

    /// Builds the matcher from the store on a thread outside Swift's cooperative pool (it takes tens of seconds
    /// per 10,000 trials), then brings it up to date with the change log. Does nothing unless the mode is
    /// `.background` and no matcher exists yet.
    func buildMatcherInBackground() async throws {
        guard awaitsMatcher else { return }
        let sequence = try await store.lastSequence()
        let trials = try await store.allTrials()
        let lexicon = lexicon
        let matcher = try await NIOThreadPool.singleton.runIfActive { Self.makeMatcher(trials, lexicon: lexicon) }
        matching.withLock { $0 = MatcherState(matcher: matcher, sequence: sequence) }
        try await refresh()
    }

    /// Applies the store's changes since the snapshot (and since the matcher's own sequence); returns how many
    /// trials changed for the search index (0 when another refresh is running).
    @discardableResult
    func refresh() async throws -> Int {
        guard refreshing.withLock({ running in
            defer { running = true }
            return !running
        }) else { return 0 }
        defer { refreshing.withLock { $0 = false } }

        let current = snapshot
        let matcherState = matching.withLock { $0 }
        let matcher = matcherState.matcher
        var sequence = min(current.sequence, matcher == nil ? current.sequence : matcherState.sequence)
        var forSearch: Set<String> = []
        var forMatcher: Set<String> = []
        while true {
            let entries = try await store.changes(after: sequence, limit: 10_000)
            guard let last = entries.last else { break }
            for entry in entries {
                if entry.sequence > current.sequence { forSearch.insert(entry.nctId) }
                if matcher != nil, entry.sequence > matcherState.sequence { forMatcher.insert(entry.nctId) }
            }
            sequence = last.sequence
        }
        guard !forSearch.isEmpty || !forMatcher.isEmpty else { return 0 }
        if forSearch.count > Self.patchLimit && forSearch.count * 20 > current.index.count {
            let last = try await store.lastSequence()
            let trials = try await store.allTrials()
            state.withLock { $0 = Self.makeSnapshot(trials, sequence: last, geography: geography, lexicon: lexicon) }
            if matcher != nil {
                let rebuilt = Self.makeMatcher(trials, lexicon: lexicon)
                matching.withLock { $0 = MatcherState(matcher: rebuilt, sequence: last) }
            }
            return forSearch.count
        }
        var next = current
        next.sequence = sequence
        var updated: [Trial] = []
        var removed: Set<String> = []
        for nctId in forSearch.union(forMatcher).sorted() {
            let trial = try await store.trial(nctId)
            if forSearch.contains(nctId) {
                if let trial {
                    next.index.add(trial)
                    next.summaries[nctId] = TrialSummary(trial, geography: geography)
                } else {
                    next.index.remove(nctId: nctId)
                    next.summaries[nctId] = nil
                }
            }
            if forMatcher.contains(nctId) {
                if let trial { updated.append(trial) } else { removed.insert(nctId) }
            }
        }
        if let matcher, !forMatcher.isEmpty {
            let patched = TrialMatcher(index: matcher.index.updating(updated, removing: removed), lexicon: lexicon)
            matching.withLock { $0 = MatcherState(matcher: patched, sequence: sequence) }
        }
        state.withLock { $0 = next }
        return forSearch.count
    }

    /// Searches the current snapshot; each hit comes with its summary.
    func search(_ query: SearchQuery) throws(SearchError) -> (results: SearchResults, summaries: [TrialSummary]) {
        let current = snapshot
        let results = try current.index.search(query)
        return (results, results.hits.compactMap { current.summaries[$0.nctId] })
    }
}

/// Builds the finder's matcher once, after the server has started (``MatchingMode/background``), then waits for
/// the server's shutdown: a service that returned would stop the whole server.
struct MatcherBuildService: Service {
    let finder: Finder
    let logger: Logger

    func run() async throws {
        if finder.awaitsMatcher {
            let started = ContinuousClock.now
            do {
                try await cancelWhenGracefulShutdown { try await finder.buildMatcherInBackground() }
                if let matcher = finder.matcher {
                    logger.info(
                        "matching index built",
                        metadata: ["trials": "\(matcher.index.count)", "duration": "\(ContinuousClock.now - started)"])
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("matching index build failed", metadata: ["error": "\(error)"])
            }
        }
        try? await gracefulShutdown()
    }
}

/// Runs ``Finder/refresh()`` every `interval` while the server runs.
struct FinderRefreshService: Service {
    let finder: Finder
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let changed = try await finder.refresh()
                if changed > 0 { logger.info("search index refreshed", metadata: ["trials": "\(changed)"]) }
            } catch {
                logger.error("search index refresh failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
