public import BallastCore

/// Writes policies back to YAML in the canonical form ``PolicyLoader`` reads: every field spelled out,
/// thresholds as the numbers rules compare against (durations for seconds-valued signals).
///
/// `ballast policy fmt` and `policy explain --effective` print this; reading the output gives back an equal policy.
public enum PolicyWriter {
    /// YAML for `document`'s policy, keeping signal units the query alone would not reveal.
    public static func yaml(for document: PolicyDocument) -> String {
        yaml(for: document.policy, signalUnits: document.signalUnits)
    }

    /// YAML for `policy`; `signalUnits` (default none) decides how thresholds are spelled.
    public static func yaml(for policy: Policy, signalUnits: [String: MetricUnit] = [:]) -> String {
        var out = Output()
        out.line(0, "apiVersion: \(PolicyDecoder.apiVersion)")
        out.line(0, "kind: \(PolicyDecoder.kind)")
        out.line(0, "metadata:")
        out.line(1, "name: \(quote(policy.name))")
        out.line(0, "spec:")
        writeTarget(policy.target, into: &out)
        if let price = policy.price {
            out.line(1, "price:")
            out.line(2, "perReplicaHour: \(ValueFormat.number(price.perReplicaHour))")
            out.line(2, "currency: \(quote(price.currency))")
        }
        writeSignals(policy.signals, units: signalUnits, into: &out)
        writeRules(policy.rules, units: signalUnits, into: &out)
        writeBehavior(policy.behavior, into: &out)
        writeRollout(policy.rollout, into: &out)
        writeDeployment(policy.deployment, into: &out)
        writeScrape(policy.scrape, into: &out)
        return out.text
    }

    private static func writeTarget(_ target: Target, into out: inout Output) {
        out.line(1, "target:")
        out.line(2, "model: \(quote(target.model))")
        if let version = target.version { out.line(2, "version: \(quote(version))") }
        out.line(2, "engine: \(target.engine.rawValue)")
        out.line(2, "minReplicas: \(target.minReplicas)")
        out.line(2, "maxReplicas: \(target.maxReplicas)")
    }

    private static func writeSignals(_ signals: [Signal], units: [String: MetricUnit], into out: inout Output) {
        guard !signals.isEmpty else { return }
        out.line(1, "signals:")
        for signal in signals {
            switch signal.source {
            case .cost(let cost):
                out.line(2, "\(signal.name): {cost: \(cost.rawValue)}")
            case .query(let query):
                let inferred = SignalUnitInference.unit(ofQuery: query, checker: PolicyLoader.queryChecker)
                if let unit = units[signal.name], unit != inferred {
                    out.line(2, "\(signal.name): {query: \(quote(query)), unit: \(unit.rawValue)}")
                } else {
                    out.line(2, "\(signal.name): \(quote(query))")
                }
            }
        }
    }

    private static func writeRules(_ rules: [Rule], units: [String: MetricUnit], into out: inout Output) {
        guard !rules.isEmpty else { return }
        out.line(1, "rules:")
        for rule in rules {
            out.line(2, "- name: \(quote(rule.name))")
            writeCondition(rule.condition, key: "when", level: 3, units: units, into: &out)
            if rule.forDuration != .zero { out.line(3, "for: \(DurationText.format(rule.forDuration))") }
            if rule.cooldown != .zero { out.line(3, "cooldown: \(DurationText.format(rule.cooldown))") }
            out.line(3, "action: \(action(rule.action, condition: rule.condition, units: units))")
        }
    }

    private static func writeCondition(
        _ condition: Condition, key: String, level: Int, units: [String: MetricUnit], into out: inout Output
    ) {
        switch condition {
        case .compare:
            out.line(level, "\(key): \(comparison(condition, units: units))")
        case .all(let parts), .any(let parts):
            let word = if case .all = condition { "all" } else { "any" }
            out.line(level, "\(key):")
            out.line(level + 1, "\(word):")
            for part in parts {
                if case .compare = part {
                    out.line(level + 2, "- \(comparison(part, units: units))")
                } else {
                    var nested = Output()
                    writeCondition(part, key: "-", level: 0, units: units, into: &nested)
                    // Re-indent the nested mapping under the list dash.
                    let lines = nested.text.split(separator: "\n", omittingEmptySubsequences: true)
                    for (index, text) in lines.enumerated() {
                        let body = index == 0 ? String(text.dropFirst(2)) : String(text)
                        out.line(level + 2, index == 0 ? "- \(body)" : "  \(body)")
                    }
                }
            }
        }
    }

    private static func comparison(_ condition: Condition, units: [String: MetricUnit]) -> String {
        guard case .compare(let signal, let op, let threshold) = condition else { return "" }
        return quote("\(signal) \(op.rawValue) \(value(threshold, unit: units[signal]))")
    }

    /// A threshold as the loader reads it back for a signal of `unit`.
    private static func value(_ number: Double, unit: MetricUnit?) -> String {
        if unit == .seconds, number >= 0, number * 1000 == (number * 1000).rounded() {
            return DurationText.format(.milliseconds(Int64(number * 1000)))
        }
        return ValueFormat.number(number)
    }

