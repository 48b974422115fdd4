import Foundation
import Trials

extension TrialIndex {
    /// BM25 term-frequency saturation.
    static let k1: Float = 1.5
    /// Weight of a multi-word alternative whose words are all in the trial but never adjacent in a title,
    /// condition or intervention; it rises linearly to 1 as more of its word pairs are found adjacent there.
    static let scatteredPhraseWeight: Float = 0.5
    /// Fields that say what a study is about. A multi-word alternative with no adjacent pair matches only when all
    /// its words occur together in one of these fields: "breast" in an exclusion criterion and "cancer" in another
    /// do not make a breast cancer trial.
    static let topicalFields: UInt8 = {
        var mask: UInt8 = 0
        for field in [SearchField.title, .conditions, .interventions, .summary] { mask |= 1 << UInt8(field.rawValue) }
        return mask
    }()
    /// A set of at most 1/`sparseFraction` of the trials has its facets counted document by document rather than
    /// with a bitset per value.
    static let sparseFraction = 16
    /// A query whose driving terms have at least this many postings is scored on two cores.
    static let parallelPostings = 40_000
    /// Most values returned for the city facet (the other facets return every value with trials).
    static let cityFacetLimit = 100

    /// Answers `query` (see ``SearchQuery`` and ``SearchResults`` for the contracts).
    ///
    /// Text matching: every concept of the query must match (AND); if no trial matches them all, trials matching
    /// the most concepts are returned. Generic trial words ("essai", "patients") only add to the score. A text of
    /// stop words only counts as no text. Ordering is total — ties are broken by NCT id — so cursors are stable while
    /// the index does not change.
    public func search(_ query: SearchQuery) throws(SearchError) -> SearchResults {
        let documentCount = nctIds.count
        var origin: GeoPoint?
        if let place = query.place, !place.trimmed.isEmpty {
            guard let point = geography.resolve(place) else { throw SearchError.unknownPlace(place) }
            origin = point
        }
        if origin == nil, query.radiusKm != nil || query.sort == .distance { throw SearchError.placeRequired }
        let concepts = plan(query.text, language: query.language)
        let sort: SearchQuery.Sort = query.sort == .relevance && concepts.isEmpty ? .recent : query.sort
        let cursor = try query.cursor.map { text throws(SearchError) in try Cursor(text, sort: sort) }

        var scratch = scratchPool.take(count: documentCount)
        defer { scratchPool.give(&scratch) }
        let area = origin.flatMap { origin in query.radiusKm.map { SearchArea(origin: origin, radius: $0) } }
        var distances: [Float] = []
        var base = live
        var restricted = false
        if let age = query.acceptsAge {
            base.formIntersection(documents(acceptingAge: Float(age)))
            restricted = true
        }
        if let area {
            let near = sitesWithin(area, distances: sort == .distance)
            distances = near.distances
            base.formIntersection(near.documents)
            restricted = true
        }
        var isPartialTextMatch = false
        if !concepts.isEmpty {
            let text = match(concepts, within: restricted ? base : nil, scratch: &scratch)
            base.formIntersection(text.documents)
            isPartialTextMatch = text.isPartial
        }

        var selections: [Facet: Bitset] = [:]
        var selectedSites: [Facet: Set<UInt32>] = [:]
        for (facet, values) in query.filters where !values.isEmpty {
            let ids = values.compactMap { columns[facet.index].valueId($0) }
            selections[facet] = columns[facet.index].documents(having: ids, count: documentCount)
            selectedSites[facet] = Set(ids)
        }
        var matching = base
        for set in selections.values { matching.formIntersection(set) }

        let matchingMembers = members(of: matching)
        var facets: [Facet: [FacetCount]] = [:]
        for facet in query.facets {
            var set = matching
            var setMembers = matchingMembers
            if selections[facet] != nil {
                set = base
                for (other, selection) in selections where other != facet { set.formIntersection(selection) }
                setMembers = members(of: set)
            }
            facets[facet] = facetCounts(facet, in: set, members: setMembers, selected: query.filters[facet] ?? [])
        }

        let siteFilter = SiteFilter(selected: selectedSites)
        if sort == .distance, query.radiusKm == nil, let origin {
            distances = [Float](repeating: .infinity, count: documentCount)
            matching.forEach { doc in
                if let nearest = nearestSite(of: doc, to: origin, filter: siteFilter) {
                    distances[Int(doc)] = Float(nearest.distanceKm)
                }
            }
        }
        func key(_ doc: UInt32) -> Cursor {
            switch sort {
            case .relevance: Cursor(primary: -Double(scratch.scores[Int(doc)]), nct: nctNumbers[Int(doc)])
            case .distance: Cursor(primary: Double(distances[Int(doc)]), nct: nctNumbers[Int(doc)])
            case .recent: Cursor(primary: -Double(updated[Int(doc)]), nct: nctNumbers[Int(doc)])
            }
        }
        let pageSize = min(100, max(1, query.pageSize))
        var page: [(key: Cursor, doc: UInt32)] = []
        matching.forEach { doc in
            let candidate = key(doc)
            if let cursor, !(cursor < candidate) { return }
            if page.count > pageSize, !(candidate < page[page.count - 1].key) { return }
            let position = page.partitioningIndex { candidate < $0.key }
            page.insert((candidate, doc), at: position)
            if page.count > pageSize + 1 { page.removeLast() }
        }
        let hasMore = page.count > pageSize
        if hasMore { page.removeLast() }

        let termIds = Array(Set(concepts.flatMap { $0.alternatives.flatMap(\.terms) })).sorted()
        let hits = page.map { entry in
            let doc = entry.doc
            let matches = matchedFields(of: doc, terms: termIds)
            return SearchHit(
                nctId: nctIds[Int(doc)], score: Double(scratch.scores[Int(doc)]),
                nearestSite: origin.flatMap { nearestSite(of: doc, to: $0, filter: siteFilter) },
                matchedFields: matches.fields, matchedTerms: matches.terms)
        }
        return SearchResults(
            total: matching.count, hits: hits, facets: facets,
            nextCursor: hasMore ? page.last.map { $0.key.text(sort: sort) } : nil, origin: origin,
            interpretation: concepts.map(\.label), isPartialTextMatch: isPartialTextMatch)
    }

