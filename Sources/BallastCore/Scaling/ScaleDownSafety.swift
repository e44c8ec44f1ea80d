/// Checks a scale-down before it happens: would the smaller fleet keep every signal a scale rule
/// reads inside its limit? If not, the fleet keeps more replicas, so it does not flap 2 → 1 → 2.
///
/// Query signals are treated as per-replica load: with `ready` replicas serving a value `v`,
/// `k` replicas would see `v × ready / k`. Cost signals scale the other way, `v × k / billed`,
/// because cost follows the replicas paid for. At `k` replicas a rule is unsafe when its
/// condition would hold, or when its formula would ask for more than `k` (ratio above 1 + tolerance).
enum ScaleDownSafety {
    /// The smallest count from `proposed` up to `current - 1` that is safe, or `current` when none is; with the reason.
    static func safeCount(
        proposed: Int, current: Int, ready: Int, billed: Int,
        inputs: [PolicyEvaluator.ScaleInput], readings: [String: SignalReading], costSignals: Set<String>,
        tolerance: Double
    ) -> (replicas: Int, reason: String?) {
        guard proposed < current, ready > 0 else { return (proposed, nil) }
        var firstViolation: String?
        var count = max(0, proposed)
        while count < current {
            guard
                let violation = violation(
                    at: count, ready: ready, billed: billed, inputs: inputs, readings: readings,
                    costSignals: costSignals, tolerance: tolerance
                )
            else {
                if count == proposed { return (proposed, nil) }
                return (count, "at \(count - 1) replicas \(firstViolation ?? "a rule would fire"); keeping \(count)")
            }
            firstViolation = violation
            count += 1
        }
        return (
            current,
            "at \(current - 1) replica\(current - 1 == 1 ? "" : "s") \(firstViolation ?? "a rule would fire"); holding at \(current)"
        )
    }

    /// The first rule that `count` replicas would breach, as a phrase; `nil` when all stay inside their limits.
    static func violation(
        at count: Int, ready: Int, billed: Int,
        inputs: [PolicyEvaluator.ScaleInput], readings: [String: SignalReading], costSignals: Set<String>,
        tolerance: Double
    ) -> String? {
        for input in inputs {
            var names = input.rule.condition.signalNames
            if !names.contains(input.signal) { names.append(input.signal) }
            var projected: [String: SignalReading] = [:]
            for name in names {
                guard let value = readings[name]?.number else { continue }
                projected[name] = .value(
                    project(value, isCost: costSignals.contains(name), to: count, ready: ready, billed: billed))
            }
            if case .breached = input.rule.condition.evaluate(projected) {
                return "\(input.rule.name) would fire: \(input.rule.condition.explained(projected))"
            }
            if let target = input.target, target > 0, let value = projected[input.signal]?.number,
                value / target > 1 + tolerance
            {
                return
                    "\(input.rule.name) would scale back up: \(input.signal) would be \(NumberText.format(value)) against target \(NumberText.format(target))"
            }
        }
        return nil
    }

    /// A signal's value at `count` replicas.
    static func project(_ value: Double, isCost: Bool, to count: Int, ready: Int, billed: Int) -> Double {
        if isCost {
            return billed > 0 ? value * Double(count) / Double(billed) : value
        }
        if count <= 0 { return value > 0 ? .infinity : 0 }
        return value * Double(ready) / Double(count)
    }
}
