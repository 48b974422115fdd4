import Dispatch
import Foundation
import Trials

/// An in-memory search index of trials: BM25F text search with bilingual synonym expansion and typo tolerance,
/// facet filters and counts, and distance to sites.
///
/// Contracts:
/// - The index holds no `Trial` values, only what search needs (terms, facet values, site points), so it stays
///   small; hits name trials by NCT id and sites by their index in the trial's `locations`.
/// - ``add(_:)`` inserts a trial or replaces the trial with the same NCT id; the replaced version stops matching
///   at once. Its postings stay until the index is rebuilt, so document frequencies (and scores) drift slightly
///   after many replacements — rebuild from the store periodically (e.g. after each full import).
/// - Searching never mutates the index; a `TrialIndex` value can be shared across threads.
public struct TrialIndex: Sendable {
    let lexicon: MedicalLexicon
    let geography: Geography

    // Text.
    var terms = TermDictionary()
    /// Postings of `term * fieldCount + field`.
    var postings: [PostingList] = []
    /// Documents (live or replaced) containing each term in any field.
    var documentFrequency: [UInt32] = []
    /// Adjacent pairs in titles, conditions and interventions: `term << 32 | term` → list in `pairDocuments`.
    var pairIds: [UInt64: UInt32] = [:]
    var pairDocuments: [[UInt32]] = []
    var typos = TypoIndex()

    // Documents.
    var nctIds: [String] = []
    var nctNumbers: [UInt32] = []
    var documentByNCT: [String: UInt32] = [:]
    var live = Bitset()
    var fieldLengths: [UInt16] = []
    var lengthTotals = [Double](repeating: 0, count: SearchField.allCases.count)
    var updated: [Int32] = []
    var minimumAges: [Float] = []
    var maximumAges: [Float] = []

    // Sites: `siteStarts[doc]..<siteStarts[doc + 1]`.
    var siteStarts: [UInt32] = [0]
    var siteLatitudes: [Float] = []
    var siteLongitudes: [Float] = []
    var siteLocations: [UInt16] = []
    /// Facet value ids of each site (`UInt32.max` when unknown).
    var siteCountries: [UInt32] = []
    var siteProvinces: [UInt32] = []
    var siteRegions: [UInt32] = []
    var siteCities: [UInt32] = []
    /// The document of each site.
    var siteDocuments: [UInt32] = []
    /// Distinct located points (ClinicalTrials.gov points are city centroids, so many sites share one), their
    /// sites, and the points of each one-degree cell (`cellKey`): a radius search computes one distance per point.
    var pointIds: [UInt64: UInt32] = [:]
    var pointLatitudes: [Float] = []
    var pointLongitudes: [Float] = []
    var pointSites: [[UInt32]] = []
    var grid: [Int32: [UInt32]] = [:]

    var columns: [FacetColumn] = Facet.allCases.map { FacetColumn(dense: $0 != .city) }
    let scratchPool = ScratchPool()

    static let fieldCount = SearchField.allCases.count

    /// An empty index.
    public init(lexicon: MedicalLexicon = MedicalLexicon(), geography: Geography = Geography()) {
        self.lexicon = lexicon
        self.geography = geography
    }

    /// Builds the index of `trials`, analysing them on all cores. Later trials replace earlier ones with the same
    /// NCT id.
    public init(trials: [Trial], lexicon: MedicalLexicon = MedicalLexicon(), geography: Geography = Geography()) {
        self.init(lexicon: lexicon, geography: geography)
        let workers = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        var analyzers = [DocumentAnalyzer](repeating: DocumentAnalyzer(geography: geography), count: workers)
        var maps = [IdMaps](repeating: IdMaps(), count: workers)
        let batchSize = 4096 * workers
        var start = 0
        while start < trials.count {
            let end = min(trials.count, start + batchSize)
            let batches = Self.analyze(trials[start..<end], with: &analyzers)
            for worker in 0..<workers {
                let slice = Self.slice(start..<end, part: worker, of: workers)
                append(trials[slice], batches[worker], analyzer: analyzers[worker], maps: &maps[worker])
            }
            start = end
        }
        typos = TypoIndex(terms)
    }

