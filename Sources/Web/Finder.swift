import Foundation
import Logging
import Matching
import Search
import ServiceLifecycle
import Storage
import Synchronization
import Trials

/// The trial finder's in-memory side: the search index of the store's trials and their summaries, kept in step
/// with the store.
///
/// Contracts:
/// - Searches read an immutable ``Snapshot``; they run in parallel and never see a half-applied update.
/// - ``refresh()`` reads the store's change log after the snapshot's sequence number, so trials imported by another
///   process (`passerelle import` against the same database) become searchable at the next refresh. Small change
///   sets are applied to a copy of the index; large ones rebuild it, which also resets document frequencies.
final class Finder: Sendable {
    /// One consistent state of the finder.
    struct Snapshot: Sendable {
        var index: TrialIndex
        var summaries: [String: TrialSummary]
        /// Patient matching over the same trials.
        var matcher: TrialMatcher
        /// The last change-log sequence number applied.
        var sequence: Int64
    }

    private let store: any TrialStore
    private let lexicon: MedicalLexicon
    let geography: Geography
    private let state: Mutex<Snapshot>
    /// Serialises refreshes; searches never wait for it.
    private let refreshing = Mutex(false)

    /// Above this many changed trials (and above 5 % of the index), a refresh rebuilds instead of patching.
    static let patchLimit = 2_000

    private init(store: any TrialStore, lexicon: MedicalLexicon, geography: Geography, snapshot: Snapshot) {
        self.store = store
        self.lexicon = lexicon
        self.geography = geography
        state = Mutex(snapshot)
    }

    /// Builds the index of every trial in `store`.
    static func build(store: any TrialStore, lexicon: MedicalLexicon, geography: Geography) async throws -> Finder {
        let snapshot = try await makeSnapshot(store: store, lexicon: lexicon, geography: geography)
        return Finder(store: store, lexicon: lexicon, geography: geography, snapshot: snapshot)
    }

    private static func makeSnapshot(store: any TrialStore, lexicon: MedicalLexicon, geography: Geography)
        async throws -> Snapshot
    {
        let sequence = try await store.lastSequence()
        let trials = try await store.allTrials()
        let index = TrialIndex(trials: trials, lexicon: lexicon, geography: geography)
        var summaries: [String: TrialSummary] = [:]
        summaries.reserveCapacity(trials.count)
        for trial in trials { summaries[trial.nctId] = TrialSummary(trial, geography: geography) }
        let matcher = TrialMatcher(index: MatchingIndex(trials: trials, lexicon: lexicon), lexicon: lexicon)
        return Snapshot(index: index, summaries: summaries, matcher: matcher, sequence: sequence)
    }

    /// The current state.
    var snapshot: Snapshot { state.withLock { $0 } }

    /// Applies the store's changes since the snapshot; returns how many trials changed (0 when another refresh is
    /// running).
    @discardableResult
    func refresh() async throws -> Int {
        guard refreshing.withLock({ running in
            defer { running = true }
            return !running
        }) else { return 0 }
        defer { refreshing.withLock { $0 = false } }

        let current = snapshot
        var sequence = current.sequence
        var changed: Set<String> = []
        while true {
            let entries = try await store.changes(after: sequence, limit: 10_000)
            guard let last = entries.last else { break }
            for entry in entries { changed.insert(entry.nctId) }
            sequence = last.sequence
        }
        guard !changed.isEmpty else { return 0 }
        if changed.count > Self.patchLimit && changed.count * 20 > current.index.count {
            let rebuilt = try await Self.makeSnapshot(store: store, lexicon: lexicon, geography: geography)
            state.withLock { $0 = rebuilt }
            return changed.count
        }
        var next = current
        next.sequence = sequence
        var updated: [Trial] = []
        var removed: Set<String> = []
        for nctId in changed.sorted() {
            if let trial = try await store.trial(nctId) {
                next.index.add(trial)
                next.summaries[nctId] = TrialSummary(trial, geography: geography)
                updated.append(trial)
            } else {
                next.index.remove(nctId: nctId)
                next.summaries[nctId] = nil
                removed.insert(nctId)
            }
        }
        next.matcher = TrialMatcher(index: current.matcher.index.updating(updated, removing: removed), lexicon: lexicon)
        state.withLock { $0 = next }
        return changed.count
    }

    /// Searches the current snapshot; each hit comes with its summary.
    func search(_ query: SearchQuery) throws(SearchError) -> (results: SearchResults, summaries: [TrialSummary]) {
        let current = snapshot
        let results = try current.index.search(query)
        return (results, results.hits.compactMap { current.summaries[$0.nctId] })
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
