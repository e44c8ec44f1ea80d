public import BallastCore
import PromQL

/// A ``MetricsSource`` that answers queries with PromQL over the ``Scraper``'s sample window: no Prometheus
/// server needed.
///
/// Query texts are parsed once and kept (a parse error too, so a bad query costs nothing after the first tick).
/// A query with no series is ``SignalReading/missing(reason:)``; several series, a parse error or an
/// unsupported function is ``SignalReading/failed(reason:)`` — never a number the policy did not ask for.
public actor EmbeddedMetricsSource: MetricsSource {
    /// The scraper whose window is queried.
    public nonisolated let scraper: Scraper
    private var compiled: [String: Result<PromQL.Expression, PromQLError>] = [:]

    /// Creates a source reading `scraper`'s window.
    public init(scraper: Scraper) {
        self.scraper = scraper
    }

    /// Evaluates every query at `now` in one visit to the scraper, so all readings see the same samples.
    public func read(_ queries: [NamedQuery], at now: Timestamp) async -> [String: SignalReading] {
        var result: [String: SignalReading] = [:]
        var names: [String] = []
        var expressions: [PromQL.Expression] = []
        for query in queries {
            switch compile(query.text) {
            case .success(let expression):
                names.append(query.name)
                expressions.append(expression)
            case .failure(let error):
                result[query.name] = .failed(reason: "\(error)")
            }
        }
        let readings = await scraper.readings(of: expressions, at: now.millisecondsSinceEpoch)
        for (name, reading) in zip(names, readings) { result[name] = reading }
        return result
    }

    /// The scraper's targets and how their last scrapes went.
    public func health() async -> [TargetHealth] {
        await scraper.health()
    }

    /// Number of distinct query texts parsed so far.
    public var cachedQueryCount: Int { compiled.count }

    private func compile(_ text: String) -> Result<PromQL.Expression, PromQLError> {
        if let cached = compiled[text] { return cached }
        let parsed = Result { () throws(PromQLError) in try PromQL.Expression.parse(text) }
        compiled[text] = parsed
        return parsed
    }
}
