import BallastCore
import Yams

/// One comparison of a rule's condition as written, kept so that scale checks can name its line and text.
struct ComparisonSite {
    /// The signal compared.
    var signal: String
    /// The operator.
    var op: ComparisonOperator
    /// The threshold in the signal's unit (seconds, ratio), as the evaluator sees it.
    var threshold: Double
    /// The threshold as written, such as `500ms`, for messages.
    var thresholdText: String
    /// The field that holds the comparison, such as `spec.rules[queue-time].when.all[0]`.
    var field: String
    /// The comparison's node, for its line.
    var node: Node

    /// The comparison as written, such as `queue_p95 > 500ms`.
    var text: String { "\(signal) \(op.rawValue) \(thresholdText)" }
}

extension PolicyDecoder {
    /// Checks that a scale rule can drive the replica formula, mirroring what the evaluator needs: the
    /// formula signal is a load signal, compared with `>` or `>=`, and there is a positive target at or below
    /// the threshold that makes the rule fire. Reports each problem and returns false when there is one.
    ///
    /// - Parameters:
    ///   - map: the `scale` payload, for its path and node.
    ///   - signal: `scale.signal` when written; otherwise the rule's first compared signal drives the formula.
    ///   - target: `scale.target` in the signal's unit when written.
    ///   - targetText: `scale.target` as written, for messages.
    ///   - signals: the policy's signals, including cost signals declared by the rules read so far.
    func checkScaleRule(
        _ map: FieldMap, signal: String?, target: Double?, targetText: String?, signals: [Signal]
    ) -> Bool {
        guard let driving = signal ?? comparisonSites.first?.signal else { return true }
        if isCostSignal(driving, signals: signals) {
            if signal == nil {
                reportCostScaling(map.node, field: map.path, signal: driving)
            } else {
                reportCostScaling(map.value("signal"), field: map.path("signal"), signal: driving)
            }
            return false
        }
        guard let site = comparisonSites.first(where: { $0.signal == driving }) else {
            // The signal is named by scale.signal only: the target is all the formula has to aim at.
            guard target == nil else { return true }
            report(
                map.node, field: map.path("target"),
                "\(map.path("target")) is missing and scale.signal \(driving) is not compared in the rule's when, so there is no threshold to aim at; add the value of \(driving) each replica should settle at, such as `target: \(exampleTarget(for: driving))`, or compare \(driving) in when."
            )
            return false
        }
        switch site.op {
        case .less, .lessOrEqual:
            report(
                site.node, field: site.field,
                "\(site.field) compares \(driving) with \(site.op.rawValue), but a scale rule must fire when its signal is too high: while \(driving) is low the replica formula asks for fewer replicas, so the fleet would shrink each time the rule fires; compare with > (`\(driving) > \(site.thresholdText)`) to scale out on a high value, or use `action: alert` to report a low one."
            )
            return false
        case .equal, .notEqual:
            let holds = site.op == .equal ? "only at one exact value" : "at every value but one"
            report(
                site.node, field: site.field,
                "\(site.field) compares \(driving) with \(site.op.rawValue), which holds \(holds), so it cannot tell when load is too high; compare with > (`\(driving) > \(site.thresholdText)`) so the rule scales out when \(driving) is high."
            )
            return false
        case .greater, .greaterOrEqual:
            break
        }
        guard let target else {
            guard site.threshold > 0 else {
                report(
                    map.node, field: map.path("target"),
                    "\(map.path("target")) is missing, so the threshold of `\(site.text)` would be the target, and the replica formula divides by it; add a target above 0, such as `target: \(exampleTarget(for: driving))`."
                )
                return false
            }
            return true
        }
        if target > site.threshold {
            let written = targetText ?? format(target)
            report(
                map.value("target"), field: map.path("target"),
                "\(map.path("target")) (\(written)) is above the threshold of `\(site.text)`: while the rule fires with \(driving) between \(site.thresholdText) and \(written), the replica formula asks for fewer replicas; write a target of \(site.thresholdText) or less."
            )
            return false
        }
        return true
    }

    /// Reports a scale rule driven by a cost: cost follows the replicas paid for, so the formula would run away.
    func reportCostScaling(_ node: Node?, field: String, signal: String) {
        report(
            node, field: field,
            "\(field) follows \(signal), a cost that rises with every replica added, so scaling out on it would raise it further; use a quantize or alert action for cost and scale on a load signal such as queue time or utilisation."
        )
    }

    /// Whether `name` is a cost signal: declared as `{cost: …}`, or a built-in cost name not declared otherwise.
    func isCostSignal(_ name: String, signals: [Signal]) -> Bool {
        if let declared = signals.first(where: { $0.name == name }) {
            if case .cost = declared.source { return true }
            return false
        }
        return CostSignal(rawValue: name) != nil && signalLocations[name] == nil
    }

    /// A target in the unit of `signal`, for the examples in messages.
    private func exampleTarget(for signal: String) -> String {
        switch signalUnits[signal] {
        case .seconds: "500ms"
        case .ratio: "70%"
        case .percent: "70"
        default: "10"
        }
    }
}