    /// Adds `trial`, replacing the trial with the same NCT id if there is one.
    public mutating func add(_ trial: Trial) {
        var analyzer = DocumentAnalyzer(geography: geography)
        var batch = AnalyzedBatch()
        analyzer.analyze(trial, into: &batch)
        var maps = IdMaps()
        append([trial], batch, analyzer: analyzer, maps: &maps)
        if terms.count - Int(typos.coveredTerms) > 2_000 { typos = TypoIndex(terms) }
    }

    /// Removes the trial with this NCT id; returns whether it was there.
    @discardableResult
    public mutating func remove(nctId: String) -> Bool {
        guard let doc = documentByNCT.removeValue(forKey: nctId) else { return false }
        live.remove(doc)
        for field in SearchField.allCases {
            lengthTotals[field.rawValue] -= Double(fieldLengths[Int(doc) * Self.fieldCount + field.rawValue])
        }
        return true
    }

    /// Number of trials that can be found.
    public var count: Int { documentByNCT.count }

    /// Whether the index has a trial with this NCT id.
    public func contains(nctId: String) -> Bool { documentByNCT[nctId] != nil }

    /// Approximate heap memory held by the index, in bytes (arrays by capacity, dictionaries estimated).
    public var memoryBytes: Int {
        var total = terms.memoryBytes + documentFrequency.capacity * 4 + postings.capacity * 16
        for list in postings { total += list.memoryBytes }
        total += pairIds.capacity * 16 + pairDocuments.reduce(0) { $0 + $1.capacity * 4 + 32 }
        total += nctIds.capacity * 16 + nctNumbers.capacity * 4 + documentByNCT.capacity * 24 + live.words.capacity * 8
        total += fieldLengths.capacity * 2 + updated.capacity * 4 + minimumAges.capacity * 8
        total += siteStarts.capacity * 4 + siteLatitudes.capacity * 8 + siteLocations.capacity * 2
        total += (siteCountries.capacity + siteProvinces.capacity + siteRegions.capacity + siteCities.capacity) * 4
        total += grid.reduce(0) { $0 + $1.value.capacity * 4 + 40 } + siteDocuments.capacity * 4
        total += pointIds.capacity * 12 + pointLatitudes.capacity * 8 + pointSites.reduce(0) { $0 + $1.capacity * 4 + 32 }
        return total + columns.reduce(0) { $0 + $1.memoryBytes }
    }

    // MARK: Building

    /// The documents `range` gives to worker `part` of `parts` (contiguous, in order).
    private static func slice(_ range: Range<Int>, part: Int, of parts: Int) -> Range<Int> {
        let size = (range.count + parts - 1) / parts
        let low = min(range.upperBound, range.lowerBound + part * size)
        return low..<min(range.upperBound, low + size)
    }

