import Search
import Trials

/// Finds the saved searches a trial matches: search turned around, one trial against many stored queries.
///
/// Contract (agreement with the finder): for a trial `t` in the finder's index and a saved search `s`,
/// `matches(trial: t)` contains `s.id` exactly when `index.search(s.parameters)` finds `t` without falling back to
/// partial text matching (``SearchResults/isPartialTextMatch`` false): every required concept of the text matches
/// (one of its alternatives: lexicon synonyms, typo corrections, the words as typed), every facet filter, the age and
/// the radius. Queries are planned by the index's own planner (``TrialIndex``), trials analysed by its own analyzer,
/// so analysis is never duplicated. The only differences are in the percolator's favour for trials the index does not
/// hold yet: a phrase whose words no indexed trial had is kept (a new product name matches), and a city filter is
/// compared by the city's folded key, so accents in a new trial's city spelling do not matter.
///
/// Design (docs/ALERTS.md):
/// - Saved searches with the same compiled query (same concepts, filters, age, origin and radius) share one
///   *distinct query*; identical concepts are stored once and evaluated at most once per trial.
/// - Each distinct query is filed under one *anchor*, the condition least likely to hold according to the finder's
///   index: its rarest required concept (under the rarest term of each alternative: a trial matching an alternative
///   contains all its terms), else a facet filter's values, else the grid cells of its radius. Queries with none of
///   these (age only, or nothing) are checked for every trial.
/// - Percolating a trial reads the anchors of its terms, facet values and site cells, then verifies each candidate
///   exactly: filters, age, radius, then every concept.
/// - ``add(_:)`` and ``remove(id:)`` are incremental. A distinct query left without saved searches stays filed but is
///   skipped (and revived when the same query is saved again).
public struct Percolator: Sendable {
    /// The finder index the searches are planned against; rebuild the percolator when the finder's index is
    /// rebuilt, so that typo corrections and anchor choices follow it.
    public let index: TrialIndex

    // Vocabulary of the compiled queries.
    private var termIds: [String: UInt32] = [:]
    private var termFrequencies: [Int] = []

    // Concepts: alternatives `conceptStarts[c]..<conceptStarts[c + 1]` in `alternativeStarts`, whose terms are
    // `alternativeTerms[alternativeStarts[a]..<alternativeStarts[a + 1]]`.
    private var conceptIds: [[[UInt32]]: UInt32] = [:]
    private var conceptStarts: [Int] = [0]
    private var alternativeStarts: [Int] = [0]
    private var alternativeTerms: [UInt32] = []
    /// Estimated number of indexed trials matching each concept (sum over alternatives of the rarest term's
    /// document frequency).
    private var conceptEstimates: [Int] = []
    /// Concepts filed under each term (the rarest term of one of their alternatives), by term id.
    private var conceptsByTerm: [[UInt32]] = []

    // Facet values named by filters, per facet (``Facet`` position): string → value id.
    private var valueIds: [[String: UInt32]] = Array(repeating: [:], count: Facet.allCases.count)
    /// Indexed trials having each value.
    private var valueEstimates: [Int] = []
    private var valueCount: Int { valueEstimates.count }

    // Origins (resolved places) and the cache of place texts.
    private var origins: [GeoPoint] = []
    private var originIds: [GeoPointKey: UInt32] = [:]
    private var places: [String: GeoPoint] = [:]
    private var sitesPerCell: [Int32: Int] = [:]

    // Distinct queries.
    private var queries: [CompiledQuery] = []
    private var queryIds: [CompiledQuery: UInt32] = [:]
    private var subscribers: [[SavedSearch.ID]] = []
    /// Whether the query's anchor has several keys (values or cells), so a trial can reach it more than once.
    private var multiKeyAnchor: [Bool] = []
    private var byConcept: [[UInt32]] = []
    private var byValue: [[UInt32]] = []
    private var byCell: [Int32: [UInt32]] = [:]
    private var unanchored: [UInt32] = []
    private var liveQueries = 0

    // Saved searches and compilation caches.
    private var entries: [SavedSearch.ID: UInt32] = [:]
    private var textCache: [TextKey: [UInt32]] = [:]

    /// Saved searches the finder would refuse (unknown place, radius without a place), with the reason; they match
    /// nothing.
    public private(set) var rejected: [SavedSearch.ID: SearchError] = [:]

