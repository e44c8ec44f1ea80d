extension PolicyEvaluator {
    /// Turns the rules whose action is due into decisions: shard, quantize, alert, rollout.
    /// Scale rules are handled by the scaling pipeline. Each due rule acts once and starts its cooldown.
    mutating func decideActions(
        observed: Observation, readings: [String: SignalReading], due: Set<String>,
        notes: inout [String: String], now: Timestamp
    ) -> [ActionDecision] {
        var decisions: [ActionDecision] = []
        for rule in policy.rules where due.contains(rule.name) {
            let condition = rule.condition.explained(readings)
            let directive: ActionDecision.Directive
            let what: String
            switch rule.action {
            case .scale:
                continue
            case .shard(let shard):
                let from = max(1, observed.fleet.shards)
                let (product, overflow) = from.multipliedReportingOverflow(by: max(1, shard.factor))
                let to = min(overflow ? Int.max : product, shard.maxShards)
                guard to > from else {
                    notes[rule.name] =
                        "shards are already at \(from) and maxShards is \(shard.maxShards); raise maxShards to shard further"
                    continue
                }
                directive = .shard(from: from, to: to)
                what = "shard \(from) → \(to)"
            case .quantize(let quantize):
                directive = .quantize(
                    format: quantize.to.rawValue, maxQualityLoss: quantize.maxQualityLoss, keep: quantize.keep)
                what =
                    "start a quantization evaluation to \(quantize.to.rawValue) (max quality loss \(NumberText.format(quantize.maxQualityLoss * 100)) %)"
            case .alert(let alert):
                let summary = alert.summary ?? "\(rule.name): \(condition)"
                directive = .alert(severity: alert.severity.rawValue, summary: summary, webhook: alert.webhook)
                what = "\(alert.severity.rawValue) alert \"\(summary)\""
            case .rollout(let rollout):
                directive = .rollout(operation: rollout.operation.rawValue, version: rollout.version)
                what = "rollout \(rollout.operation.rawValue)" + (rollout.version.map { " of \($0)" } ?? "")
            }
            state.rules[rule.name]?.recordAction(at: now, cooldown: rule.cooldown)
            decisions.append(
                ActionDecision(
                    rule: rule.name, directive: directive, condition: condition,
                    readings: rule.condition.comparisons(readings), summary: "\(rule.name): \(what) (\(condition))"
                ))
        }
        return decisions
    }
}
