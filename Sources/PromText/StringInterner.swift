/// A small direct-mapped cache from byte strings to `String`s, so names and label values that repeat on every
/// line of a page become one shared `String` instead of one allocation per line.
///
/// A slot holds the last string that hashed to it, with a copy of its bytes so that a hit is one short byte
/// comparison; a miss replaces it. The cache never grows, so a page of unique values costs a lookup per value
/// and no memory.
struct StringInterner {
    /// Strings longer than this are made afresh each time: names and values that repeat are short.
    static let maxBytes = 96
    private let slotMask: Int
    private var hashes: [UInt64]
    private var lengths: [Int]
    private var storedBytes: [UInt8]
    private var strings: [String]

    /// A cache sized for a page of `pageBytes` bytes: 1,024 slots for a large page (a vLLM or node-exporter
    /// page has a few hundred distinct names and short values), fewer for small pages so they start cheaply.
    init(pageBytes: Int) {
        var slots = 64
        while slots < 1024 && slots * 256 < pageBytes { slots <<= 1 }
        slotMask = slots - 1
        hashes = Array(repeating: 0, count: slots)
        lengths = Array(repeating: -1, count: slots)
        storedBytes = Array(repeating: 0, count: slots * Self.maxBytes)
        strings = Array(repeating: "", count: slots)
    }

    /// The string for `count` bytes at `start` whose FNV-1a hash is `hash`; `nil` when the bytes are not UTF-8.
    mutating func string(_ start: UnsafePointer<UInt8>, count: Int, hash: UInt64) -> String? {
        guard count <= Self.maxBytes else {
            return String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        }
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & slotMask
        let base = slot * Self.maxBytes
        if hashes[slot] == hash && lengths[slot] == count {
            let same = storedBytes.withUnsafeBufferPointer { stored in
                for index in 0..<count where stored[base + index] != start[index] { return false }
                return true
            }
            if same { return strings[slot] }
        }
        guard let created = String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) else {
            return nil
        }
        hashes[slot] = hash
        lengths[slot] = count
        storedBytes.withUnsafeMutableBufferPointer { stored in
            for index in 0..<count { stored[base + index] = start[index] }
        }
        strings[slot] = created
        return created
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

    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let start = bytes.baseAddress else { return seed }
        return of(start, count: bytes.count)
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