    /// A percolator for `searches`, planned against the finder's `index`. Searches the finder would refuse are
    /// listed in ``rejected``.
    public init(index: TrialIndex, searches: [SavedSearch] = []) {
        self.index = index
        sitesPerCell = index.sitesPerCell()
        for search in searches {
            do throws(SearchError) {
                try add(search)
            } catch {
                rejected[search.id] = error
            }
        }
    }

    /// Number of saved searches.
    public var count: Int { entries.count }

    /// Number of distinct queries among them.
    public var distinctQueries: Int { liveQueries }

    /// Whether a saved search with this id is filed.
    public func contains(id: SavedSearch.ID) -> Bool { entries[id] != nil }

    /// Files `search`, replacing the saved search with the same id. Throws what ``TrialIndex/search(_:)`` would
    /// throw for its parameters (unknown place, radius without a place); the search (and any earlier version with
    /// its id) is then not filed.
    public mutating func add(_ search: SavedSearch) throws(SearchError) {
        let query: CompiledQuery
        do throws(SearchError) {
            query = try compile(search.parameters)
        } catch {
            remove(id: search.id)
            throw error
        }
        remove(id: search.id)
        let id: UInt32
        if let existing = queryIds[query] {
            id = existing
        } else {
            id = UInt32(queries.count)
            queries.append(query)
            queryIds[query] = id
            subscribers.append([])
            multiKeyAnchor.append(false)
            file(id)
        }
        if subscribers[Int(id)].isEmpty { liveQueries += 1 }
        subscribers[Int(id)].append(search.id)
        entries[search.id] = id
    }

    /// Removes the saved search with this id; returns whether it was filed.
    @discardableResult
    public mutating func remove(id: SavedSearch.ID) -> Bool {
        rejected[id] = nil
        guard let query = entries.removeValue(forKey: id) else { return false }
        if let position = subscribers[Int(query)].firstIndex(of: id) {
            subscribers[Int(query)].remove(at: position)
        }
        if subscribers[Int(query)].isEmpty { liveQueries -= 1 }
        return true
    }

    /// The saved searches `trial` matches (order unspecified; see the type's contract).
    public func matches(trial: Trial) -> [SavedSearch.ID] {
        matches(PercolationTrial(trial, index: index))
    }

    /// The saved searches an analysed trial matches (analyse once when the trial is also used for events).
    public func matches(_ trial: PercolationTrial) -> [SavedSearch.ID] {
        var result: [SavedSearch.ID] = []
        for query in matchingQueries(trial) { result.append(contentsOf: subscribers[Int(query)]) }
        return result
    }

    /// The baseline the benchmark compares with: every distinct query verified against the trial, no anchors. Same
    /// answer as ``matches(_:)``.
    public func matchesVerifyingEveryQuery(_ trial: PercolationTrial) -> [SavedSearch.ID] {
        var state = TrialState(trial.analyzed, percolator: self)
        var result: [SavedSearch.ID] = []
        for query in queries.indices where !subscribers[query].isEmpty && verify(UInt32(query), &state) {
            result.append(contentsOf: subscribers[query])
        }
        return result
    }

    /// Approximate heap memory of the percolator's own structures, in bytes (the index is not counted).
    public var memoryBytes: Int {
        var total = termIds.capacity * 40 + termFrequencies.capacity * 8
        total += conceptIds.count * 64 + (conceptStarts.capacity + alternativeStarts.capacity) * 8
        total += alternativeTerms.capacity * 4 + conceptEstimates.capacity * 8
        total += conceptsByTerm.reduce(conceptsByTerm.capacity * 8) { $0 + $1.capacity * 4 }
        total += valueCount * 56 + origins.capacity * 16 + originIds.capacity * 24 + places.capacity * 48
        for query in queries {
            total += 48 + query.concepts.capacity * 4 + query.filters.reduce(0) { $0 + 32 + $1.values.capacity * 4 }
        }
        total += queryIds.capacity * 80
        total += subscribers.reduce(subscribers.capacity * 8) { $0 + $1.capacity * 16 + 32 }
        total += entries.capacity * 24 + entries.keys.reduce(0) { $0 + ($1.utf8.count > 15 ? $1.utf8.count + 32 : 0) }
        total += byConcept.reduce(0) { $0 + $1.capacity * 4 + 8 } + byValue.reduce(0) { $0 + $1.capacity * 4 + 8 }
        total += byCell.reduce(0) { $0 + $1.value.capacity * 4 + 40 } + unanchored.capacity * 4
        total += textCache.reduce(0) { $0 + $1.key.text.utf8.count + 48 + $1.value.capacity * 4 }
        return total
    }

