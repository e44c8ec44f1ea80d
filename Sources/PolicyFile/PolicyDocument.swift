public import BallastCore

/// A policy together with where its parts were written, for messages and `policy explain`.
public struct PolicyDocument: Hashable, Sendable {
    /// The policy.
    public var policy: Policy
    /// The file it was read from, as given to the loader.
    public var file: String
    /// Where each signal was defined (its key under `spec.signals`). Built-in cost signals that rules use
    /// without declaring them have no entry.
    public var signalLocations: [String: SourceLocation]
    /// Where each rule was defined (its list item under `spec.rules`).
    public var ruleLocations: [String: SourceLocation]
    /// The unit of each signal's value where it is known, from `unit:`, the engine-neutral form, or the query;
    /// thresholds were checked against it.
    public var signalUnits: [String: MetricUnit]

    /// Creates a document.
    public init(
        policy: Policy,
        file: String,
        signalLocations: [String: SourceLocation] = [:],
        ruleLocations: [String: SourceLocation] = [:],
        signalUnits: [String: MetricUnit] = [:]
    ) {
        self.policy = policy
        self.file = file
        self.signalLocations = signalLocations
        self.ruleLocations = ruleLocations
        self.signalUnits = signalUnits
    }

    /// Where the signal called `name` was defined, or `nil` (unknown name, or a built-in cost signal).
    public func location(ofSignal name: String) -> SourceLocation? {
        signalLocations[name]
    }

    /// Where the rule called `name` was defined, or `nil` for an unknown name.
    public func location(ofRule name: String) -> SourceLocation? {
        ruleLocations[name]
    }

    /// The signal's query with placeholders replaced by the target engine's metric names; `nil` for cost
    /// signals and unknown names. Loading already checked that every placeholder resolves.
    public func resolvedQuery(ofSignal name: String) -> String? {
        guard case .query(let query) = policy.signal(named: name)?.source else { return nil }
        return try? MetricAliases.resolve(query, engine: policy.target.engine)
    }

    /// Metrics the signal reads: its placeholders and the literal metric names in its query.
    public func metricReferences(ofSignal name: String) -> [MetricReference] {
        guard case .query(let query) = policy.signal(named: name)?.source else { return [] }
        return Self.metricReferences(inQuery: query, checker: PolicyLoader.queryChecker)
    }

    /// Metrics every query signal reads, in signal order, each once.
    public var metricReferences: [MetricReference] {
        var seen: Set<MetricReference> = []
        return policy.signals.flatMap { metricReferences(ofSignal: $0.name) }.filter { seen.insert($0).inserted }
    }

    /// Which of the policy's metrics appear on the targets' pages; `policy explain` fails when any is missing.
    ///
    /// - Parameter pageNames: metric names seen on any target's `/metrics` page (family or series names).
    public func metricPresence(pageNames: some Sequence<String>) -> MetricPresenceReport {
        MetricAliases.presence(of: metricReferences, engine: policy.target.engine, pageNames: pageNames)
    }

    static func metricReferences(inQuery query: String, checker: any QueryChecking) -> [MetricReference] {
        let neutral = MetricAliases.placeholders(in: query).compactMap(\.metric).map(MetricReference.neutral)
        let literal = checker.metricNames(in: PolicyDecoder.maskingPlaceholders(query))
            .filter { name in !name.hasPrefix("___") && !name.allSatisfy { $0 == "_" } }
            .map(MetricReference.literal)
        var seen: Set<MetricReference> = []
        return (neutral + literal).filter { seen.insert($0).inserted }
    }
}
