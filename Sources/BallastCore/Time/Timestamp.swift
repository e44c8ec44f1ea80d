/// A point in time, in whole milliseconds since the Unix epoch (1970-01-01T00:00:00Z).
///
/// The core never reads a clock: callers pass `now` in, so tests drive time by hand and a
/// restarted controller resumes with the same arithmetic. Milliseconds match Prometheus sample
/// timestamps, and `Int64` keeps the value exact for the next 292 million years.
/// Arithmetic saturates instead of trapping, because durations come from user-written policies.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch; negative values lie before 1970.
    public var millisecondsSinceEpoch: Int64

    /// Creates a timestamp from milliseconds since the Unix epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// Creates a timestamp from whole seconds since the Unix epoch (saturating on overflow).
    public init(secondsSinceEpoch: Int64) {
        let (product, overflow) = secondsSinceEpoch.multipliedReportingOverflow(by: 1000)
        self.millisecondsSinceEpoch = overflow ? (secondsSinceEpoch < 0 ? .min : .max) : product
    }

    /// The Unix epoch itself; a convenient origin for tests.
    public static let epoch = Timestamp(millisecondsSinceEpoch: 0)

    /// Encodes as a bare integer of milliseconds, the form Prometheus and SQLite use.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.millisecondsSinceEpoch = try container.decode(Int64.self)
    }

    /// Encodes as a bare integer of milliseconds, the form Prometheus and SQLite use.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSinceEpoch)
    }

    /// Milliseconds since the epoch, for logs: `@1700000000000ms`.
    public var description: String { "@\(millisecondsSinceEpoch)ms" }

    /// Orders timestamps by time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The timestamp `duration` later (saturating).
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: saturatingAdd(lhs.millisecondsSinceEpoch, rhs.wholeMilliseconds))
    }

    /// The timestamp `duration` earlier (saturating).
    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let negated = rhs.wholeMilliseconds == .min ? Int64.max : -rhs.wholeMilliseconds
        return Timestamp(millisecondsSinceEpoch: saturatingAdd(lhs.millisecondsSinceEpoch, negated))
    }

    /// The time from `rhs` to `lhs`; negative when `lhs` is earlier.
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        let (difference, overflow) = lhs.millisecondsSinceEpoch.subtractingReportingOverflow(rhs.millisecondsSinceEpoch)
        if overflow { return lhs > rhs ? .milliseconds(Int64.max) : .milliseconds(Int64.min) }
        return .milliseconds(difference)
    }

    /// Moves the timestamp `duration` later.
    public static func += (lhs: inout Timestamp, rhs: Duration) {
        lhs = lhs + rhs
    }

    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? .max : .min }
        return sum
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded toward zero and saturating at the `Int64` range.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = fromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return total
    }

    /// The duration in seconds as a `Double`, for ratios and human-readable output.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
