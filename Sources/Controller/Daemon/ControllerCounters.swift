/// Running totals behind the controller's own `/metrics`.
struct ControllerCounters: Sendable {
    /// A decision counter's labels.
    struct DecisionKey: Hashable, Sendable {
        var policy: String
        var kind: String
        var rule: String
    }

    /// Ticks run.
    var ticks: UInt64 = 0
    /// Seconds the last tick took, reads and actions included.
    var lastTickSeconds: Double = 0
    /// Ticks whose commit failed and that therefore acted on nothing.
    var storeFailures: UInt64 = 0
    /// Decisions by policy, kind and rule.
    var decisions: [DecisionKey: UInt64] = [:]
    /// Actions that reached a final status, by kind and `succeeded`/`failed`.
    var actions: [String: [String: UInt64]] = [:]
    /// Alerts raised.
    var alerts: UInt64 = 0

    mutating func countDecision(policy: String, kind: String, rule: String?) {
        decisions[DecisionKey(policy: policy, kind: kind, rule: rule ?? ""), default: 0] += 1
    }

    mutating func countAction(kind: String, succeeded: Bool) {
        actions[kind, default: [:]][succeeded ? "succeeded" : "failed", default: 0] += 1
    }
}
