public import BallastCore

/// A ``MetricsSource`` fake whose readings a test sets; every query it is asked reads from that table.
///
/// A query without a set reading is `missing`, as a real source reports a query with no series.
public actor ScriptedMetricsSource: MetricsSource {
    private var readings: [String: SignalReading] = [:]
    private var targets: [TargetHealth] = []
    /// Query names asked for, per call, in order.
    public private(set) var asked: [[String]] = []

    /// Creates a source with no readings.
    public init() {}

    /// Sets the reading returned for the query named `name`.
    public func set(_ name: String, _ reading: SignalReading) {
        readings[name] = reading
    }

    /// Sets plain values for several queries at once.
    public func set(values: [String: Double]) {
        for (name, value) in values { readings[name] = .value(value) }
    }

    /// Sets the health the source reports.
    public func setHealth(_ health: [TargetHealth]) {
        targets = health
    }

    /// Answers every query from the table.
    public func read(_ queries: [NamedQuery], at now: Timestamp) async -> [String: SignalReading] {
        asked.append(queries.map(\.name))
        var result: [String: SignalReading] = [:]
        for query in queries {
            result[query.name] = readings[query.name] ?? .missing(reason: "no reading is scripted for \(query.name)")
        }
        return result
    }

    /// The scripted health.
    public func health() async -> [TargetHealth] { targets }
}
