import BallastCore

/// The policy's scale rule on queue time, which becomes the autoscaler's Pods metric (document 001: scale
/// out when requests wait more than 500 ms).
struct QueueScaleRule: Sendable {
    /// The rule's name.
    let ruleName: String
    /// The signal's PromQL with placeholders resolved.
    let query: String
    /// The queue wait the fleet should settle at, in seconds: the scale action's target, else the threshold.
    let targetSeconds: Double

    /// The first scale rule whose signal is a query over the queue-wait histogram, or `nil`.
    static func find(in context: WorkerContext) throws(ManifestError) -> QueueScaleRule? {
        let policy = context.policy
        for (index, rule) in policy.rules.enumerated() {
            guard case .scale(let action) = rule.action,
                let signalName = action.signal ?? rule.condition.signalNames.first,
                let signal = policy.signal(named: signalName),
                case .query(let text) = signal.source
            else { continue }
            let query = try context.metrics.resolve(text, field: "spec.signals.\(signalName)")
            let queueNames =
                MetricAliases.lookup(.queueWaitSeconds, engine: context.policy.target.engine).alias?.names ?? []
            let readsQueue =
                text.contains("${\(NeutralMetric.queueWaitSeconds.rawValue)}")
                || queueNames.contains { query.contains($0) }
            guard readsQueue else { continue }
            guard let target = action.target ?? threshold(of: signalName, in: rule.condition) else { continue }
            guard target > 0, Quantity.text(forValue: target) != nil else {
                throw ManifestError(
                    field: "spec.rules[\(index)].action.scale.target",
                    message:
                        "a queue-time target of \(target) s is not a positive number of at least 0.001; write one such as 0.5."
                )
            }
            return QueueScaleRule(ruleName: rule.name, query: query, targetSeconds: target)
        }
        return nil
    }

    /// The threshold `signal` is compared with in `condition`, if any.
    private static func threshold(of signal: String, in condition: Condition) -> Double? {
        switch condition {
        case .compare(let name, _, let threshold):
            return name == signal ? threshold : nil
        case .all(let parts), .any(let parts):
            return parts.lazy.compactMap { threshold(of: signal, in: $0) }.first
        }
    }
}