    // MARK: Text

    /// The documents matching the most required concepts (all of them when any document does); their BM25F scores
    /// (optional concepts included) are left in `scratch.scores`. `scratch.candidates` lists every scored document.
    ///
    /// A large query is split in two halves of the document ids, scored on two cores: every document's score is
    /// computed by the same operations in the same order either way, so results do not depend on the split.
    ///
    /// `filter`, when given, limits scoring to its documents (the age and radius filters): documents outside it are
    /// skipped as soon as the driving term finds them. When no document of `filter` matches every required concept,
    /// the documents matching the most concepts must be found among all documents, so scoring runs again without it.
    ///
    /// `isPartial` is true when the documents returned match some but not all of the required concepts (the
    /// fallback).
    func match(
        _ concepts: [QueryConcept], within filter: Bitset?, scratch: inout ScoringScratch
    ) -> (documents: Bitset, isPartial: Bool) {
        let requiredCount = concepts.count(where: { !$0.isOptional })
        if let filter {
            let (documents, required) = match(concepts, filter: filter, scratch: &scratch)
            if required == requiredCount { return (documents, false) }
            scratch.clear()
        }
        let (documents, required) = match(concepts, filter: nil, scratch: &scratch)
        return (documents, required > 0 && required < requiredCount)
    }

    /// The documents (of `filter`, if given) matching the most required concepts, and how many that is.
    private func match(
        _ concepts: [QueryConcept], filter: Bitset?, scratch: inout ScoringScratch
    ) -> (documents: Bitset, required: Int) {
        let liveCount = Float(max(1, count))
        let normalisers = SearchField.allCases.map { field in
            let average = max(1, Float(lengthTotals[field.rawValue]) / liveCount)
            let b = field.lengthNormalisation
            return FieldNormaliser(weight: field.weight, constant: 1 - b, perTerm: b / average)
        }
        let plans = concepts.map { concept in
            concept.alternatives.compactMap { AlternativePlan($0, index: self, normalisers: normalisers) }
        }
        let optional = concepts.map(\.isOptional)
        let work = plans.joined().reduce(0) { $0 + $1.driverPostings }
        let documentCount = nctIds.count
        let workers = work >= Self.parallelPostings ? max(1, min(2, ProcessInfo.processInfo.activeProcessorCount)) : 1
        let bounds = (0...workers).map { UInt32(documentCount * $0 / workers) }
        var parts = [[UInt32]](repeating: [], count: workers)
        let filterWords = filter?.words ?? []
        filterWords.withUnsafeBufferPointer { filterWords in
            fieldLengths.withUnsafeBufferPointer { lengths in
                scratch.conceptBest.withUnsafeMutableBufferPointer { best in
                    scratch.scores.withUnsafeMutableBufferPointer { scores in
                        scratch.matched.withUnsafeMutableBufferPointer { matched in
                            parts.withUnsafeMutableBufferPointer { parts in
                                let accumulators = Accumulators(
                                    lengths: lengths, filter: filter == nil ? nil : filterWords,
                                    best: best.baseAddress!, scores: scores.baseAddress!,
                                    matched: matched.baseAddress!)
                                nonisolated(unsafe) let output = parts
                                let run: @Sendable (Int) -> Void = { worker in
                                    output[worker] = Self.score(
                                        plans, optional: optional, in: bounds[worker]..<bounds[worker + 1],
                                        into: accumulators)
                                }
                                if workers == 1 {
                                    run(0)
                                } else {
                                    DispatchQueue.concurrentPerform(iterations: workers, execute: run)
                                }
                            }
                        }
                    }
                }
            }
        }
        for part in parts { scratch.candidates.append(contentsOf: part) }
        var required: UInt8 = 0
        for doc in scratch.candidates { required = max(required, scratch.matched[Int(doc)]) }
        var documents = Bitset(count: documentCount)
        if required == 0 { return (documents, 0) }
        for doc in scratch.candidates where scratch.matched[Int(doc)] == required { documents.insert(doc) }
        return (documents, Int(required))
    }

