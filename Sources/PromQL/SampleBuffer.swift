/// The samples of one series, oldest first, as a growable ring buffer: appending and dropping the oldest cost O(1)
/// and the storage is reused scrape after scrape.
///
/// Timestamps and values sit side by side in one allocation: a query over thousands of series then reaches each
/// series' samples with one cache miss instead of two.
struct SampleBuffer: Sendable {
    private var points: [Point] = []
    /// Index of the oldest sample in the storage.
    private var head = 0
    private(set) var count = 0

    var capacity: Int { points.count }

    subscript(index: Int) -> Point { points[storageIndex(index)] }

    /// Where sample `index` (below ``count``) lives: the ring wraps at most once, so a subtraction replaces the
    /// division a remainder would cost on every read.
    @inline(__always) private func storageIndex(_ index: Int) -> Int {
        let slot = head + index
        return slot >= points.count ? slot - points.count : slot
    }

    /// Appends samples `first..<last` to `result`, leaving out those whose value `skip` rejects (staleness
    /// markers), reading the ring's storage as its two contiguous runs.
    func appendPoints(_ first: Int, _ last: Int, to result: inout [Point], skipping skip: (Double) -> Bool) {
        guard first < last else { return }
        points.withUnsafeBufferPointer { points in
            let start = storageIndex(first)
            let total = last - first
            let firstRun = min(total, points.count - start)
            for point in points[start..<(start + firstRun)] where !skip(point.value) { result.append(point) }
            for point in points[0..<(total - firstRun)] where !skip(point.value) { result.append(point) }
        }
    }

    var last: Point? { count == 0 ? nil : self[count - 1] }

    mutating func append(timestampMilliseconds: Int64, value: Double) {
        if count == points.count { grow() }
        points[storageIndex(count)] = Point(timestampMilliseconds: timestampMilliseconds, value: value)
        count += 1
    }

    mutating func removeFirst(_ n: Int) {
        let removed = min(n, count)
        guard removed > 0 else { return }
        head = (head + removed) % points.count
        count -= removed
    }

    /// Drops samples older than `timestampMilliseconds`.
    mutating func removeOlder(than timestampMilliseconds: Int64) {
        removeFirst(firstIndex(atOrAfter: timestampMilliseconds))
    }

    /// Index of the first sample at or after the time (`count` when none).
    ///
    /// Samples arrive about evenly spaced, so the search starts from where an even spacing puts the time and
    /// walks at most a few samples from there; only a gap in the series falls back to bisection. A query over
    /// thousands of series then reads one or two cache lines of each instead of a bisection's half dozen.
    func firstIndex(atOrAfter timestampMilliseconds: Int64) -> Int {
        points.withUnsafeBufferPointer { points in
            guard count > 0 else { return 0 }
            func time(_ index: Int) -> Int64 {
                let slot = head + index
                return points[slot >= points.count ? slot - points.count : slot].timestampMilliseconds
            }
            let first = time(0)
            let last = time(count - 1)
            if timestampMilliseconds <= first { return 0 }
            if timestampMilliseconds > last { return count }
            // first < t <= last, so the answer is in 1...count-1 and the span is positive. Doubles, because
            // timestamps from a page can be far enough apart to overflow an Int64 difference.
            let share = (Double(timestampMilliseconds) - Double(first)) / (Double(last) - Double(first))
            var guess = Int((share * Double(count - 1)).rounded(.down))
            guess = min(max(guess, 1), count - 1)
            for _ in 0..<4 {
                if time(guess - 1) >= timestampMilliseconds {
                    guess -= 1
                } else if time(guess) < timestampMilliseconds {
                    guess += 1
                } else {
                    return guess
                }
            }
            var low = 0
            var high = count
            while low < high {
                let middle = (low + high) / 2
                if time(middle) < timestampMilliseconds { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// Index of the first sample after the time (`count` when none).
    func firstIndex(after timestampMilliseconds: Int64) -> Int {
        firstIndex(atOrAfter: timestampMilliseconds == .max ? .max : timestampMilliseconds + 1)
    }

    private mutating func grow() {
        var grown = [Point](repeating: Point(timestampMilliseconds: 0, value: 0), count: max(8, points.count * 2))
        for index in 0..<count { grown[index] = self[index] }
        points = grown
        head = 0
    }
}
