public import PromText

/// An in-memory window of recent samples per series, which ``evaluate(_:at:)`` queries like Prometheus' TSDB.
///
/// Memory is bounded: each series keeps only samples newer than ``Configuration-swift.struct/retentionMilliseconds``
/// (and at most ``Configuration-swift.struct/maximumSamplesPerSeries``), and series with no sample in that window
/// are forgotten.
public struct SeriesWindow: Sendable {
    /// How the window keeps and selects samples.
    public struct Configuration: Sendable, Hashable {
        /// How long samples stay, in milliseconds. Set it to the longest range the policies use plus the lookback
        /// delta (``init(longestRangeMilliseconds:)`` does). Default: 15 minutes, enough for `[10m]` ranges.
        public var retentionMilliseconds: Int64
        /// How far back an instant selector looks for the latest sample, in milliseconds.
        /// Default: 300000 (5 minutes), Prometheus' `--query.lookback-delta` default.
        public var lookbackDeltaMilliseconds: Int64
        /// Cap per series, so a target that sends samples too often cannot grow memory without bound.
        /// Default: 100000 (a 1 s scrape for more than a day).
        public var maximumSamplesPerSeries: Int
        /// Which samples at the left edge of a range belong to it. Default: ``RangeBoundaries/closed``, which is what
        /// the Prometheus 2.x shipped by Debian does; use ``RangeBoundaries/leftOpen`` to match Prometheus 3.
        public var rangeBoundaries: RangeBoundaries

        /// Creates a configuration; every parameter has the default described on its property.
        public init(
            retentionMilliseconds: Int64 = 900_000, lookbackDeltaMilliseconds: Int64 = 300_000,
            maximumSamplesPerSeries: Int = 100_000, rangeBoundaries: RangeBoundaries = .closed
        ) {
            self.retentionMilliseconds = retentionMilliseconds
            self.lookbackDeltaMilliseconds = lookbackDeltaMilliseconds
            self.maximumSamplesPerSeries = max(2, maximumSamplesPerSeries)
            self.rangeBoundaries = rangeBoundaries
        }
    }

    /// Which samples a range `[r]` evaluated at `t` (and an instant lookback) includes.
    public enum RangeBoundaries: Sendable, Hashable {
        /// `[t - r, t]`: Prometheus 2.x.
        case closed
        /// `(t - r, t]`: Prometheus 3.x.
        case leftOpen
    }

    /// The identity of a series: metric name and the other labels.
    public struct SeriesKey: Sendable, Hashable {
        /// Metric name, such as `ballast_queue_depth`.
        public var name: String
        /// Labels other than the name.
        public var labels: Labels

        /// Creates a key.
        public init(name: String, labels: Labels) {
            self.name = name
            self.labels = labels
        }
    }

    struct Series: Sendable {
        /// Labels with `__name__`, built once so queries do not rebuild them.
        var fullLabels: Labels
        /// Labels without `__name__`, kept so functions and operators that drop the name do not rebuild the set.
        var labels: Labels
        var samples = SampleBuffer()
        /// False for a slot the sweep freed, kept on ``SeriesWindow/freeSlots`` for the next new series.
        var live = true

        static let vacant = Series(fullLabels: Labels(), labels: Labels(), live: false)
    }

    /// Prometheus' staleness marker: a NaN with a bit pattern of its own, distinct from an ingested NaN.
    static let staleMarker = Double(bitPattern: 0x7ff0_0000_0000_0002)

    static func isStale(_ value: Double) -> Bool { value.bitPattern == staleMarker.bitPattern }

    /// The settings this window was created with.
    public let configuration: Configuration
    /// Every series, at a stable slot; a freed slot holds ``Series/vacant`` until ``freeSlots`` hands it out again.
    /// Not optional, so queries can lend a series straight from the storage without copying it.
    private var storage: [Series] = []
    /// Slots of the series grouped by metric name, so a selector with a name only looks at its own series.
    private var slotsByName: [String: [Labels: Int]] = [:]
    /// The same slots per metric name, ordered by label set as Prometheus returns series, so selectors need no sort.
    private var sortedSlotsByName: [String: [Int]] = [:]
    private var freeSlots: [Int] = []
    private var liveSeries = 0
    /// Bumped whenever a slot is freed, which invalidates every target's remembered slots.
    private(set) var layoutVersion = 0
    /// Which aggregation group each series falls in, kept from one batch evaluation to the next.
    var groupingMemo = GroupingMemo()
    /// The series each scrape target sent last time, in page order, with their slots: the next scrape of an
    /// unchanged page finds each series by position instead of hashing its labels (Prometheus' scrape cache).
    private var seriesByTarget: [String: TargetSeries] = [:]
    private var lastSweepMilliseconds: Int64 = .min

    struct TargetSeries: Sendable {
        var keys: [SeriesKey]
        var slots: [Int]
        /// ``layoutVersion`` when the slots were recorded.
        var layout: Int
    }

