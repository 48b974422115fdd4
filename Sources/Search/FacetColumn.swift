/// The values of one facet and which documents have each.
///
/// Dense facets (few values) keep a bitset per value, so counting a large set is an AND and a population count per
/// value. The city facet, with thousands of values, keeps sorted document lists instead. Every column also keeps the
/// values of each document, so a small set (a selective text query) is counted document by document.
struct FacetColumn: Sendable {
    private(set) var names: [String] = []
    private var ids: [String: UInt32] = [:]
    let isDense: Bool
    /// Dense: one bitset per value.
    private(set) var bits: [Bitset] = []
    /// Sparse: documents per value, increasing.
    private(set) var documents: [[UInt32]] = []
    /// Values of each document (`valueStarts[doc]..<valueStarts[doc + 1]` in `documentValues`).
    private(set) var valueStarts: [UInt32] = [0]
    private(set) var documentValues: [UInt32] = []

    init(dense: Bool) { isDense = dense }

    /// The id of the value with comparison key `key`, creating it with display `name` when new.
    mutating func valueId(key: String, name: String) -> UInt32 {
        if let id = ids[key] { return id }
        let id = UInt32(names.count)
        ids[key] = id
        if key != name { ids[name] = id }
        names.append(name)
        if isDense { bits.append(Bitset()) } else { documents.append([]) }
        return id
    }

    /// The id of a value by display name or key.
    func valueId(_ name: String) -> UInt32? { ids[name] }

    /// Records the values of the next document, `doc`, which must be the document after the last one recorded —
    /// every document is recorded, with or without values.
    mutating func record(_ doc: UInt32, values: [UInt32]) {
        var unique = values
        unique.sort()
        var last: UInt32?
        for value in unique where value != last {
            last = value
            if isDense { bits[Int(value)].insert(doc) } else { documents[Int(value)].append(doc) }
            documentValues.append(value)
        }
        valueStarts.append(UInt32(documentValues.count))
    }

    /// Documents having any of `values`.
    func documents(having values: [UInt32], count: Int) -> Bitset {
        var result = Bitset(count: count)
        for value in values {
            if isDense {
                result.formUnion(bits[Int(value)])
            } else {
                for doc in documents[Int(value)] { result.insert(doc) }
            }
        }
        return result
    }

    /// Count per value over the documents of `set`. `members`, when given, lists the documents of `set` in order;
    /// a dense column then counts document by document when that reads less than a bitset per value.
    func counts(in set: Bitset, members: [UInt32]?) -> [Int] {
        if isDense {
            let valuesPerDocument = max(1, documentValues.count / max(1, valueStarts.count - 1))
            guard let members, members.count * (valuesPerDocument + 2) < bits.count * set.words.count / 2 else {
                return bits.map { $0.intersectionCount(set) }
            }
        }
        var counts = [Int](repeating: 0, count: names.count)
        func count(_ doc: UInt32) {
            for index in Int(valueStarts[Int(doc)])..<Int(valueStarts[Int(doc) + 1]) {
                counts[Int(documentValues[index])] += 1
            }
        }
        if let members {
            for doc in members { count(doc) }
        } else {
            set.forEach(count)
        }
        return counts
    }

    var memoryBytes: Int {
        bits.reduce(0) { $0 + $1.words.capacity * 8 } + documents.reduce(0) { $0 + $1.capacity * 4 + 32 }
            + valueStarts.capacity * 4 + documentValues.capacity * 4
    }
}
