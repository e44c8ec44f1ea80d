/// The result of one evaluation of a policy: every signal, every rule, the scaling decision and the actions.
public struct Evaluation: Hashable, Sendable, Codable {
    /// The policy's name.
    public var policy: String
    /// When the evaluation ran.
    public var time: Timestamp
    /// Every signal of the policy in file order, cost signals computed.
    public var signals: [SignalValue]
    /// Every rule in file order with its status.
    public var rules: [RuleEvaluation]
    /// The replica decision.
    public var scaling: ScalingDecision
    /// Shard, quantize, alert and rollout decisions due now, in rule order.
    public var actions: [ActionDecision]

    /// One line for people: the scaling summary, then each action's.
    public var summary: String {
        ([scaling.summary] + actions.map(\.summary)).joined(separator: "; ")
    }
}

/// A signal's reading at one evaluation.
public struct SignalValue: Hashable, Sendable, Codable {
    /// Signal name.
    public var name: String
    /// Its reading (NaN already turned into missing).
    public var reading: SignalReading
    /// For cost signals, the formula with numbers substituted: `2 × 4 / 3600 / 0.5`.
    public var formula: String?
}

/// A rule's state at one evaluation.
public struct RuleEvaluation: Hashable, Sendable, Codable {
    /// Rule name.
    public var rule: String
    /// Action kind: `scale`, `shard`, `quantize`, `alert` or `rollout`.
    public var action: String
    /// Where the rule stands.
    public var status: RuleStatus
    /// The condition with values substituted.
    public var condition: String
    /// Extra context, such as "shards already at maxShards (8)".
    public var note: String?
}