    /// Creates an empty window.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Creates an empty window that keeps what expressions with ranges up to `longestRangeMilliseconds`
    /// (see ``Expression/longestRangeMilliseconds``) need: that range plus the 5-minute lookback delta.
    public init(longestRangeMilliseconds: Int64) {
        self.init(configuration: Configuration(retentionMilliseconds: longestRangeMilliseconds + 300_000))
    }

    /// Number of series held.
    public var seriesCount: Int { liveSeries }

    /// Number of samples held, staleness markers included.
    public var sampleCount: Int { storage.reduce(0) { $0 + $1.samples.count } }

    /// Adds one scrape's samples.
    ///
    /// Samples that carry a timestamp keep it; the others get `timestampMilliseconds`. A sample not newer than its
    /// series' latest is dropped, as Prometheus drops out-of-order samples. With a `target`, series that target sent
    /// last time but not now get a staleness marker, so instant selectors stop returning them at once.
    public mutating func ingest(
        _ samples: some Sequence<Sample>, at timestampMilliseconds: Int64, target: String? = nil
    ) {
        ingest(Array(samples), at: timestampMilliseconds, target: target)
    }

    /// Adds one scrape's samples, as the sequence form does; the array form is
    /// compiled for arrays, which a scraper passes on every scrape, instead of through a generic sequence.
    public mutating func ingest(_ samples: [Sample], at timestampMilliseconds: Int64, target: String? = nil) {
        guard let target else {
            for sample in samples {
                let labels = Self.droppingEmptyValues(sample.labels)
                append(
                    to: slot(name: sample.name, labels: labels),
                    timestampMilliseconds: sample.timestampMilliseconds ?? timestampMilliseconds, value: sample.value)
            }
            sweepIfDue(at: timestampMilliseconds)
            return
        }
        let previous = seriesByTarget[target]
        let cached = previous?.layout == layoutVersion ? previous : nil
        var keys: [SeriesKey] = []
        var slots: [Int] = []
        keys.reserveCapacity(samples.count)
        slots.reserveCapacity(samples.count)
        var unchanged = previous?.keys.count == samples.count
        for (position, sample) in samples.enumerated() {
            let key = SeriesKey(name: sample.name, labels: Self.droppingEmptyValues(sample.labels))
            let slot: Int
            if let cached, position < cached.keys.count, cached.keys[position] == key {
                slot = cached.slots[position]
            } else {
                unchanged = unchanged && previous?.keys[position] == key
                slot = self.slot(name: key.name, labels: key.labels)
            }
            append(
                to: slot, timestampMilliseconds: sample.timestampMilliseconds ?? timestampMilliseconds,
                value: sample.value)
            keys.append(key)
            slots.append(slot)
        }
        // A page with the same series in the same order as last time (the usual case) needs no set.
        if let previous, !unchanged {
            let present = Set(keys)
            for key in previous.keys where !present.contains(key) {
                markStale(key, at: timestampMilliseconds)
            }
        }
        seriesByTarget[target] = TargetSeries(keys: keys, slots: slots, layout: layoutVersion)
        sweepIfDue(at: timestampMilliseconds)
    }

    /// Adds one scrape's values for exactly the series `target` sent last time, in the same order: the fast path
    /// for a page whose series are unchanged (see `PageLayout` in PromText), with no labels built or compared.
    ///
    /// Returns false, ingesting nothing, when the window does not hold `values.count` series for `target`; the
    /// caller then ingests full samples with ``ingest(_:at:target:)-([Sample],_,_)``.
    public mutating func ingest(values: [Double], at timestampMilliseconds: Int64, target: String) -> Bool {
        guard var previous = seriesByTarget[target], previous.keys.count == values.count else { return false }
        if previous.layout != layoutVersion {
            // The sweep freed slots since: find (or recreate) each series again, as a full ingest would.
            for (position, key) in previous.keys.enumerated() {
                previous.slots[position] = slot(name: key.name, labels: key.labels)
            }
            previous.layout = layoutVersion
        }
        for (slot, value) in zip(previous.slots, values) {
            append(to: slot, timestampMilliseconds: timestampMilliseconds, value: value)
        }
        seriesByTarget[target] = previous
        sweepIfDue(at: timestampMilliseconds)
        return true
    }

    /// An empty label value means "no such label" in Prometheus: drop it so both spellings are one series.
    private static func droppingEmptyValues(_ labels: Labels) -> Labels {
        labels.contains(where: { $0.value.isEmpty }) ? Labels(labels.filter { !$0.value.isEmpty }) : labels
    }

    /// Marks every series the target sent last time as stale, for a scrape that failed or a target that went away.
    public mutating func markTargetDown(_ target: String, at timestampMilliseconds: Int64) {
        for key in seriesByTarget[target]?.keys ?? [] { markStale(key, at: timestampMilliseconds) }
        seriesByTarget[target] = nil
    }

