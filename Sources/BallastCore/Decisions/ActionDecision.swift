/// A non-scaling action a firing rule asks for: shard, quantize, alert or rollout.
public struct ActionDecision: Hashable, Sendable, Codable {
    /// The rule that fired.
    public var rule: String
    /// What to do.
    public var directive: Directive
    /// The rule's condition with values substituted: `memory_ratio (0.91) > 0.85`.
    public var condition: String
    /// Each comparison of the condition: signal, reading, operator and threshold.
    public var readings: [ComparisonReading]
    /// One line for people: `memory: shard 1 → 2 (memory_ratio (0.91) > 0.85)`.
    public var summary: String

    /// What an action decision asks the actuators to do.
    public enum Directive: Hashable, Sendable, Codable {
        /// Run each replica over `to` shards instead of `from`.
        case shard(from: Int, to: Int)
        /// Start one quantization evaluation to `format`, accepted within `maxQualityLoss` (fraction), keeping `keep` tensors.
        case quantize(format: String, maxQualityLoss: Double, keep: [String])
        /// Raise an alert.
        case alert(severity: String, summary: String, webhook: String?)
        /// Start a canary (`start`) or roll back (`rollback`), optionally of one version.
        case rollout(operation: String, version: String?)
    }
}

/// One `signal op threshold` comparison of a condition and the reading it saw.
public struct ComparisonReading: Hashable, Sendable, Codable {
    /// Signal name.
    public var signal: String
    /// Its reading at this evaluation.
    public var reading: SignalReading
    /// Operator as written: `>`, `>=`, `<`, `<=`, `==`, `!=`.
    public var op: String
    /// The limit compared against.
    public var threshold: Double
}

extension Condition {
    /// Every comparison of the condition with the reading it sees, depth first.
    public func comparisons(_ readings: [String: SignalReading]) -> [ComparisonReading] {
        switch self {
        case .compare(let signal, let op, let threshold):
            let reading = readings[signal]?.normalized ?? .missing(reason: "no reading was supplied")
            return [ComparisonReading(signal: signal, reading: reading, op: op.rawValue, threshold: threshold)]
        case .all(let parts), .any(let parts):
            return parts.flatMap { $0.comparisons(readings) }
        }
    }
}
