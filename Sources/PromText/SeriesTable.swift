/// An open-addressing hash table from series keys to where the series was first seen, for duplicate detection.
///
/// Keys are already strong 64-bit hashes (``ByteHash/mix(_:)``), so the table indexes with their low bits
/// directly instead of hashing them again as `Dictionary` would; it doubles when half full.
struct SeriesTable {
    /// Where a series was first seen on the page.
    struct Entry {
        var key: UInt64
        var family: Int32
        var sample: Int32
        var line: Int
    }

    private var entries: [Entry]
    private var occupied: [Bool]
    private var count = 0

    /// A table sized for about `expected` series without growing.
    init(expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        entries = Array(repeating: Entry(key: 0, family: 0, sample: 0, line: 0), count: capacity)
        occupied = Array(repeating: false, count: capacity)
    }

    /// Inserts `entry` unless an entry with the same key is present; returns every present entry with that key
    /// (an equal key means the same series or, rarely, a collision the caller resolves by comparing).
    mutating func insert(_ entry: Entry) -> [Entry] {
        if (count + 1) * 2 > entries.count { grow() }
        let mask = entries.count - 1
        var slot = Int(truncatingIfNeeded: entry.key) & mask
        var matches: [Entry] = []
        while occupied[slot] {
            if entries[slot].key == entry.key { matches.append(entries[slot]) }
            slot = (slot + 1) & mask
        }
        if matches.isEmpty {
            entries[slot] = entry
            occupied[slot] = true
            count += 1
        }
        return matches
    }

    /// Stores `entry` even though its key is present: a different series whose key collided.
    mutating func insertCollision(_ entry: Entry) {
        if (count + 1) * 2 > entries.count { grow() }
        let mask = entries.count - 1
        var slot = Int(truncatingIfNeeded: entry.key) & mask
        while occupied[slot] { slot = (slot + 1) & mask }
        entries[slot] = entry
        occupied[slot] = true
        count += 1
    }

    private mutating func grow() {
        let old = zip(entries, occupied).filter(\.1).map(\.0)
        entries = Array(repeating: Entry(key: 0, family: 0, sample: 0, line: 0), count: entries.count * 2)
        occupied = Array(repeating: false, count: entries.count)
        count = 0
        for entry in old { insertCollision(entry) }
    }
}