    /// Appends a staleness marker to a series that disappeared, as Prometheus does: instant selectors stop returning
    /// it from this moment, and range functions ignore the marker.
    public mutating func markStale(_ series: SeriesKey, at timestampMilliseconds: Int64) {
        guard let slot = slotsByName[series.name]?[series.labels], let last = storage[slot].samples.last,
            !Self.isStale(last.value)
        else {
            return
        }
        append(to: slot, timestampMilliseconds: timestampMilliseconds, value: Self.staleMarker)
    }

    /// The slot of a series, created empty when new.
    private mutating func slot(name: String, labels: Labels) -> Int {
        if let slot = slotsByName[name]?[labels] { return slot }
        let series = Series(fullLabels: Self.fullLabels(name, labels), labels: labels)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            storage[slot] = series
        } else {
            slot = storage.count
            storage.append(series)
        }
        slotsByName[name, default: [:]][labels] = slot
        // Binary insertion keeps the name's slots in label order; new series are rare after the first scrape.
        var sorted = sortedSlotsByName.removeValue(forKey: name) ?? []
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(storage[sorted[middle]].labels, labels) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        sorted.insert(slot, at: low)
        sortedSlotsByName[name] = sorted
        liveSeries += 1
        return slot
    }

    private mutating func append(to slot: Int, timestampMilliseconds: Int64, value: Double) {
        let oldest = timestampMilliseconds - configuration.retentionMilliseconds
        let limit = configuration.maximumSamplesPerSeries
        // In place: no copy of the buffers.
        if let last = storage[slot].samples.last, last.timestampMilliseconds >= timestampMilliseconds { return }
        storage[slot].samples.append(timestampMilliseconds: timestampMilliseconds, value: value)
        storage[slot].samples.removeOlder(than: oldest)
        let count = storage[slot].samples.count
        if count > limit { storage[slot].samples.removeFirst(count - limit) }
    }

    private static func fullLabels(_ name: String, _ labels: Labels) -> Labels {
        var full = labels
        full["__name__"] = name
        return full
    }

    /// Forgets series with no sample inside the retention window, at most once per quarter retention.
    private mutating func sweepIfDue(at timestampMilliseconds: Int64) {
        let period = max(1000, configuration.retentionMilliseconds / 4)
        guard lastSweepMilliseconds == .min || timestampMilliseconds - lastSweepMilliseconds >= period else { return }
        lastSweepMilliseconds = timestampMilliseconds
        let oldest = timestampMilliseconds - configuration.retentionMilliseconds
        var freed = false
        for name in Array(slotsByName.keys) {
            guard var group = slotsByName.removeValue(forKey: name) else { continue }
            for (labels, slot) in group {
                storage[slot].samples.removeOlder(than: oldest)
                if storage[slot].samples.count == 0 {
                    group[labels] = nil
                    storage[slot] = .vacant
                    freeSlots.append(slot)
                    liveSeries -= 1
                    freed = true
                }
            }
            if !group.isEmpty { slotsByName[name] = group }
            if group.count != sortedSlotsByName[name]?.count {
                let kept = sortedSlotsByName.removeValue(forKey: name)?.filter { storage[$0].live } ?? []
                if !kept.isEmpty { sortedSlotsByName[name] = kept }
            }
        }
        if freed { layoutVersion += 1 }
    }

    /// Calls `body` with the slot and series of each series a selector matches, ordered by label set as
    /// Prometheus returns series.
    ///
    /// The series are lent, not copied into an array: a query over thousands of series then costs no reference
    /// counting per series.
    func forEachSeries<Failure: Error>(
        matching selector: VectorSelector, _ body: (Int, borrowing Series) throws(Failure) -> Void
    ) throws(Failure) {
        if let name = selector.metricName {
            // The name group already holds only this name: the `__name__` matcher needs no check per series.
            let matchers = selector.matchers.filter { !($0.name == "__name__" && $0.operator == .equal) }
            guard let slots = sortedSlotsByName[name] else { return }
            try storage.withUnsafeBufferPointer { (storage) throws(Failure) in
                for slot in slots {
                    // Only a selector with matchers besides the name reads the labels: a hot query touches no more
                    // of each series than its samples.
                    if !matchers.isEmpty && !matchers.allSatisfy({ $0.matches(storage[slot].fullLabels[$0.name] ?? "") }) {
                        continue
                    }
                    try body(slot, storage[slot])
                }
            }
            return
        }
        var matched: [Int] = []
        for group in slotsByName.values {
            for slot in group.values {
                let labels = storage[slot].fullLabels
                guard selector.matchers.allSatisfy({ $0.matches(labels[$0.name] ?? "") }) else { continue }
                matched.append(slot)
            }
        }
        matched.sort { precedes(storage[$0].fullLabels, storage[$1].fullLabels) }
        for slot in matched { try body(slot, storage[slot]) }
    }
}
