/// A small direct-mapped cache from byte strings to `String`s, so names and label values that repeat on every
/// line of a page become one shared `String` instead of one allocation per line.
///
/// A slot holds the last string that hashed to it; a miss replaces it. The cache never grows, so a page of
/// unique values costs a lookup per value and no memory.
struct StringInterner {
    /// 1,024 slots: a vLLM or node-exporter page has a few hundred distinct names and short values.
    private static let slotCount = 1024
    private var hashes: [UInt64]
    private var strings: [String]

    init() {
        hashes = Array(repeating: 0, count: Self.slotCount)
        strings = Array(repeating: "", count: Self.slotCount)
    }

    /// The string for `count` bytes at `start` whose FNV-1a hash is `hash`; `nil` when the bytes are not UTF-8.
    mutating func string(_ start: UnsafePointer<UInt8>, count: Int, hash: UInt64) -> String? {
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & (Self.slotCount - 1)
        if hashes[slot] == hash, Self.equal(strings[slot], start, count) {
            return strings[slot]
        }
        guard let created = String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) else {
            return nil
        }
        hashes[slot] = hash
        strings[slot] = created
        return created
    }

    private static func equal(_ string: String, _ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let result = string.utf8.withContiguousStorageIfAvailable { stored -> Bool in
            guard stored.count == count, let storedStart = stored.baseAddress else { return stored.count == count }
            for index in 0..<count where storedStart[index] != start[index] { return false }
            return true
        }
        return result ?? false
    }
}

/// FNV-1a, 64 bits: cheap per byte and good enough to index the interner and the duplicate-series table.
enum ByteHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func add(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* prime }

    static func of(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var hash = seed
        for index in 0..<count { hash = add(hash, start[index]) }
        return hash
    }

    /// A strong 64-bit mix, so that summing mixed label hashes gives an order-independent series key.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension ByteHash {
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let start = bytes.baseAddress else { return seed }
        return of(start, count: bytes.count)
    }
}
