/// A set of document ids as bits, for filters and facet counts.
///
/// Contract: operations between two bitsets treat missing words of the shorter one as zeros.
struct Bitset: Sendable, Equatable {
    private(set) var words: [UInt64]

    init(count: Int = 0) {
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    /// All ids in `0..<count`.
    static func all(_ count: Int) -> Bitset {
        var set = Bitset(count: count)
        for index in set.words.indices { set.words[index] = ~0 }
        if count % 64 != 0, !set.words.isEmpty { set.words[set.words.count - 1] = (1 << UInt64(count % 64)) - 1 }
        return set
    }

    mutating func insert(_ id: UInt32) {
        let word = Int(id >> 6)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(id & 63)
    }

    mutating func remove(_ id: UInt32) {
        let word = Int(id >> 6)
        guard word < words.count else { return }
        words[word] &= ~(1 << UInt64(id & 63))
    }

    func contains(_ id: UInt32) -> Bool {
        let word = Int(id >> 6)
        return word < words.count && words[word] & (1 << UInt64(id & 63)) != 0
    }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    mutating func formIntersection(_ other: Bitset) {
        let shared = min(words.count, other.words.count)
        for index in 0..<shared { words[index] &= other.words[index] }
        for index in shared..<words.count { words[index] = 0 }
    }

    mutating func formUnion(_ other: Bitset) {
        if other.words.count > words.count {
            words.append(contentsOf: repeatElement(0, count: other.words.count - words.count))
        }
        for index in 0..<other.words.count { words[index] |= other.words[index] }
    }

    func intersection(_ other: Bitset) -> Bitset {
        var result = self
        result.formIntersection(other)
        return result
    }

    /// `|self ∩ other|` without building the intersection.
    func intersectionCount(_ other: Bitset) -> Int {
        let shared = min(words.count, other.words.count)
        var total = 0
        words.withUnsafeBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in
                for index in 0..<shared { total &+= (a[index] & b[index]).nonzeroBitCount }
            }
        }
        return total
    }

    /// Calls `body` with each id in increasing order.
    func forEach(_ body: (UInt32) -> Void) {
        for (index, word) in words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                body(UInt32(index << 6 + bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
    }
}
