/// A PromQL query the controller evaluates each tick, under a caller-chosen name.
public struct NamedQuery: Hashable, Sendable, Codable {
    /// Key of the reading in the result (a signal name, or an internal name such as `_requests_per_second`).
    public var name: String
    /// PromQL text with engine metric names already resolved.
    public var text: String

    /// Creates a named query.
    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Where signal readings come from: the embedded scraper's sample window, or a Prometheus server.
///
/// Like Flagger's metrics providers, an implementation answers queries and says whether it is
/// healthy; it never turns a failure into a number. A query that cannot be answered yields
/// ``SignalReading/failed(reason:)`` (or `missing`/`stale`), so rules hold their last decision.
public protocol MetricsSource: Sendable {
    /// Evaluates every query at `now`; the result has one entry per query name.
    func read(_ queries: [NamedQuery], at now: Timestamp) async -> [String: SignalReading]
    /// Health of every target or server this source reads, for status pages.
    func health() async -> [TargetHealth]
}
