import Foundation

/// Interned terms: byte strings numbered 0, 1, 2, … in insertion order, stored in one byte arena.
///
/// Lookups hash the bytes directly (no `String` is made), so the tokenizer can intern millions of tokens cheaply.
/// Contract: `intern` returns the same id for equal bytes; ids are dense and never change.
struct TermDictionary: Sendable {
    private var arena: [UInt8] = []
    /// `starts[id]..<starts[id + 1]` is the term's range in `arena`.
    private var starts: [UInt32] = [0]
    private var hashes: [UInt32] = []
    /// Open addressing; 0 is empty, otherwise id + 1.
    private var slots: [UInt32] = Array(repeating: 0, count: 1024)

    init() {}

    init(_ words: some Sequence<String>) {
        for word in words { _ = intern(Array(word.utf8)) }
    }

    var count: Int { hashes.count }

    /// The id of `bytes`, or `nil` when the term is unknown.
    func id(of bytes: some Collection<UInt8>) -> UInt32? {
        withBuffer(bytes) { buffer in
            let hash = Self.hash(buffer)
            let found = find(buffer, hash: hash)
            return found.id
        }
    }

    /// The id of `bytes`, adding the term when it is new.
    mutating func intern(_ bytes: some Collection<UInt8>) -> UInt32 {
        withBuffer(bytes) { buffer in intern(buffer) }
    }

    /// The id of `bytes`, adding the term when it is new (the fast path: no copy, no generic code).
    mutating func intern(_ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let hash = Self.hash(buffer)
        let found = find(buffer, hash: hash)
        if let id = found.id { return id }
        let id = UInt32(hashes.count)
        arena.append(contentsOf: buffer)
        starts.append(UInt32(arena.count))
        hashes.append(hash)
        var slot = found.slot
        if hashes.count * 2 > slots.count {
            grow()
            let mask = slots.count - 1
            slot = Int(hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
        }
        slots[slot] = id + 1
        return id
    }

    /// The id of the term equal to `buffer`, or the empty slot where it would go.
    private func find(_ buffer: UnsafeBufferPointer<UInt8>, hash: UInt32) -> (id: UInt32?, slot: Int) {
        slots.withUnsafeBufferPointer { slots in
            hashes.withUnsafeBufferPointer { hashes in
                starts.withUnsafeBufferPointer { starts in
                    arena.withUnsafeBufferPointer { arena in
                        let mask = slots.count - 1
                        var slot = Int(hash) & mask
                        while true {
                            let entry = slots[slot]
                            if entry == 0 { return (nil, slot) }
                            let id = Int(entry - 1)
                            if hashes[id] == hash {
                                let start = Int(starts[id])
                                let length = Int(starts[id + 1]) - start
                                if length == buffer.count
                                    && (length == 0 || memcmp(arena.baseAddress! + start, buffer.baseAddress!, length) == 0)
                                {
                                    return (UInt32(id), slot)
                                }
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }

    private func withBuffer<Result>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
        return Array(bytes).withUnsafeBufferPointer(body)
    }

    /// The bytes of term `id`.
    func bytes(_ id: UInt32) -> ArraySlice<UInt8> {
        arena[Int(starts[Int(id)])..<Int(starts[Int(id) + 1])]
    }

    /// The term `id` as a string.
    func string(_ id: UInt32) -> String { String(decoding: bytes(id), as: UTF8.self) }

    /// Approximate heap size in bytes.
    var memoryBytes: Int { arena.capacity + starts.capacity * 4 + hashes.capacity * 4 + slots.capacity * 4 }

    private mutating func grow() {
        var grown = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = grown.count - 1
        for id in 0..<hashes.count {
            var slot = Int(hashes[id]) & mask
            while grown[slot] != 0 { slot = (slot + 1) & mask }
            grown[slot] = UInt32(id + 1)
        }
        slots = grown
    }

    /// FNV-1a, 32 bits, with a final avalanche so low bits spread well.
    static func hash(_ bytes: some Collection<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        hash ^= hash >> 15
        hash = hash &* 0x2C1B_3C6D
        hash ^= hash >> 12
        return hash
    }
}
