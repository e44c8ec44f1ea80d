public import PromText

/// The result of evaluating an expression at one instant, shaped like Prometheus' `/api/v1/query` result.
public enum QueryValue: Sendable, Equatable {
    /// A single number.
    case scalar(Double)
    /// One value per series.
    case vector([VectorSample])
    /// Raw samples per series, for a range selector at the top level.
    case matrix([RangeSeries])
    /// A string literal.
    case string(String)
}

/// One series' value in an instant vector.
public struct VectorSample: Sendable, Equatable {
    /// Labels including `__name__` while the metric name survives (selectors, comparisons, `last_over_time`).
    public var labels: Labels
    /// The value; NaN compares equal to NaN in ``==``.
    public var value: Double

    /// Creates a sample.
    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }

    /// The metric name, when the labels still carry one.
    public var name: String? { labels["__name__"] }

    /// Equal labels and values, where NaN equals NaN so results compare as Prometheus prints them.
    public static func == (lhs: VectorSample, rhs: VectorSample) -> Bool {
        lhs.labels == rhs.labels && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// One timestamped value.
public struct Point: Sendable, Equatable {
    /// Milliseconds since the Unix epoch.
    public var timestampMilliseconds: Int64
    /// The value.
    public var value: Double

    /// Creates a point.
    public init(timestampMilliseconds: Int64, value: Double) {
        self.timestampMilliseconds = timestampMilliseconds
        self.value = value
    }

    /// Equal time and value, where NaN equals NaN.
    public static func == (lhs: Point, rhs: Point) -> Bool {
        lhs.timestampMilliseconds == rhs.timestampMilliseconds
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// One series with its raw samples over a range, oldest first.
public struct RangeSeries: Sendable, Equatable {
    /// Labels including `__name__`.
    public var labels: Labels
    /// Samples oldest first.
    public var points: [Point]

    /// Creates a series.
    public init(labels: Labels, points: [Point]) {
        self.labels = labels
        self.points = points
    }
}
