import BallastCore
import Yams

extension PolicyDecoder {
    private static let actionKinds = ["scale", "shard", "quantize", "alert", "rollout"]

    func readAction(_ node: Node, field: String, condition: Condition?, signals: [Signal]) -> Action? {
        let shape = "exactly one of scale, shard, quantize, alert or rollout, such as `{scale: {target: 0.5}}`"
        let kind: String
        let payload: Node?
        let payloadMap: FieldMap?
        switch node {
        case .scalar:
            // `action: alert` is short for `action: {alert: {}}`.
            guard let raw = text(node, field: field, example: "alert") else { return nil }
            kind = Spelling.trimmed(raw)
            payload = nil
            payloadMap = nil
            guard Self.actionKinds.contains(kind) else {
                reportUnknownAction(kind, node: node, field: field, shape: shape)
                return nil
            }
        case .mapping:
            guard let map = mapping(node, path: field, example: "scale: {target: 0.5}") else { return nil }
            guard map.entries.count == 1, let entry = map.entries.first else {
                let names = map.entries.map(\.key).joined(separator: ", ")
                report(
                    node, field: field,
                    map.entries.isEmpty
                        ? "\(field) is empty; write \(shape)." : "\(field) names \(names); write \(shape).")
                return nil
            }
            kind = entry.key
            guard Self.actionKinds.contains(kind) else {
                reportUnknownAction(kind, node: entry.keyNode, field: field, shape: shape)
                return nil
            }
            payload = entry.value
            if entry.value.isNull {
                payloadMap = nil
            } else {
                guard let inner = mapping(entry.value, path: "\(field).\(kind)", example: Self.example(kind)) else {
                    return nil
                }
                payloadMap = inner
            }
        default:
            report(node, field: field, "\(field) must be \(shape), not \(node.shapeDescription).")
            return nil
        }
        let map = payloadMap ?? FieldMap(path: "\(field).\(kind)", node: payload ?? node, entries: [])
        switch kind {
        case "scale": return readScale(map, condition: condition, signals: signals).map(Action.scale)
        case "shard": return readShard(map).map(Action.shard)
        case "quantize": return readQuantize(map).map(Action.quantize)
        case "alert": return readAlert(map).map(Action.alert)
        default: return readRollout(map).map(Action.rollout)
        }
    }

    private static func example(_ kind: String) -> String {
        switch kind {
        case "scale": "target: 0.5"
        case "shard": "factor: 2"
        case "quantize": "to: q4_0"
        case "alert": "severity: warning"
        default: "operation: rollback"
        }
    }

    private func reportUnknownAction(_ kind: String, node: Node, field: String, shape: String) {
        if let suggestion = Spelling.closest(to: kind, among: Self.actionKinds) {
            report(node, field: field, "\(field) `\(kind)` is not an action; did you mean \(suggestion)?")
        } else {
            report(node, field: field, "\(field) `\(kind)` is not an action; write \(shape).")
        }
    }

    private func readScale(_ map: FieldMap, condition: Condition?, signals: [Signal]) -> ScaleAction? {
        defer { finish(map, allowed: ["signal", "target"]) }
        var signal: String?
        if let node = required(map, "signal", example: nil) {
            guard let name = text(node, field: map.path("signal"), example: "queue_p95") else { return nil }
            guard signals.contains(where: { $0.name == name }) else {
                if CostSignal(rawValue: name) != nil {
                    // A cost named only here is undeclared, but the real problem is scaling on it.
                    reportCostScaling(node, field: map.path("signal"), signal: name)
                    return nil
                }
                let hint =
                    Spelling.closest(to: name, among: signals.map(\.name)).map { "did you mean \($0)?" }
                    ?? "name one of \(signals.map(\.name).joined(separator: ", "))."
                report(
                    node, field: map.path("signal"),
                    "\(map.path("signal")) names signal \(name), which is not defined; \(hint)")
                return nil
            }
            signal = name
        } else if let condition, condition.signalNames.count > 1 {
            report(
                map.node, field: map.path("signal"),
                "\(map.path("signal")) is missing and the rule reads several signals (\(condition.signalNames.joined(separator: ", "))); add `signal: <name>` to say which one the replica count follows."
            )
            return nil
        }
        var target: Double?
        var targetText: String?
        if let node = required(map, "target", example: nil) {
            guard let raw = text(node, field: map.path("target"), example: "0.5") else { return nil }
            let drivingSignal = signal ?? condition?.signalNames.first ?? ""
            guard
                let value = readThreshold(
                    raw, signal: drivingSignal, node: node, field: map.path("target"), isTarget: true)
            else {
                return nil
            }
            guard value > 0 else {
                report(
                    node, field: map.path("target"),
                    "\(map.path("target")) (\(raw)) must be above 0 because the replica formula divides by it; write the value each replica should settle at, such as 0.5."
                )
                return nil
            }
            target = value
            targetText = Spelling.trimmed(raw)
        }
        // A condition with problems is reported already; its comparisons are incomplete.
        if condition != nil,
            !checkScaleRule(map, signal: signal, target: target, targetText: targetText, signals: signals)
        {
            return nil
        }
        return ScaleAction(signal: signal, target: target)
    }

