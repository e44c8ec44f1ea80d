/// A Prometheus histogram's state: cumulative counts per upper bound, the sum and the count.
struct Histogram: Sendable {
    /// Upper bounds in seconds, ascending; `+Inf` is implied.
    let bounds: [Double]
    private(set) var counts: [UInt64]
    private(set) var sum: Double = 0
    private(set) var count: UInt64 = 0

    /// Latency buckets from 5 ms to 60 s: fine around the 500 ms and 1 s limits the policies use.
    static let latencyBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60]

    init(bounds: [Double] = Histogram.latencyBounds) {
        self.bounds = bounds
        counts = [UInt64](repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        guard value.isFinite else { return }
        for i in bounds.indices where value <= bounds[i] { counts[i] += 1 }
        sum += value
        count += 1
    }
}