    private static func action(_ action: Action, condition: Condition, units: [String: MetricUnit]) -> String {
        switch action {
        case .scale(let scale):
            var fields: [String] = []
            if let signal = scale.signal { fields.append("signal: \(signal)") }
            if let target = scale.target {
                let driving = scale.signal ?? condition.signalNames.first ?? ""
                fields.append("target: \(quote(value(target, unit: units[driving])))")
            }
            return "{scale: {\(fields.joined(separator: ", "))}}"
        case .shard(let shard):
            return "{shard: {factor: \(shard.factor), maxShards: \(shard.maxShards)}}"
        case .quantize(let quantize):
            let keep = quantize.keep.map(quote).joined(separator: ", ")
            return
                "{quantize: {to: \(quantize.to.rawValue), maxQualityLoss: \(ValueFormat.number(quantize.maxQualityLoss)), keep: [\(keep)]}}"
        case .alert(let alert):
            var fields = ["severity: \(alert.severity.rawValue)"]
            if let summary = alert.summary { fields.append("summary: \(quote(summary))") }
            if let webhook = alert.webhook { fields.append("webhook: \(quote(webhook))") }
            return "{alert: {\(fields.joined(separator: ", "))}}"
        case .rollout(let rollout):
            var fields = ["operation: \(rollout.operation.rawValue)"]
            if let version = rollout.version { fields.append("version: \(quote(version))") }
            return "{rollout: {\(fields.joined(separator: ", "))}}"
        }
    }

    private static func writeBehavior(_ behavior: ScalingBehavior, into out: inout Output) {
        out.line(1, "behavior:")
        for (name, rules) in [("scaleUp", behavior.scaleUp), ("scaleDown", behavior.scaleDown)] {
            out.line(2, "\(name):")
            out.line(3, "stabilizationWindow: \(DurationText.format(rules.stabilizationWindow))")
            // An empty list must stay a list: `policies:` alone reads back as Kubernetes' default policies.
            out.line(3, rules.policies.isEmpty ? "policies: []" : "policies:")
            for policy in rules.policies {
                out.line(
                    4,
                    "- {type: \(policy.type.rawValue), value: \(policy.value), period: \(DurationText.format(policy.period))}"
                )
            }
            out.line(3, "selectPolicy: \(rules.selectPolicy.rawValue)")
        }
        out.line(2, "tolerance: \(ValueFormat.number(behavior.tolerance))")
        if let panic = behavior.panic {
            out.line(
                2,
                "panic: {window: \(DurationText.format(panic.window)), threshold: \(ValueFormat.number(panic.threshold)), hold: \(DurationText.format(panic.hold))}"
            )
        } else {
            out.line(2, "panic: false")
        }
        out.line(2, "startupGrace: \(DurationText.format(behavior.startupGrace))")
    }

    private static func writeRollout(_ rollout: RolloutSettings, into out: inout Output) {
        out.line(1, "rollout:")
        out.line(2, "steps: [\(rollout.steps.map(String.init).joined(separator: ", "))]")
        out.line(2, "interval: \(DurationText.format(rollout.interval))")
        out.line(2, "analysis:")
        out.line(3, "maxErrorRate: \(ValueFormat.number(rollout.analysis.maxErrorRate))")
        out.line(3, "maxP95: \(DurationText.format(rollout.analysis.maxP95))")
        out.line(3, "maxKL: \(ValueFormat.number(rollout.analysis.maxKL))")
    }

    private static func writeDeployment(_ deployment: DeploymentSettings, into out: inout Output) {
        out.line(1, "deployment:")
        out.line(2, "namespace: \(quote(deployment.namespace))")
        out.line(2, "image: \(quote(deployment.image))")
        if let args = deployment.args { out.line(2, "args: [\(args.map(quote).joined(separator: ", "))]") }
        out.line(2, "port: \(deployment.port)")
        out.line(2, "gpusPerReplica: \(deployment.gpusPerReplica)")
        out.line(2, "cpu: \(quote(deployment.cpu))")
        out.line(2, "memory: \(quote(deployment.memory))")
        out.line(2, "cpuUtilizationTarget: \(deployment.cpuUtilizationTarget)")
        if let metric = deployment.gpuUtilizationMetric { out.line(2, "gpuUtilizationMetric: \(quote(metric))") }
        out.line(2, "gpuUtilizationTarget: \(deployment.gpuUtilizationTarget)")
        out.line(2, "keda: \(deployment.keda)")
    }

    /// `spec.scrape`, only when it differs from the defaults: most policies scrape discovered workers only, and
    /// their canonical form stays as it was before the block existed.
    private static func writeScrape(_ scrape: ScrapeSettings, into out: inout Output) {
        guard scrape != ScrapeSettings() else { return }
        out.line(1, "scrape:")
        out.line(2, "targets: [\(scrape.targets.map(quote).joined(separator: ", "))]")
        out.line(2, "interval: \(DurationText.format(scrape.interval))")
        out.line(2, "timeout: \(DurationText.format(scrape.timeout))")
        out.line(2, "path: \(quote(scrape.path))")
    }

    /// A YAML double-quoted scalar; YAML accepts JSON's escapes.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: max(0, 2 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Lines with two-space indentation.
    private struct Output {
        var text = ""

        mutating func line(_ level: Int, _ content: String) {
            text += String(repeating: "  ", count: level) + content + "\n"
        }
    }
}
