/// A named number the rules compare against limits, recomputed each evaluation.
public struct Signal: Hashable, Sendable {
    /// Name used by rules (`queue_p95`); unique within a policy.
    public var name: String
    /// Where the value comes from.
    public var source: Source

    /// Creates a signal.
    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// Where a signal's value comes from.
    public enum Source: Hashable, Sendable {
        /// A PromQL expression. `${name}` placeholders naming a ``NeutralMetric`` are replaced by the
        /// target engine's metric names before evaluation (see ``MetricAliases``).
        case query(String)
        /// A cost computed from the policy's ``Price`` and observed throughput.
        case cost(CostSignal)
    }
}

/// Built-in cost signals, computed from ``Price`` and the fleet's observed throughput.
public enum CostSignal: String, Hashable, Sendable, CaseIterable {
    /// Replica-hours spent per completed request, in the price's currency.
    /// Document 001: start a quantization evaluation when one inference costs more than 0.03 CNY.
    case costPerInference = "cost_per_inference"
    /// Cost of 1,000 generated tokens. Document 000: target below $0.01, alert above $0.02.
    case costPerThousandTokens = "cost_per_1k_tokens"
}