    /// Scores the documents of `range` for every concept (its best alternative) and returns those scored.
    private static func score(
        _ plans: [[AlternativePlan]], optional: [Bool], in range: Range<UInt32>,
        into accumulators: Accumulators
    ) -> [UInt32] {
        var candidates: [UInt32] = []
        var touched: [UInt32] = []
        for (concept, alternatives) in plans.enumerated() {
            for plan in alternatives {
                plan.score(
                    in: range, lengths: accumulators.lengths, filter: accumulators.filter, best: accumulators.best,
                    touched: &touched)
            }
            for doc in touched {
                let index = Int(doc)
                if accumulators.matched[index] == 0, accumulators.scores[index] == 0 { candidates.append(doc) }
                accumulators.scores[index] += accumulators.best[index]
                if !optional[concept] { accumulators.matched[index] &+= 1 }
                accumulators.best[index] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        return candidates
    }

    /// The fields where `terms` occur in `doc` and the terms found.
    private func matchedFields(of doc: UInt32, terms termIds: [UInt32]) -> (fields: [SearchField], terms: [String]) {
        var fields = Set<SearchField>()
        var found: [String] = []
        for term in termIds {
            var present = false
            for field in SearchField.allCases where postings[Int(term) * Self.fieldCount + field.rawValue].contains(doc) {
                fields.insert(field)
                present = true
            }
            if present { found.append(terms.string(term)) }
        }
        return (SearchField.allCases.filter(fields.contains), found.sorted())
    }

    // MARK: Filters and facets

    private func documents(acceptingAge age: Float) -> Bitset {
        var set = Bitset(count: nctIds.count)
        for doc in 0..<nctIds.count where minimumAges[doc] <= age && age <= maximumAges[doc] {
            set.insert(UInt32(doc))
        }
        return set
    }

    /// The documents of `set` in order when they are few enough to be counted one by one, else `nil`.
    private func members(of set: Bitset) -> [UInt32]? {
        let count = set.count
        guard count <= nctIds.count / Self.sparseFraction else { return nil }
        var members: [UInt32] = []
        members.reserveCapacity(count)
        set.forEach { members.append($0) }
        return members
    }

    private func facetCounts(
        _ facet: Facet, in set: Bitset, members: [UInt32]?, selected: Set<String>
    ) -> [FacetCount] {
        let column = columns[facet.index]
        let counts = column.counts(in: set, members: members)
        var result: [FacetCount] = []
        for (id, name) in column.names.enumerated() where counts[id] > 0 || selected.contains(name) {
            result.append(FacetCount(value: name, count: counts[id], selected: selected.contains(name)))
        }
        result.sort { ($1.count, $0.value) < ($0.count, $1.value) }
        if facet == .city, result.count > Self.cityFacetLimit {
            result = result.prefix(Self.cityFacetLimit) + result.dropFirst(Self.cityFacetLimit).filter(\.selected)
        }
        return result
    }

    // MARK: Distance

    /// The documents with a located site within the area, and, when `distances` is set, per document the distance
    /// of its nearest such site (infinity for the others; empty otherwise). One distance is computed per distinct
    /// point.
    private func sitesWithin(_ area: SearchArea, distances keepsDistances: Bool) -> (documents: Bitset, distances: [Float]) {
        var documents = Bitset(count: nctIds.count)
        var distances = keepsDistances ? [Float](repeating: .infinity, count: nctIds.count) : []
        for row in area.rows {
            for column in area.columns {
                guard let points = grid[Int32(row * 400 + column)] else { continue }
                for point in points {
                    let location = GeoPoint(
                        latitude: Double(pointLatitudes[Int(point)]), longitude: Double(pointLongitudes[Int(point)]))
                    let distance = Geography.kilometres(area.origin, location)
                    guard distance <= area.radius else { continue }
                    for site in pointSites[Int(point)] {
                        let doc = siteDocuments[Int(site)]
                        documents.insert(doc)
                        if keepsDistances { distances[Int(doc)] = min(distances[Int(doc)], Float(distance)) }
                    }
                }
            }
        }
        return (documents, distances)
    }

    /// The nearest located site of `doc` that passes `filter`; when none passes, the nearest located site.
    private func nearestSite(of doc: UInt32, to origin: GeoPoint, filter: SiteFilter) -> NearestSite? {
        var best: (site: Int, distance: Double, passes: Bool)?
        for site in Int(siteStarts[Int(doc)])..<Int(siteStarts[Int(doc) + 1]) where !siteLatitudes[site].isNaN {
            let point = GeoPoint(latitude: Double(siteLatitudes[site]), longitude: Double(siteLongitudes[site]))
            let distance = Geography.kilometres(origin, point)
            let passes = filter.accepts(
                country: siteCountries[site], province: siteProvinces[site], region: siteRegions[site],
                city: siteCities[site])
            if let current = best, (current.passes && !passes) || (current.passes == passes && current.distance <= distance) {
                continue
            }
            best = (site, distance, passes)
        }
        guard let best else { return nil }
        let cityId = siteCities[best.site]
        let city = cityId == .max ? nil : columns[Facet.city.index].names[Int(cityId)]
        return NearestSite(locationIndex: Int(siteLocations[best.site]), city: city, distanceKm: best.distance)
    }
}

/// Which sites the location filters (country, province, health region, city) accept.
private struct SiteFilter {
    let countries: Set<UInt32>?
    let provinces: Set<UInt32>?
    let regions: Set<UInt32>?
    let cities: Set<UInt32>?

    init(selected: [Facet: Set<UInt32>]) {
        countries = selected[.country]
        provinces = selected[.province]
        regions = selected[.healthRegion]
        cities = selected[.city]
    }

    func accepts(country: UInt32, province: UInt32, region: UInt32, city: UInt32) -> Bool {
        (countries?.contains(country) ?? true) && (provinces?.contains(province) ?? true)
            && (regions?.contains(region) ?? true) && (cities?.contains(city) ?? true)
    }
}

/// A radius search: its origin and the one-degree grid cells that can hold points within the radius.
struct SearchArea {
    let origin: GeoPoint
    let radius: Double
    /// Rows (latitude + 90) and columns (longitude + 180) of the cells to visit.
    let rows: ClosedRange<Int>
    let columns: ClosedRange<Int>

    init(origin: GeoPoint, radius: Double) {
        self.origin = origin
        self.radius = radius
        let latitudeSpan = radius / 111.0
        let longitudeSpan = radius / max(1, 111.0 * cos(min(89, abs(origin.latitude) + latitudeSpan) * .pi / 180))
        let south = Int((origin.latitude - latitudeSpan + 90).rounded(.down))
        let north = Int((origin.latitude + latitudeSpan + 90).rounded(.down))
        let west = Int((origin.longitude - longitudeSpan + 180).rounded(.down))
        let east = Int((origin.longitude + longitudeSpan + 180).rounded(.down))
        rows = south...north
        columns = west...east
    }
}

/// Dense per-document accumulators for one query. Between queries every array is all zeros and every list empty.
struct ScoringScratch {
    /// The best alternative's score of the current concept, per document.
    var conceptBest: [Float]
    /// The query's score of each document, and how many concepts it matched.
    var scores: [Float]
    var matched: [UInt8]
    /// Documents with a non-zero `matched` or `scores`.
    var candidates: [UInt32] = []

    init(count: Int) {
        conceptBest = [Float](repeating: 0, count: count)
        scores = [Float](repeating: 0, count: count)
        matched = [UInt8](repeating: 0, count: count)
    }

    var capacity: Int { scores.count }

    /// Zeroes what the last query touched.
    mutating func clear() {
        for doc in candidates {
            scores[Int(doc)] = 0
            matched[Int(doc)] = 0
        }
        candidates.removeAll(keepingCapacity: true)
    }
}

/// One field's BM25F constants for a query: its weight and length normaliser `constant + perTerm · length`.
struct FieldNormaliser {
    var weight: Float
    var constant: Float
    var perTerm: Float
}

/// The per-document arrays one query's scoring writes, as pointers: workers scoring disjoint document ranges write
/// disjoint elements.
private struct Accumulators: @unchecked Sendable {
    let lengths: UnsafeBufferPointer<UInt16>
    /// Words of the bitset of documents worth scoring, when not all are.
    let filter: UnsafeBufferPointer<UInt64>?
    /// The best alternative's score of the current concept.
    let best: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>
    let matched: UnsafeMutablePointer<UInt8>
}

/// One non-empty posting list of a term, with its field's BM25F constants.
private struct FieldPostings {
    let documents: UnsafeBufferPointer<UInt32>
    let frequencies: UnsafeBufferPointer<UInt8>
    let field: Int
    let normaliser: FieldNormaliser
}

/// One alternative ready to score: its terms' non-empty posting lists (fields in order), idf, and the order in
/// which to read them.
///
/// The rarest term drives: its documents are visited in order, and every other term (rarest first) and adjacent
/// pair is looked up by galloping forward in its sorted lists, so a phrase of common words costs about as much as
/// its rarest word's postings rather than the sum of all of them.
private struct AlternativePlan: @unchecked Sendable {
    let weight: Float
    let termCount: Int
    let idfs: [Float]
    /// Terms by increasing document frequency; the first drives.
    let order: [Int]
    /// The lists of term `t` are `lists[listStarts[t]..<listStarts[t + 1]]`.
    let listStarts: [Int]
    let lists: [FieldPostings]
    /// Pair lists of the adjacent word pairs indexed (pairs never seen adjacent have none).
    let pairs: [[UInt32]]
    /// Postings of the driving term.
    let driverPostings: Int

    init?(_ alternative: QueryAlternative, index: TrialIndex, normalisers: [FieldNormaliser]) {
        let terms = alternative.terms
        guard !terms.isEmpty else { return nil }
        weight = alternative.weight
        termCount = terms.count
        let documents = Float(index.nctIds.count)
        idfs = terms.map { term in
            let frequency = Float(index.documentFrequency[Int(term)])
            return log(1 + max(0, documents - frequency + 0.5) / (frequency + 0.5))
        }
        order = terms.indices.sorted {
            (index.documentFrequency[Int(terms[$0])], $0) < (index.documentFrequency[Int(terms[$1])], $1)
        }
        var starts = [0]
        var lists: [FieldPostings] = []
        for term in terms {
            for field in 0..<TrialIndex.fieldCount {
                let list = index.postings[Int(term) * TrialIndex.fieldCount + field]
                guard list.count > 0 else { continue }
                lists.append(
                    FieldPostings(
                        documents: list.documents, frequencies: list.frequencies, field: field,
                        normaliser: normalisers[field]))
            }
            starts.append(lists.count)
        }
        listStarts = starts
        self.lists = lists
        pairs = zip(terms, terms.dropFirst()).compactMap { first, second in
            index.pairIds[UInt64(first) << 32 | UInt64(second)].map { index.pairDocuments[Int($0)] }
        }
        driverPostings = lists[starts[order[0]]..<starts[order[0] + 1]].reduce(0) { $0 + $1.documents.count }
    }

    /// Keeps in `best` the alternative's score of each matching document of `range` and `filter` (the maximum
    /// with what is there), appending to `touched` the documents whose `best` was 0.
    func score(
        in range: Range<UInt32>, lengths: UnsafeBufferPointer<UInt16>, filter: UnsafeBufferPointer<UInt64>?,
        best: UnsafeMutablePointer<Float>, touched: inout [UInt32]
    ) {
        let fieldCount = TrialIndex.fieldCount
        var positions = lists.map { PostingList.gallop($0.documents, from: 0, to: range.lowerBound) }
        var pairPositions = pairs.map { pair in
            pair.withUnsafeBufferPointer { PostingList.gallop($0, from: 0, to: range.lowerBound) }
        }
        var frequencies = [Float](repeating: 0, count: termCount)
        let driver = order[0]
        let driverLists = listStarts[driver]..<listStarts[driver + 1]
        let pairCount = termCount - 1
        while true {
            var doc = UInt32.max
            for list in driverLists where positions[list] < lists[list].documents.count {
                doc = min(doc, lists[list].documents[positions[list]])
            }
            guard doc < range.upperBound else { return }
            if let filter, filter[Int(doc >> 6)] & (1 << UInt64(doc & 63)) == 0 {
                for list in driverLists where positions[list] < lists[list].documents.count {
                    if lists[list].documents[positions[list]] == doc { positions[list] += 1 }
                }
                continue
            }
            var shared: UInt8 = 0xFF
            var found = true
            for term in order {
                var frequency: Float = 0
                var fields: UInt8 = 0
                for list in listStarts[term]..<listStarts[term + 1] {
                    let postings = lists[list]
                    let position = PostingList.gallop(postings.documents, from: positions[list], to: doc)
                    guard position < postings.documents.count, postings.documents[position] == doc else {
                        positions[list] = position
                        continue
                    }
                    positions[list] = term == driver ? position + 1 : position
                    let length = Float(lengths[Int(doc) * fieldCount + postings.field])
                    let tf = Float(postings.frequencies[position])
                    let normaliser = postings.normaliser
                    frequency += normaliser.weight * tf / (normaliser.constant + normaliser.perTerm * length)
                    fields |= 1 << UInt8(postings.field)
                }
                guard fields != 0 else {
                    found = false
                    break
                }
                frequencies[term] = frequency
                shared &= fields
            }
            guard found else { continue }
            var phraseScore: Float = 0
            for term in 0..<termCount {
                let tf = frequencies[term]
                phraseScore += idfs[term] * tf * (TrialIndex.k1 + 1) / (TrialIndex.k1 + tf)
            }
            var pairHits = 0
            for pair in pairs.indices {
                pairs[pair].withUnsafeBufferPointer { documents in
                    let position = PostingList.gallop(documents, from: pairPositions[pair], to: doc)
                    pairPositions[pair] = position
                    if position < documents.count, documents[position] == doc { pairHits += 1 }
                }
            }
            let sharesTopicalField = shared & TrialIndex.topicalFields != 0
            guard pairCount == 0 || pairHits > 0 || sharesTopicalField else { continue }
            var weight = self.weight
            if pairCount > 0 {
                let adjacent = Float(min(pairHits, pairCount)) / Float(pairCount)
                weight *= TrialIndex.scatteredPhraseWeight + (1 - TrialIndex.scatteredPhraseWeight) * adjacent
            }
            let value = phraseScore * weight
            if best[Int(doc)] == 0 { touched.append(doc) }
            best[Int(doc)] = max(best[Int(doc)], value)
        }
    }
}

/// Scratch buffers kept between queries, so a query does not allocate and zero megabytes; shared by copies of an
/// index (a buffer too small for a grown index is replaced).
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [ScoringScratch] = []

    func take(count: Int) -> ScoringScratch {
        lock.lock()
        defer { lock.unlock() }
        while let scratch = free.popLast() {
            if scratch.capacity >= count { return scratch }
        }
        return ScoringScratch(count: count)
    }

    func give(_ scratch: inout ScoringScratch) {
        scratch.clear()
        lock.lock()
        defer { lock.unlock() }
        if free.count < 4 { free.append(scratch) }
    }
}

/// A position in a result ordering: the sort value (ascending; descending sorts negate it), then the NCT number.
struct Cursor: Comparable {
    var primary: Double
    var nct: UInt32

    init(primary: Double, nct: UInt32) {
        self.primary = primary
        self.nct = nct
    }

    /// Reads "sort.hexbits.nctnumber".
    init(_ text: String, sort: SearchQuery.Sort) throws(SearchError) {
        let parts = text.split(separator: ".")
        guard parts.count == 3, parts[0] == sort.rawValue, let bits = UInt64(parts[1], radix: 16),
            let nct = UInt32(parts[2])
        else { throw SearchError.invalidCursor(text) }
        self.init(primary: Double(bitPattern: bits), nct: nct)
    }

    func text(sort: SearchQuery.Sort) -> String {
        "\(sort.rawValue).\(String(primary.bitPattern, radix: 16)).\(nct)"
    }

    static func < (lhs: Cursor, rhs: Cursor) -> Bool {
        (lhs.primary, lhs.nct) < (rhs.primary, rhs.nct)
    }
}

extension Array {
    /// The first index whose element satisfies `belongsAfter`, which must be false then true along the array.
    func partitioningIndex(where belongsAfter: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
