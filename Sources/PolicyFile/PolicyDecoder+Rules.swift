import BallastCore
import Yams

extension PolicyDecoder {
    private static let ruleFields = ["name", "when", "for", "cooldown", "action"]

    func readRules(_ node: Node?, signals: inout [Signal]) -> [Rule] {
        guard let node, !node.isNull else { return [] }
        guard case .sequence(let items) = node else {
            report(
                node, field: "spec.rules",
                "spec.rules must be a list of rules (`- {name: queue-time, when: queue_p95 > 0.5, action: {scale: {}}}`), not \(node.shapeDescription)."
            )
            return []
        }
        var rules: [Rule] = []
        for (index, item) in items.enumerated() {
            if let rule = readRule(item, index: index, signals: &signals) { rules.append(rule) }
        }
        return rules
    }

    private func readRule(_ node: Node, index: Int, signals: inout [Signal]) -> Rule? {
        guard let map = mapping(node, path: "spec.rules[\(index)]", example: "name: queue-time") else { return nil }
        comparisonSites = []
        var name: String?
        if let nameNode = required(map, "name", example: nil),
            let value = text(nameNode, field: "spec.rules[\(index)].name", example: "queue-time")
        {
            if let previous = ruleLocations[value] {
                report(
                    nameNode, field: "spec.rules[\(value)].name",
                    "spec.rules[\(value)].name repeats the rule defined at line \(previous.line); give each rule its own name."
                )
                return nil
            }
            ruleLocations[value] = location(node)
            name = value
        }
        let path = "spec.rules[\(name ?? String(index))]"
        let rule = FieldMap(path: path, node: node, entries: map.entries)
        _ = rule.value("name")
        defer { finish(rule, allowed: Self.ruleFields) }
        if name == nil { reportMissing(rule, "name", example: "name: queue-time") }

        var condition: Condition?
        if let whenNode = required(rule, "when", example: "when: queue_p95 > 0.5") {
            condition = readCondition(whenNode, field: rule.path("when"), signals: &signals)
        }
        let forDuration = rule.has("for") ? duration(rule, "for", example: "30s") : .zero
        let cooldown = rule.has("cooldown") ? duration(rule, "cooldown", example: "5m") : .zero
        var action: Action?
        if let actionNode = required(rule, "action", example: "action: {scale: {target: 0.5}}") {
            action = readAction(actionNode, field: rule.path("action"), condition: condition, signals: signals)
        }
        guard let name, let condition, let forDuration, let cooldown, let action else { return nil }
        return Rule(name: name, condition: condition, forDuration: forDuration, cooldown: cooldown, action: action)
    }

    // MARK: Conditions

    func readCondition(_ node: Node, field: String, signals: inout [Signal]) -> Condition? {
        switch node {
        case .scalar:
            guard let raw = text(node, field: field, example: "queue_p95 > 0.5") else { return nil }
            return readComparison(raw, node: node, field: field, signals: &signals)
        case .mapping:
            guard let map = mapping(node, path: field, example: "all: [queue_p95 > 0.5]") else { return nil }
            defer { finish(map, allowed: ["all", "any"]) }
            let keys = ["all", "any"].filter(map.has)
            guard keys.count == 1, let key = keys.first, let list = map.value(key) else {
                report(
                    node, field: field,
                    "\(field) must have exactly one of all: or any:, each a list of conditions such as `all: [gpu_util > 0.8, queue_depth > 50]`."
                )
                return nil
            }
            guard case .sequence(let items) = list, !items.isEmpty else {
                report(
                    list, field: map.path(key),
                    "\(map.path(key)) must be a non-empty list of conditions such as `[gpu_util > 0.8, queue_depth > 50]`, not \(list.shapeDescription)."
                )
                return nil
            }
            var parts: [Condition] = []
            var failed = false
            for (index, item) in items.enumerated() {
                if let part = readCondition(item, field: "\(map.path(key))[\(index)]", signals: &signals) {
                    parts.append(part)
                } else {
                    failed = true
                }
            }
            if failed { return nil }
            return key == "all" ? .all(parts) : .any(parts)
        default:
            report(
                node, field: field,
                "\(field) must be a comparison such as `queue_p95 > 0.5` or an all:/any: mapping, not \(node.shapeDescription)."
            )
            return nil
        }
    }

