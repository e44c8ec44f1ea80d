import BallastCore

/// PromQL text for alert rules: numbers, durations, conditions and the built-in cost signals.
enum AlertExpressions {
    /// A threshold as PromQL reads it: whole numbers without a fraction (`50`), others in shortest form (`0.9`).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// A Prometheus duration (`30s`, `5m`, `1h30m`, `250ms`); `nil` for zero, where `for` is left out.
    static func duration(_ duration: Duration) -> String? {
        let (seconds, attoseconds) = duration.components
        let totalMilliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard totalMilliseconds > 0 else { return nil }
        var rest = totalMilliseconds
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= size {
                out += "\(rest / size)\(unit)"
                rest %= size
            }
        }
        return out
    }

    /// PromQL that holds while `condition` does: `(signal) > limit`, joined by `and` / `or`.
    static func expression(for condition: Condition, context: WorkerContext, field: String) throws(ManifestError)
        -> String
    {
        switch condition {
        case .compare(let signal, let op, let threshold):
            let query = try signalQuery(named: signal, context: context, field: field)
            return "(\(query)) \(op.rawValue) \(number(threshold))"
        case .all(let parts), .any(let parts):
            guard !parts.isEmpty else {
                throw ManifestError(
                    field: field,
                    message: "an empty all:/any: list has no condition to alert on; list at least one comparison.")
            }
            var texts: [String] = []
            for (index, part) in parts.enumerated() {
                texts.append(try expression(for: part, context: context, field: "\(field)[\(index)]"))
            }
            if texts.count == 1 { return texts[0] }
            let joiner = if case .all = condition { " and " } else { " or " }
            return texts.map { "(\($0))" }.joined(separator: joiner)
        }
    }

    /// The PromQL of signal `name`: its query with placeholders resolved, or the built-in cost formula.
    static func signalQuery(named name: String, context: WorkerContext, field: String) throws(ManifestError) -> String {
        guard let signal = context.policy.signal(named: name) else {
            let known = context.policy.signals.map(\.name).joined(separator: ", ")
            throw ManifestError(
                field: field,
                message:
                    "the condition reads signal \"\(name)\", which the policy does not define; define it under spec.signals or use one of: \(known.isEmpty ? "(none defined)" : known)."
            )
        }
        switch signal.source {
        case .query(let text):
            return try context.metrics.resolve(text, field: "spec.signals.\(name)")
        case .cost(let cost):
            guard let price = context.policy.price else {
                throw ManifestError(
                    field: "spec.price",
                    message:
                        "signal \"\(name)\" is a cost, which needs the price of a replica; add price: {perReplicaHour: 4.0, currency: CNY}."
                )
            }
            return try costQuery(cost, price: price, context: context, field: "spec.signals.\(name)")
        }
    }

    /// Spend per unit of work over the last 5 minutes: replicas × price per second divided by the rate of
    /// requests (cost per inference) or of thousands of generated tokens (cost per 1K tokens). Replicas are
    /// counted as the instances exporting the token counter, which works for every engine.
    static func costQuery(_ cost: CostSignal, price: Price, context: WorkerContext, field: String) throws(ManifestError)
        -> String
    {
        let tokens = try context.metrics.requiredSelector(.generatedTokensTotal, field: field)
        let spendPerSecond = "count(count by (instance) (\(tokens))) * \(number(price.perReplicaHour)) / 3600"
        switch cost {
        case .costPerInference:
            let requests = try context.metrics.requiredSelector(.requestsTotal, field: field)
            return "(\(spendPerSecond)) / sum(rate(\(requests)[5m]))"
        case .costPerThousandTokens:
            return "(\(spendPerSecond)) / (sum(rate(\(tokens)[5m])) / 1000)"
        }
    }
}