    private func readShard(_ map: FieldMap) -> ShardAction? {
        defer { finish(map, allowed: ["factor", "maxShards"]) }
        let defaults = ShardAction()
        let factor = map.has("factor") ? int(map, "factor", example: 2, range: 2...64) : defaults.factor
        let maxShards = map.has("maxShards") ? int(map, "maxShards", example: 8, range: 1...1024) : defaults.maxShards
        guard let factor, let maxShards else { return nil }
        if factor > maxShards {
            report(
                map.value("factor"), field: map.path("factor"),
                "\(map.path("factor")) (\(factor)) is above maxShards (\(maxShards)); lower factor or raise maxShards.")
            return nil
        }
        return ShardAction(factor: factor, maxShards: maxShards)
    }

    private func readQuantize(_ map: FieldMap) -> QuantizeAction? {
        defer { finish(map, allowed: ["to", "maxQualityLoss", "keep"]) }
        let defaults = QuantizeAction(to: .q4_0)
        var format: QuantizationType?
        if let node = required(map, "to", example: "to: q4_0") {
            format = choice(node, field: map.path("to"), as: QuantizationType.self)
        }
        var loss =
            map.has("maxQualityLoss")
            ? double(map, "maxQualityLoss", example: "0.02", range: 0...1) : defaults.maxQualityLoss
        // Every requantization loses some quality, and a loss of 100 % accepts any model: both ends mean no gate.
        if let value = loss, value == 0 || value == 1 {
            let reason =
                value == 0
                ? "every quantization loses some quality, so 0 would reject every candidate"
                : "a loss of 100 % would accept any candidate, however broken"
            report(
                map.value("maxQualityLoss"), field: map.path("maxQualityLoss"),
                "\(map.path("maxQualityLoss")) (\(ValueFormat.number(value))) must be above 0 and below 1: \(reason); write the largest loss to accept as a fraction, such as 0.02 for 2 % (document 000 gives 1–2 % for INT4)."
            )
            loss = nil
        }
        var keep = defaults.keep
        var keepRead = true
        if let node = required(map, "keep", example: nil) {
            if let names = stringList(node, field: map.path("keep"), example: "[attn_q, attn_k, attn_v]"),
                checkTensorNames(names, node: node, field: map.path("keep"))
            {
                keep = names.map { Spelling.trimmed($0) }
            } else {
                keepRead = false
            }
        }
        guard let format, let loss, keepRead else { return nil }
        return QuantizeAction(to: format, maxQualityLoss: loss, keep: keep)
    }

    private func readAlert(_ map: FieldMap) -> AlertAction? {
        defer { finish(map, allowed: ["severity", "summary", "webhook"]) }
        var severity = AlertSeverity.warning
        if let node = required(map, "severity", example: nil) {
            guard let value = choice(node, field: map.path("severity"), as: AlertSeverity.self) else { return nil }
            severity = value
        }
        let summary = string(map, "summary", example: "Queue time above 500 ms")
        let webhook = string(map, "webhook", example: "https://alerts.example.com/hook")
        if let webhook, !(webhook.hasPrefix("http://") || webhook.hasPrefix("https://")) {
            report(
                map.value("webhook"), field: map.path("webhook"),
                "\(map.path("webhook")) (`\(webhook)`) must be an http:// or https:// URL.")
            return nil
        }
        if (map.has("summary") && summary == nil) || (map.has("webhook") && webhook == nil) { return nil }
        return AlertAction(severity: severity, summary: summary, webhook: webhook)
    }

    private func readRollout(_ map: FieldMap) -> RolloutAction? {
        defer { finish(map, allowed: ["operation", "version"]) }
        guard let node = required(map, "operation", example: "operation: rollback"),
            let operation = choice(node, field: map.path("operation"), as: RolloutAction.Operation.self)
        else { return nil }
        let version = string(map, "version", example: "v2")
        if map.has("version") && version == nil { return nil }
        return RolloutAction(operation: operation, version: version)
    }

    /// Tensor names kept at full precision: each written, each once. Reports the first problem.
    private func checkTensorNames(_ names: [String], node: Node, field: String) -> Bool {
        var seen: Set<String> = []
        for (index, raw) in names.enumerated() {
            let name = Spelling.trimmed(raw)
            var item = node
            if case .sequence(let items) = node, index < items.count { item = items[index] }
            guard !name.isEmpty else {
                report(
                    item, field: "\(field)[\(index)]",
                    "\(field)[\(index)] is empty; write a tensor name such as attn_q, or remove the entry.")
                return false
            }
            guard seen.insert(name).inserted else {
                report(item, field: field, "\(field) lists \(name) twice; list each tensor once.")
                return false
            }
        }
        return true
    }

    /// A list of strings; `null` entries are reported, quoted empty strings are returned.
    func stringList(_ node: Node, field: String, example: String) -> [String]? {
        guard case .sequence(let items) = node else {
            report(node, field: field, "\(field) must be a list such as `\(example)`, not \(node.shapeDescription).")
            return nil
        }
        var values: [String] = []
        for (index, item) in items.enumerated() {
            guard let value = text(item, field: "\(field)[\(index)]", example: "name") else { return nil }
            values.append(value)
        }
        return values
    }
}