    // MARK: Compiling

    private struct TextKey: Hashable {
        var text: String
        var language: Language?
    }

    private struct GeoPointKey: Hashable {
        var latitude: UInt64
        var longitude: UInt64

        init(_ point: GeoPoint) {
            latitude = point.latitude.bitPattern
            longitude = point.longitude.bitPattern
        }
    }

    /// One facet filter: the facet's position and the accepted value ids.
    struct FilterClause: Hashable {
        var facet: Int
        var values: [UInt32]
    }

    /// A saved search's parameters in the percolator's ids: what decides which trials match.
    struct CompiledQuery: Hashable {
        /// Required concepts, sorted.
        var concepts: [UInt32]
        var filters: [FilterClause]
        /// The finder compares ages in single precision.
        var age: Float?
        var origin: UInt32?
        var radiusKm: Double?
    }

    private mutating func compile(_ parameters: SearchParameters) throws(SearchError) -> CompiledQuery {
        var origin: UInt32?
        if let place = parameters.place, !SearchParameters.collapse(place).isEmpty {
            let point: GeoPoint
            if let cached = places[place] {
                point = cached
            } else {
                guard let resolved = index.placeResolver.resolve(place) else { throw SearchError.unknownPlace(place) }
                places[place] = resolved
                point = resolved
            }
            if parameters.radiusKm != nil { origin = originId(point) }
        }
        if origin == nil, parameters.radiusKm != nil { throw SearchError.placeRequired }

        var filters: [FilterClause] = []
        for (position, facet) in Facet.allCases.enumerated() {
            guard let values = parameters.filters[facet], !values.isEmpty else { continue }
            var ids: Set<UInt32> = []
            for value in values {
                ids.insert(valueId(value, facet: position))
                ids.insert(valueId(facet.comparisonKey(value), facet: position))
            }
            filters.append(FilterClause(facet: position, values: ids.sorted()))
        }
        return CompiledQuery(
            concepts: concepts(parameters.text, language: parameters.language), filters: filters,
            age: parameters.acceptsAge.map(Float.init), origin: origin, radiusKm: origin == nil ? nil : parameters.radiusKm)
    }

    private mutating func concepts(_ text: String, language: Language?) -> [UInt32] {
        let key = TextKey(text: text, language: language)
        if let cached = textCache[key] { return cached }
        var ids: Set<UInt32> = []
        for concept in index.requiredConcepts(text, language: language) {
            var alternatives: [[UInt32]] = []
            for phrase in concept.alternatives {
                var ids: [UInt32] = []
                for term in phrase { ids.append(termId(term)) }
                alternatives.append(ids)
            }
            if let id = conceptIds[alternatives] {
                ids.insert(id)
                continue
            }
            let id = UInt32(conceptEstimates.count)
            conceptIds[alternatives] = id
            var estimate = 0
            for alternative in alternatives {
                alternativeTerms.append(contentsOf: alternative)
                alternativeStarts.append(alternativeTerms.count)
                let anchor = alternative.min { (termFrequencies[Int($0)], $0) < (termFrequencies[Int($1)], $1) }!
                estimate += termFrequencies[Int(anchor)]
                if conceptsByTerm[Int(anchor)].last != id { conceptsByTerm[Int(anchor)].append(id) }
            }
            conceptStarts.append(alternativeStarts.count - 1)
            conceptEstimates.append(estimate)
            byConcept.append([])
            ids.insert(id)
        }
        let sorted = ids.sorted()
        textCache[key] = sorted
        return sorted
    }

    private mutating func termId(_ term: String) -> UInt32 {
        if let id = termIds[term] { return id }
        let id = UInt32(termFrequencies.count)
        termIds[term] = id
        termFrequencies.append(index.documentFrequency(of: term))
        conceptsByTerm.append([])
        return id
    }

    private mutating func valueId(_ value: String, facet: Int) -> UInt32 {
        if let id = valueIds[facet][value] { return id }
        let id = UInt32(valueCount)
        valueEstimates.append(index.documentCount(facet: Facet.allCases[facet], value: value))
        valueIds[facet][value] = id
        byValue.append([])
        return id
    }

