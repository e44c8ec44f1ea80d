/// One label pair of a series, such as `model="smollm2"`.
public struct Label: Hashable, Sendable, Comparable {
    /// Label name, such as `model`.
    public var name: String
    /// Label value, unescaped.
    public var value: String

    /// Creates a label pair.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Orders by name, then value, so a sorted label set is in the order Prometheus writes it.
    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.value < rhs.value
    }
}

/// The label set of a series, kept sorted by name so equal sets compare and hash equal.
///
/// The metric name is not part of this set; ``Sample/name`` holds it.
public struct Labels: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// Pairs sorted by name; names are unique.
    public private(set) var pairs: [Label]

    /// Creates a label set from pairs in any order; a later duplicate name replaces an earlier one.
    ///
    /// One sort by name (page order breaks ties), then one pass keeping the last pair of each name.
    public init(_ pairs: some Sequence<Label>) {
        var indexed = Array(pairs.enumerated())
        indexed.sort {
            $0.element.name != $1.element.name ? $0.element.name < $1.element.name : $0.offset < $1.offset
        }
        var unique: [Label] = []
        unique.reserveCapacity(indexed.count)
        for (_, pair) in indexed {
            if let last = unique.last, last.name == pair.name {
                unique[unique.count - 1] = pair
            } else {
                unique.append(pair)
            }
        }
        self.pairs = unique
    }

    /// Creates an empty label set.
    public init() { self.pairs = [] }

    /// Wraps pairs the caller has already sorted by name and checked for unique names (the parser does both),
    /// skipping the quadratic de-duplication of the public initializer.
    init(sortedUniquePairs pairs: [Label]) { self.pairs = pairs }

    /// Creates a label set from a literal such as `["model": "m", "version": "v1"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label($0.0, $0.1) })
    }

    /// Position of the first pair (always 0).
    public var startIndex: Int { pairs.startIndex }
    /// Position after the last pair: the number of labels.
    public var endIndex: Int { pairs.endIndex }
    /// The pair at `position`, in name order.
    public subscript(position: Int) -> Label { pairs[position] }

    /// The value of the label called `name`, or `nil` when the set has none.
    public subscript(name: String) -> String? {
        get { pairs.first(where: { $0.name == name })?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.name == name }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append(Label(name, newValue))
                pairs.sort()
            }
        }
    }
}

/// One sample of an exposition page: a series and its value at one moment.
public struct Sample: Hashable, Sendable {
    /// Full sample name, including suffixes such as `_bucket`, `_sum`, `_count`, `_total`.
    public var name: String
    /// Labels other than the name.
    public var labels: Labels
    /// The value; NaN and ±Inf are allowed.
    public var value: Double
    /// Timestamp in milliseconds since the Unix epoch when the page gave one.
    public var timestampMilliseconds: Int64?

    /// Creates a sample.
    public init(name: String, labels: Labels = Labels(), value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// Equal when name, labels, timestamp and value match; two NaN values count as equal, so a parsed page
    /// compares equal to the page it was written from.
    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.name == rhs.name && lhs.labels == rhs.labels
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
            && lhs.timestampMilliseconds == rhs.timestampMilliseconds
    }

    /// Hashes the series and timestamp, not the value (NaN would break hashing), consistent with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(labels)
        hasher.combine(timestampMilliseconds)
    }
}

/// The declared type of a metric family (`# TYPE`).
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter, gauge, histogram, summary, untyped
    /// OpenMetrics-only types; read so that OpenMetrics pages parse, treated like gauges by queries.
    case info, stateset, gaugehistogram, unknown
}

/// A metric family: the samples that share a base name, with its HELP, TYPE and UNIT.
///
/// Histogram and summary families hold their `_bucket`, `_sum`, `_count` (and `_created`) samples.
public struct MetricFamily: Hashable, Sendable {
    /// Base name, such as `ballast_queue_wait_seconds` for a histogram whose samples end in `_bucket`.
    public var name: String
    /// Declared type; `untyped` when the page gave no `# TYPE`.
    public var type: MetricType
    /// HELP text, unescaped; `nil` when absent.
    public var help: String?
    /// OpenMetrics `# UNIT`; `nil` when absent.
    public var unit: String?
    /// Samples in page order.
    public var samples: [Sample]

    /// Creates a family.
    public init(
        name: String, type: MetricType = .untyped, help: String? = nil, unit: String? = nil, samples: [Sample] = []
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }
}
