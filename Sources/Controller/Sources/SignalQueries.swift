public import BallastCore
public import PolicyFile
import PromQL

/// The PromQL queries one controller tick evaluates for a policy, and how their readings become an ``Observation``.
///
/// The list holds every query signal (placeholders resolved for the policy's engine), the two throughput queries
/// behind the cost signals, and a short-window twin of each scale rule's signal for panic mode: the same query
/// with every range set to `behavior.panic.window`, named with ``shortWindowPrefix``.
public struct SignalQueries: Sendable, Hashable {
    /// Name of the fleet-wide completed-requests-per-second query.
    public static let requestsPerSecond = "_requests_per_second"
    /// Name of the fleet-wide generated-tokens-per-second query.
    public static let tokensPerSecond = "_tokens_per_second"
    /// Prefix of short-window (panic) variants: `_short:queue_p95`.
    public static let shortWindowPrefix = "_short:"
    /// Engine-neutral text of the request rate query.
    public static let requestRateQuery = "sum(rate(${requests_total}[1m]))"
    /// Engine-neutral text of the token rate query.
    public static let tokenRateQuery = "sum(rate(${generated_tokens_total}[1m]))"

    /// Queries to evaluate, in order: signals in file order, throughput, short-window variants.
    public var queries: [NamedQuery]
    /// Readings that cannot be queried at all, by name, with the reason (the engine has no metric for it).
    /// ``observation(from:fleet:)`` turns them into failed readings.
    public var unavailable: [String: String]
    /// The longest range any query reads, in milliseconds, at least one minute (the throughput queries' range):
    /// the embedded scraper keeps this much history plus the lookback delta.
    public var longestRangeMilliseconds: Int64

    /// The queries of `document`'s policy.
    public init(document: PolicyDocument) {
        self.init(policy: document.policy)
    }

    /// The queries of `policy`.
    public init(policy: Policy) {
        let engine = policy.target.engine
        var queries: [NamedQuery] = []
        var unavailable: [String: String] = [:]
        var longest: Int64 = 60_000
        var parsed: [String: Expression] = [:]

        func add(_ name: String, neutral: String) {
            guard let text = try? MetricAliases.resolve(neutral, engine: engine) else {
                unavailable[name] = "the engine has no metric for it"
                return
            }
            queries.append(NamedQuery(name: name, text: text))
            if let expression = try? Expression.parse(text) {
                parsed[name] = expression
                longest = max(longest, expression.longestRangeMilliseconds)
            }
        }
        for signal in policy.signals {
            guard case .query(let text) = signal.source else { continue }
            add(signal.name, neutral: text)
        }
        add(Self.requestsPerSecond, neutral: Self.requestRateQuery)
        add(Self.tokensPerSecond, neutral: Self.tokenRateQuery)

        if let panic = policy.behavior.panic {
            let window = Self.milliseconds(panic.window)
            for name in Self.scaleSignals(of: policy) where window > 0 {
                guard let expression = parsed[name], expression.longestRangeMilliseconds > 0 else { continue }
                let short = expression.withRanges(milliseconds: window)
                queries.append(NamedQuery(name: Self.shortWindowPrefix + name, text: short.text))
            }
        }
        self.queries = queries
        self.unavailable = unavailable
        self.longestRangeMilliseconds = longest
    }

    /// Query signals that scale rules size the fleet with (`scale.signal`, else the first compared signal), each
    /// once, in rule order.
    static func scaleSignals(of policy: Policy) -> [String] {
        var names: [String] = []
        for rule in policy.rules {
            guard case .scale(let action) = rule.action,
                let name = action.signal ?? rule.condition.firstComparison?.signal,
                case .query = policy.signal(named: name)?.source, !names.contains(name)
            else { continue }
            names.append(name)
        }
        return names
    }

    /// The observation for one tick from the readings a ``MetricsSource`` returned for ``queries``.
    ///
    /// Signal names go to ``Observation/readings``, `_short:` names to ``Observation/shortWindow`` (prefix removed),
    /// the throughput names to ``Observation/throughput``. A name the source did not answer counts as missing;
    /// an ``unavailable`` one as failed.
    /// Readings pass as they are (NaN included): the evaluator normalizes them and reports what it saw.
    public func observation(from readings: [String: SignalReading], fleet: FleetState) -> Observation {
        func reading(_ name: String) -> SignalReading {
            if let reason = unavailable[name] { return .failed(reason: reason) }
            return readings[name] ?? .missing(reason: "the metrics source returned no reading for it")
        }
        var signals: [String: SignalReading] = [:]
        var short: [String: SignalReading] = [:]
        for query in queries {
            if query.name.hasPrefix(Self.shortWindowPrefix) {
                short[String(query.name.dropFirst(Self.shortWindowPrefix.count))] = reading(query.name)
            } else if query.name != Self.requestsPerSecond && query.name != Self.tokensPerSecond {
                signals[query.name] = reading(query.name)
            }
        }
        for name in unavailable.keys where name != Self.requestsPerSecond && name != Self.tokensPerSecond {
            signals[name] = reading(name)
        }
        let throughput = Throughput(
            requestsPerSecond: reading(Self.requestsPerSecond), tokensPerSecond: reading(Self.tokensPerSecond))
        return Observation(readings: signals, shortWindow: short, fleet: fleet, throughput: throughput)
    }

    /// Whole milliseconds of a duration (sub-millisecond parts dropped).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