    private static func analyze(_ trials: ArraySlice<Trial>, with analyzers: inout [DocumentAnalyzer]) -> [AnalyzedBatch] {
        let workers = analyzers.count
        let range = trials.startIndex..<trials.endIndex
        var batches = [AnalyzedBatch](repeating: AnalyzedBatch(), count: workers)
        analyzers.withUnsafeMutableBufferPointer { analyzerBuffer in
            batches.withUnsafeMutableBufferPointer { batchBuffer in
                nonisolated(unsafe) let analyzerPointer = analyzerBuffer
                nonisolated(unsafe) let batchPointer = batchBuffer
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for index in slice(range, part: worker, of: workers) {
                        analyzerPointer[worker].analyze(trials[index], into: &batchPointer[worker])
                    }
                }
            }
        }
        return batches
    }

    /// An analyzer's local ids mapped to the index's: terms, and values per facet.
    private struct IdMaps {
        var terms: [UInt32] = []
        var values = [[UInt32]](repeating: [], count: Facet.allCases.count)
    }

    /// Appends analysed documents; `maps` translates the analyzer's ids and grows as needed.
    private mutating func append(
        _ trials: ArraySlice<Trial>, _ batch: AnalyzedBatch, analyzer: DocumentAnalyzer, maps: inout IdMaps
    ) {
        while maps.terms.count < analyzer.dictionary.count {
            let id = terms.intern(analyzer.dictionary.bytes(UInt32(maps.terms.count)))
            maps.terms.append(id)
            if Int(id) >= documentFrequency.count {
                documentFrequency.append(0)
                postings.append(contentsOf: repeatElement(PostingList(), count: Self.fieldCount))
            }
        }
        for facet in Facet.allCases {
            let local = analyzer.values[facet.index]
            while maps.values[facet.index].count < local.keys.count {
                let index = maps.values[facet.index].count
                maps.values[facet.index].append(
                    columns[facet.index].valueId(key: local.keys[index], name: local.names[index]))
            }
        }
        let firstDoc = nctIds.count
        postings.withUnsafeMutableBufferPointer { postings in
            documentFrequency.withUnsafeMutableBufferPointer { frequency in
                var start = 0
                var documentTerms: [UInt32] = []
                for offset in 0..<trials.count {
                    let doc = UInt32(firstDoc + offset)
                    documentTerms.removeAll(keepingCapacity: true)
                    for index in start..<batch.postingEnds[offset] {
                        let packed = batch.postings[index]
                        let term = maps.terms[Int(packed >> 32)]
                        let field = Int(packed >> 16 & 0xFFFF)
                        postings[Int(term) * Self.fieldCount + field].append(doc, tf: UInt16(packed & 0xFFFF))
                        documentTerms.append(term)
                    }
                    documentTerms.sort()
                    var last = UInt32.max
                    for term in documentTerms where term != last {
                        frequency[Int(term)] += 1
                        last = term
                    }
                    start = batch.postingEnds[offset]
                }
            }
        }
        var pairStart = 0
        var facetStart = 0
        var siteStart = 0
        for (offset, trial) in trials.enumerated() {
            let doc = UInt32(nctIds.count)
            for index in pairStart..<batch.pairEnds[offset] {
                let packed = batch.pairs[index]
                let key = UInt64(maps.terms[Int(packed >> 32)]) << 32 | UInt64(maps.terms[Int(packed & 0xFFFF_FFFF)])
                if let list = pairIds[key] {
                    pairDocuments[Int(list)].append(doc)
                } else {
                    pairIds[key] = UInt32(pairDocuments.count)
                    pairDocuments.append([doc])
                }
            }
            pairStart = batch.pairEnds[offset]
            let lengths = batch.lengths[(offset * Self.fieldCount)..<((offset + 1) * Self.fieldCount)]
            for (field, length) in lengths.enumerated() { lengthTotals[field] += Double(length) }
            fieldLengths.append(contentsOf: lengths)

            remove(nctId: trial.nctId)
            nctIds.append(trial.nctId)
            nctNumbers.append(UInt32(trial.nctId.dropFirst(3)) ?? 0)
            documentByNCT[trial.nctId] = doc
            live.insert(doc)
            updated.append(batch.updated[offset])
            minimumAges.append(batch.minimumAges[offset])
            maximumAges.append(batch.maximumAges[offset])

            var values = [[UInt32]](repeating: [], count: Facet.allCases.count)
            for index in facetStart..<batch.facetEnds[offset] {
                let facet = Int(batch.facetValues[index] >> 32)
                values[facet].append(maps.values[facet][Int(batch.facetValues[index] & 0xFFFF_FFFF)])
            }
            facetStart = batch.facetEnds[offset]
            for facet in Facet.allCases { columns[facet.index].record(doc, values: values[facet.index]) }

            func global(_ facet: Facet, _ local: UInt32) -> UInt32 {
                local == .max ? .max : maps.values[facet.index][Int(local)]
            }
            for site in batch.sites[siteStart..<batch.siteEnds[offset]] {
                let siteIndex = UInt32(siteLatitudes.count)
                siteLatitudes.append(site.latitude)
                siteLongitudes.append(site.longitude)
                siteLocations.append(site.location)
                siteCountries.append(global(.country, site.country))
                siteProvinces.append(global(.province, site.province))
                siteRegions.append(global(.healthRegion, site.region))
                siteCities.append(global(.city, site.city))
                siteDocuments.append(doc)
                if !site.latitude.isNaN { locate(siteIndex, latitude: site.latitude, longitude: site.longitude) }
            }
            siteStart = batch.siteEnds[offset]
            siteStarts.append(UInt32(siteLatitudes.count))
        }
    }

    /// Files a located site under its point, creating the point (and filing it in the grid) when new.
    private mutating func locate(_ site: UInt32, latitude: Float, longitude: Float) {
        let key = UInt64(latitude.bitPattern) << 32 | UInt64(longitude.bitPattern)
        if let point = pointIds[key] {
            pointSites[Int(point)].append(site)
            return
        }
        let point = UInt32(pointSites.count)
        pointIds[key] = point
        pointLatitudes.append(latitude)
        pointLongitudes.append(longitude)
        pointSites.append([site])
        grid[Self.cellKey(latitude: Double(latitude), longitude: Double(longitude)), default: []].append(point)
    }

    /// The one-degree grid cell of a point.
    static func cellKey(latitude: Double, longitude: Double) -> Int32 {
        let row = Int32((latitude + 90).rounded(.down))
        let column = Int32((longitude + 180).rounded(.down))
        return row * 400 + column
    }
}

