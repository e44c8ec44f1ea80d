import PromText

/// Which aggregation group each series of a ``SeriesWindow`` falls in, by slot, kept between batch evaluations.
///
/// Grouping a series means reading its labels, which for thousands of series scattered in memory costs a cache
/// miss each; a controller evaluates the same aggregations over the same series several times an interval. A
/// series keeps its slot until the window sweeps it away, which changes the window's layout version and drops the
/// memo.
struct GroupingMemo: Sendable {
    /// One aggregation's grouping: the same spec gives the same key for a series.
    struct Spec: Hashable, Sendable {
        var without: Bool
        var names: [String]
        /// Whether the series' labels include the metric name (`last_over_time`).
        var keepsName: Bool
    }

    /// The keys of one spec: a number per slot and the label set behind each number.
    struct SlotKeys: Sendable {
        /// Key number of each slot, -1 when not known yet.
        var keys: [Int32] = []
        /// The label set of each key number.
        var labels: [Labels] = []
        var numbers: [Labels: Int32] = [:]

        /// The key of `slot`, computing its label set with `labels` the first time.
        mutating func key(of slot: Int, _ labels: () -> Labels) -> Int {
            if slot < keys.count, keys[slot] >= 0 { return Int(keys[slot]) }
            let set = labels()
            let number: Int32
            if let known = numbers[set] {
                number = known
            } else {
                number = Int32(truncatingIfNeeded: self.labels.count)
                self.labels.append(set)
                numbers[set] = number
            }
            if slot >= keys.count { keys.append(contentsOf: repeatElement(-1, count: slot + 1 - keys.count)) }
            keys[slot] = number
            return Int(number)
        }
    }

    private var version = 0
    private var specs: [Spec: SlotKeys] = [:]

    /// Creates an empty memo.
    init() {}

    /// This memo if it was made for `layoutVersion`, else an empty one for it.
    func valid(for layoutVersion: Int) -> GroupingMemo {
        guard version != layoutVersion else { return self }
        var fresh = GroupingMemo()
        fresh.version = layoutVersion
        return fresh
    }

    /// Removes and returns the keys of `spec`, so they can be changed without a copy.
    mutating func take(_ spec: Spec) -> SlotKeys {
        specs.removeValue(forKey: spec) ?? SlotKeys()
    }

    /// Stores the keys of `spec`.
    mutating func put(_ keys: SlotKeys, for spec: Spec) {
        specs[spec] = keys
    }
}