    private mutating func originId(_ point: GeoPoint) -> UInt32 {
        let key = GeoPointKey(point)
        if let id = originIds[key] { return id }
        let id = UInt32(origins.count)
        originIds[key] = id
        origins.append(point)
        return id
    }

    /// Files a new distinct query under its anchor: the condition with the fewest indexed trials likely to meet it.
    private mutating func file(_ id: UInt32) {
        let query = queries[Int(id)]
        enum Anchor {
            case concept(UInt32)
            case values([UInt32])
            case cells([Int32])
        }
        var best: (anchor: Anchor, estimate: Int)?
        for concept in query.concepts where best == nil || conceptEstimates[Int(concept)] < best!.estimate {
            best = (.concept(concept), conceptEstimates[Int(concept)])
        }
        for clause in query.filters {
            let estimate = clause.values.reduce(0) { $0 + valueEstimates[Int($1)] }
            if best == nil || estimate < best!.estimate { best = (.values(clause.values), estimate) }
        }
        if let origin = query.origin, let radius = query.radiusKm {
            let cells = TrialIndex.gridCells(around: origins[Int(origin)], radiusKm: radius)
            let estimate = cells.reduce(0) { $0 + (sitesPerCell[$1] ?? 0) }
            if best == nil || estimate < best!.estimate { best = (.cells(cells), estimate) }
        }
        switch best?.anchor {
        case .concept(let concept)?:
            byConcept[Int(concept)].append(id)
        case .values(let values)?:
            for value in values { byValue[Int(value)].append(id) }
            multiKeyAnchor[Int(id)] = values.count > 1
        case .cells(let cells)?:
            for cell in cells { byCell[cell, default: []].append(id) }
            multiKeyAnchor[Int(id)] = cells.count > 1
        case nil:
            unanchored.append(id)
        }
    }

    // MARK: Percolating

    /// What verifying queries against one trial needs, in the percolator's ids, with per-trial memos.
    struct TrialState {
        let trial: AnalyzedTrial
        /// Per percolator term, the fields the trial has it in (0: absent).
        var fields: [UInt8]
        /// Terms of the trial known to the percolator.
        var present: [UInt32] = []
        /// Adjacent pairs (titles, conditions, interventions) of known terms, `first << 32 | second`.
        var pairs: Set<UInt64> = []
        /// Per concept: 0 not evaluated, 1 matches, 2 does not.
        var concepts: [UInt8]
        /// Per concept, whether the queries anchored on it have been checked.
        var expanded: [Bool]
        var values: [Bool]
        var presentValues: [UInt32] = []
        /// Per origin, the distance of the trial's nearest located site (NaN: not computed yet).
        var distances: [Double]
        var cells: Set<Int32> = []

        init(_ trial: AnalyzedTrial, percolator: Percolator) {
            self.trial = trial
            fields = [UInt8](repeating: 0, count: percolator.termFrequencies.count)
            var local = [UInt32](repeating: .max, count: trial.terms.count)
            for (position, term) in trial.terms.enumerated() {
                guard let id = percolator.termIds[term] else { continue }
                local[position] = id
                fields[Int(id)] = trial.fields[position]
                present.append(id)
            }
            for pair in trial.pairs {
                let first = local[Int(pair >> 32)]
                let second = local[Int(pair & 0xFFFF_FFFF)]
                if first != .max, second != .max { pairs.insert(UInt64(first) << 32 | UInt64(second)) }
            }
            concepts = [UInt8](repeating: 0, count: percolator.conceptEstimates.count)
            expanded = [Bool](repeating: false, count: percolator.conceptEstimates.count)
            values = [Bool](repeating: false, count: percolator.valueCount)
            for (facet, facetValues) in trial.facetValues {
                let ids = percolator.valueIds[facet.position]
                guard !ids.isEmpty else { continue }
                for value in facetValues {
                    for text in [value.key, value.name] {
                        if let id = ids[text], !values[Int(id)] {
                            values[Int(id)] = true
                            presentValues.append(id)
                        }
                    }
                }
            }
            distances = [Double](repeating: .nan, count: percolator.origins.count)
            for site in trial.sites {
                cells.insert(TrialIndex.gridCell(latitude: site.point.latitude, longitude: site.point.longitude))
            }
        }
    }

