/// The samples of one series, oldest first, as a growable ring buffer: appending and dropping the oldest cost O(1)
/// and the storage is reused scrape after scrape.
struct SampleBuffer: Sendable {
    private var timestamps: [Int64] = []
    private var values: [Double] = []
    /// Index of the oldest sample in the storage.
    private var head = 0
    private(set) var count = 0

    var capacity: Int { timestamps.count }

    subscript(index: Int) -> Point {
        let slot = (head + index) % timestamps.count
        return Point(timestampMilliseconds: timestamps[slot], value: values[slot])
    }

    func timestamp(at index: Int) -> Int64 { timestamps[(head + index) % timestamps.count] }

    var last: Point? { count == 0 ? nil : self[count - 1] }

    mutating func append(timestampMilliseconds: Int64, value: Double) {
        if count == timestamps.count { grow() }
        let slot = (head + count) % timestamps.count
        timestamps[slot] = timestampMilliseconds
        values[slot] = value
        count += 1
    }

    mutating func removeFirst(_ n: Int) {
        let removed = min(n, count)
        guard removed > 0 else { return }
        head = (head + removed) % timestamps.count
        count -= removed
    }

    /// Drops samples older than `timestampMilliseconds`.
    mutating func removeOlder(than timestampMilliseconds: Int64) {
        removeFirst(firstIndex(atOrAfter: timestampMilliseconds))
    }

    /// Index of the first sample at or after the time (`count` when none): binary search.
    func firstIndex(atOrAfter timestampMilliseconds: Int64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if timestamp(at: middle) < timestampMilliseconds { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Index of the first sample after the time (`count` when none): binary search.
    func firstIndex(after timestampMilliseconds: Int64) -> Int {
        firstIndex(atOrAfter: timestampMilliseconds == .max ? .max : timestampMilliseconds + 1)
    }

    private mutating func grow() {
        let newCapacity = max(8, timestamps.count * 2)
        var newTimestamps = [Int64](repeating: 0, count: newCapacity)
        var newValues = [Double](repeating: 0, count: newCapacity)
        for index in 0..<count {
            let slot = (head + index) % timestamps.count
            newTimestamps[index] = timestamps[slot]
            newValues[index] = values[slot]
        }
        timestamps = newTimestamps
        values = newValues
        head = 0
    }
}
