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
    public init(_ pairs: some Sequence<Label>) {
        var sorted: [Label] = []
        for pair in pairs {
            if let index = sorted.firstIndex(where: { $0.name == pair.name }) {
                sorted[index] = pair
            } else {
                sorted.append(pair)
            }
        }
        sorted.sort()
        self.pairs = sorted
    }

    /// Creates an empty label set.
    public init() { self.pairs = [] }

    /// Wraps pairs the caller has already sorted by name and checked for unique names (the parser does both),
    /// skipping the quadratic de-duplication of the public initializer.
    init(sortedUniquePairs pairs: [Label]) { self.pairs = pairs }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label($0.0, $0.1) })
    }

    public var startIndex: Int { pairs.startIndex }
    public var endIndex: Int { pairs.endIndex }
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

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.name == rhs.name && lhs.labels == rhs.labels
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
            && lhs.timestampMilliseconds == rhs.timestampMilliseconds
    }

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
    public init(name: String, type: MetricType = .untyped, help: String? = nil, unit: String? = nil, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }
}