    private func readComparison(_ raw: String, node: Node, field: String, signals: inout [Signal]) -> Condition? {
        let comparison: ComparisonText
        switch ComparisonText.parse(raw) {
        case .success(let parsed):
            comparison = parsed
        case .failure(let problem):
            let reason =
                switch problem {
                case .missingSignal: "it must start with a signal name"
                case .missingOperator: "a comparison operator (>, >=, <, <=, ==, !=) must follow the signal name"
                case .unknownOperator(let op): "`\(op)` is not an operator; use >, >=, <, <=, == or !="
                case .missingThreshold: "a number must follow the operator"
                case .combined(let word):
                    "`\(word)` cannot combine comparisons here; write `all:` or `any:` with a list of comparisons"
                }
            report(node, field: field, "\(field) (`\(raw)`) is not a comparison such as `queue_p95 > 0.5`: \(reason).")
            return nil
        }
        guard resolveSignal(comparison.signal, node: node, field: field, signals: &signals) else { return nil }
        guard let threshold = readThreshold(comparison.threshold, signal: comparison.signal, node: node, field: field)
        else { return nil }
        comparisonSites.append(
            ComparisonSite(
                signal: comparison.signal, op: comparison.op, threshold: threshold,
                thresholdText: Spelling.trimmed(comparison.threshold), field: field, node: node))
        return .compare(signal: comparison.signal, op: comparison.op, threshold: threshold)
    }

    /// Makes sure `name` is a declared signal, declaring built-in cost signals on first use.
    func resolveSignal(_ name: String, node: Node, field: String, signals: inout [Signal]) -> Bool {
        if signals.contains(where: { $0.name == name }) { return true }
        if let cost = CostSignal(rawValue: name) {
            guard hasPrice else {
                report(
                    node, field: field,
                    "\(field) reads \(name), which needs a price; add `price: {perReplicaHour: 4.0, currency: CNY}` under spec."
                )
                return false
            }
            signals.append(Signal(name: name, source: .cost(cost)))
            return true
        }
        let known = signals.map(\.name) + CostSignal.allCases.map(\.rawValue)
        if signalLocations[name] != nil {
            // Declared but rejected; that problem is already reported.
            return false
        }
        if let suggestion = Spelling.closest(to: name, among: known) {
            report(
                node, field: field, "\(field) reads signal \(name), which is not defined; did you mean \(suggestion)?")
        } else {
            report(
                node, field: field,
                "\(field) reads signal \(name), which is not defined; add it under spec.signals or use one of \(known.joined(separator: ", "))."
            )
        }
        return false
    }

    /// Reads a threshold against `signal`'s unit: `500ms` on a seconds signal is 0.5, `85%` on a ratio is 0.85,
    /// and numbers that only make sense in another unit are rejected with the spelling to use.
    /// - Parameter isTarget: the value is a scale target (a level to settle at) rather than a limit to cross.
    func readThreshold(_ raw: String, signal: String, node: Node, field: String, isTarget: Bool = false) -> Double? {
        guard let threshold = ThresholdText.parse(raw) else {
            report(
                node, field: field,
                "\(field): `\(raw)` is not a number; write a number such as 0.5, a duration such as 500ms, or a percentage such as 85%."
            )
            return nil
        }
        let number = format(threshold.value)
        switch (signalUnits[signal], threshold.suffix) {
        case (.seconds, .none) where threshold.value >= 100:
            report(
                node, field: field,
                "\(field): \(signal) is in seconds; \(number) means \(number) s; write \(number)ms or \(format(threshold.value / 1000))."
            )
            return nil
        case (.seconds, .percent):
            report(
                node, field: field,
                "\(field): \(signal) is in seconds, not a percentage; write a duration such as 500ms or 0.5.")
            return nil
        case (.ratio, .none) where threshold.value > 1:
            report(
                node, field: field,
                "\(field): \(signal) is a ratio from 0 to 1; \(number) can never be \(isTarget ? "reached" : "crossed"); write \(format(threshold.value / 100)) or \(number)%."
            )
            return nil
        case (.ratio, .duration), (.percent, .duration):
            report(
                node, field: field,
                "\(field): \(signal) is a share, not a time; write a ratio such as 0.85 or a percentage such as 85%.")
            return nil
        case (.tokens, .duration), (.requests, .duration), (.bytes, .duration):
            let unit = signalUnits[signal]?.rawValue ?? ""
            report(node, field: field, "\(field): \(signal) counts \(unit), not time; write a plain number.")
            return nil
        case (.percent, .percent), (.percent, .none), (_, .duration), (_, .none):
            return threshold.value
        case (_, .percent):
            return threshold.value / 100
        }
    }
}