extension Facet {
    /// Position in `allCases`, the index of the facet's column.
    var index: Int { Self.indices[self]! }
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}

/// The documents containing one term in one field, with the term's frequency there.
///
/// Stored in a ``PostingStorage`` shared by copies of the list until one of them appends (copy on write), so that
/// search can read it through pointers, without reference counting in its inner loops.
struct PostingList: Sendable {
    private var storage: PostingStorage?

    var count: Int { storage?.count ?? 0 }

    mutating func append(_ doc: UInt32, tf: UInt16) {
        if storage == nil {
            storage = PostingStorage(capacity: 4)
        } else if !isKnownUniquelyReferenced(&storage!) {
            storage = storage!.copy()
        }
        storage!.append(doc, frequency: UInt8(min(tf, 255)))
    }

    /// Document ids, increasing. Valid while this list (or a copy of it) is alive and unchanged.
    var documents: UnsafeBufferPointer<UInt32> {
        guard let storage else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: storage.documents, count: storage.count)
    }

    /// Term frequency per document, saturated at 255; same validity as ``documents``.
    var frequencies: UnsafeBufferPointer<UInt8> {
        guard let storage else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: storage.frequencies, count: storage.count)
    }

    /// Whether `doc` is in the list (binary search).
    func contains(_ doc: UInt32) -> Bool {
        let documents = documents
        let index = Self.gallop(documents, from: 0, to: doc)
        return index < documents.count && documents[index] == doc
    }

    var memoryBytes: Int { storage.map { $0.capacity * 5 + 48 } ?? 0 }

    /// The first index at or after `start` whose document is at least `doc` in increasing `documents`
    /// (exponential, then binary search): cheap when the answer is near `start`.
    @inline(__always)
    static func gallop(_ documents: UnsafeBufferPointer<UInt32>, from start: Int, to doc: UInt32) -> Int {
        guard start < documents.count, documents[start] < doc else { return start }
        var low = start
        var step = 1
        var high = start + 1
        while high < documents.count, documents[high] < doc {
            low = high
            step <<= 1
            high = low + step
        }
        var first = low + 1
        var last = min(high, documents.count)
        while first < last {
            let middle = (first + last) / 2
            if documents[middle] < doc { first = middle + 1 } else { last = middle }
        }
        return first
    }
}

/// The growable arrays of a ``PostingList``. Mutated only while uniquely referenced.
final class PostingStorage: @unchecked Sendable {
    private(set) var count = 0
    private(set) var capacity: Int
    private(set) var documents: UnsafeMutablePointer<UInt32>
    private(set) var frequencies: UnsafeMutablePointer<UInt8>

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        documents = .allocate(capacity: self.capacity)
        frequencies = .allocate(capacity: self.capacity)
    }

    deinit {
        documents.deallocate()
        frequencies.deallocate()
    }

    func copy() -> PostingStorage {
        let copy = PostingStorage(capacity: capacity)
        copy.documents.initialize(from: documents, count: count)
        copy.frequencies.initialize(from: frequencies, count: count)
        copy.count = count
        return copy
    }

    func append(_ doc: UInt32, frequency: UInt8) {
        if count == capacity {
            let grown = capacity * 2
            let newDocuments = UnsafeMutablePointer<UInt32>.allocate(capacity: grown)
            newDocuments.initialize(from: documents, count: count)
            documents.deallocate()
            documents = newDocuments
            let newFrequencies = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            newFrequencies.initialize(from: frequencies, count: count)
            frequencies.deallocate()
            frequencies = newFrequencies
            capacity = grown
        }
        documents[count] = doc
        frequencies[count] = frequency
        count += 1
    }
}