    /// The distinct queries (with saved searches) the trial matches.
    func matchingQueries(_ trial: PercolationTrial) -> [UInt32] {
        var state = TrialState(trial.analyzed, percolator: self)
        var result: [UInt32] = []
        var visited: Set<UInt32> = []
        func check(_ query: UInt32) {
            guard !subscribers[Int(query)].isEmpty else { return }
            if multiKeyAnchor[Int(query)], !visited.insert(query).inserted { return }
            if verify(query, &state) { result.append(query) }
        }
        for term in state.present {
            for concept in conceptsByTerm[Int(term)] where !state.expanded[Int(concept)] {
                // Several terms can lead to one concept: its queries are checked once.
                state.expanded[Int(concept)] = true
                guard matches(concept, &state) else { continue }
                for query in byConcept[Int(concept)] { check(query) }
            }
        }
        for value in state.presentValues {
            for query in byValue[Int(value)] { check(query) }
        }
        for cell in state.cells {
            for query in byCell[cell] ?? [] { check(query) }
        }
        for query in unanchored { check(query) }
        return result
    }

    /// Whether the trial meets every condition of the query: filters, age, radius, then each concept.
    private func verify(_ id: UInt32, _ state: inout TrialState) -> Bool {
        let query = queries[Int(id)]
        for clause in query.filters where !clause.values.contains(where: { state.values[Int($0)] }) { return false }
        if let age = query.age, !(state.trial.minimumAge <= age && age <= state.trial.maximumAge) { return false }
        if let origin = query.origin, let radius = query.radiusKm {
            if state.distances[Int(origin)].isNaN {
                var nearest = Double.infinity
                for site in state.trial.sites {
                    nearest = min(nearest, Geography.kilometres(origins[Int(origin)], site.point))
                }
                state.distances[Int(origin)] = nearest
            }
            guard state.distances[Int(origin)] <= radius else { return false }
        }
        for concept in query.concepts where !matches(concept, &state) { return false }
        return true
    }

    /// Whether the trial matches the concept (memoised per trial): one alternative has all its terms, and, for
    /// several terms, an adjacent pair or a topical field shared by all (``AnalyzedTrial/matches(_:)``).
    private func matches(_ concept: UInt32, _ state: inout TrialState) -> Bool {
        switch state.concepts[Int(concept)] {
        case 1: return true
        case 2: return false
        default: break
        }
        var found = false
        alternatives: for alternative in conceptStarts[Int(concept)]..<conceptStarts[Int(concept) + 1] {
            let terms = alternativeStarts[alternative]..<alternativeStarts[alternative + 1]
            var shared: UInt8 = 0xFF
            for position in terms {
                let fields = state.fields[Int(alternativeTerms[position])]
                if fields == 0 { continue alternatives }
                shared &= fields
            }
            if terms.count < 2 || shared & AnalyzedTrial.topicalFields != 0 {
                found = true
                break
            }
            for position in terms.dropLast() {
                let pair = UInt64(alternativeTerms[position]) << 32 | UInt64(alternativeTerms[position + 1])
                if state.pairs.contains(pair) {
                    found = true
                    break alternatives
                }
            }
        }
        state.concepts[Int(concept)] = found ? 1 : 2
        return found
    }

    /// The origin and radius of a distinct query, when it has a radius.
    func area(ofQuery id: UInt32) -> (origin: GeoPoint, radiusKm: Double)? {
        let query = queries[Int(id)]
        guard let origin = query.origin, let radius = query.radiusKm else { return nil }
        return (origins[Int(origin)], radius)
    }

    /// Whether a distinct query filters on overall status.
    func filtersOnStatus(_ id: UInt32) -> Bool {
        queries[Int(id)].filters.contains { $0.facet == Facet.status.position }
    }

    /// The saved searches of a distinct query.
    func savedSearches(ofQuery id: UInt32) -> [SavedSearch.ID] { subscribers[Int(id)] }
}

/// A trial analysed once for percolation and event rules (the finder index's analysis).
public struct PercolationTrial: Sendable {
    public let trial: Trial
    let analyzed: AnalyzedTrial

    public init(_ trial: Trial, index: TrialIndex) {
        self.trial = trial
        analyzed = AnalyzedTrial(trial, geography: index.placeResolver)
    }
}

extension Facet {
    /// Position in `allCases`.
    var position: Int { Facet.allCases.firstIndex(of: self)! }
}
