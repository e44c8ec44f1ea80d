import BallastCore
import Yams

extension PolicyDecoder {
    /// Aggregations allowed in the engine-neutral signal form.
    enum Aggregation: String, CaseIterable {
        case sum, max, min, avg
    }

    func readSignals(_ node: Node) -> [Signal] {
        if node.isNull { return [] }
        guard let map = mapping(node, path: "spec.signals", example: "queue_p95: <PromQL>") else { return [] }
        var signals: [Signal] = []
        for entry in map.entries {
            _ = map.value(entry.key)
            let field = "spec.signals.\(entry.key)"
            guard Self.isSignalName(entry.key) else {
                report(
                    entry.keyNode, field: field,
                    "\(field): signal names are letters, digits and '_', starting with a letter, so rules can name them; write for example `\(Self.suggestedSignalName(entry.key))`."
                )
                continue
            }
            signalLocations[entry.key] = location(entry.keyNode)
            if let source = readSignalSource(entry.value, name: entry.key, field: field) {
                signals.append(Signal(name: entry.key, source: source))
            }
        }
        return signals
    }

    static func isSignalName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    static func suggestedSignalName(_ name: String) -> String {
        let mapped = String(name.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        let trimmed = mapped.split(separator: "_").joined(separator: "_")
        guard let first = trimmed.first else { return "my_signal" }
        return first.isNumber ? "s_\(trimmed)" : trimmed
    }

    private func readSignalSource(_ node: Node, name: String, field: String) -> Signal.Source? {
        let forms = "a PromQL string, `{cost: cost_per_inference}` or `{metric: queue_wait_seconds, quantile: 0.95}`"
        switch node {
        case .scalar:
            guard let query = text(node, field: field, example: "max(ballast_queue_depth)") else { return nil }
            guard checkQuery(query, node: node, field: field) else { return nil }
            signalUnits[name] = SignalUnitInference.unit(ofQuery: query, checker: checker)
            return .query(query)
        case .mapping:
            guard let map = mapping(node, path: field, example: "cost: cost_per_inference") else { return nil }
            if map.has("cost") { return readCostSignal(map, name: name) }
            if map.has("query") { return readQuerySignal(map, name: name) }
            if map.has("metric") { return readNeutralSignal(map, name: name) }
            report(node, field: field, "\(field) must be \(forms).")
            return nil
        default:
            report(node, field: field, "\(field) must be \(forms), not \(node.shapeDescription).")
            return nil
        }
    }

    private func readCostSignal(_ map: FieldMap, name: String) -> Signal.Source? {
        defer { finish(map, allowed: ["cost"]) }
        guard let node = map.value("cost"), let cost = choice(node, field: map.path("cost"), as: CostSignal.self) else {
            return nil
        }
        guard hasPrice else {
            report(
                node, field: map.path("cost"),
                "\(map.path("cost")) (\(cost.rawValue)) needs a price; add `price: {perReplicaHour: 4.0, currency: CNY}` under spec."
            )
            return nil
        }
        return .cost(cost)
    }

    private func readQuerySignal(_ map: FieldMap, name: String) -> Signal.Source? {
        defer { finish(map, allowed: ["query", "unit"]) }
        guard let query = string(map, "query", example: "max(ballast_queue_depth)", required: true),
            let node = map.value("query")
        else { return nil }
        var unit: MetricUnit?
        if let unitNode = required(map, "unit", example: nil) {
            guard let value = choice(unitNode, field: map.path("unit"), as: MetricUnit.self) else { return nil }
            unit = value
        }
        guard checkQuery(query, node: node, field: map.path("query")) else { return nil }
        signalUnits[name] = unit ?? SignalUnitInference.unit(ofQuery: query, checker: checker)
        return .query(query)
    }

    /// `{metric: queue_wait_seconds, quantile: 0.95, window: 1m}` and friends, turned into a PromQL query with
    /// a placeholder so that the engine's own names are used at evaluation time.
    private func readNeutralSignal(_ map: FieldMap, name: String) -> Signal.Source? {
        defer { finish(map, allowed: ["metric", "quantile", "window", "aggregate"]) }
        guard let node = map.value("metric"),
            let metric = choice(node, field: map.path("metric"), as: NeutralMetric.self)
        else { return nil }
        if case .unavailable(let reason) = MetricAliases.lookup(metric, engine: engine) {
            report(
                node, field: map.path("metric"),
                "\(map.path("metric")): \(metric.rawValue) has no equivalent on engine \(engine.rawValue): \(reason)")
            return nil
        }
        let window = map.has("window") ? duration(map, "window", example: "1m") : .seconds(60)
        guard let window else { return nil }
        if window < .seconds(1) {
            report(
                map.value("window"), field: map.path("window"),
                "\(map.path("window")) (\(DurationText.format(window))) is shorter than a scrape; write 1m or more.")
            return nil
        }
        let range = DurationText.promQL(window)
        let placeholder = "${\(metric.rawValue)}"
        let query: String
        switch metric.kind {
        case .histogram:
            if map.has("aggregate") {
                report(
                    map.value("aggregate"), field: map.path("aggregate"),
                    "\(map.path("aggregate")) does not apply to histogram \(metric.rawValue); write `quantile: 0.95` instead."
                )
                return nil
            }
            let quantile =
                map.has("quantile")
                ? double(map, "quantile", example: "0.95", range: 0...1) : 0.95
            guard let quantile else { return nil }
            query = "histogram_quantile(\(format(quantile)), sum by (le) (rate(\(placeholder)_bucket[\(range)])))"
        case .counter, .gauge:
            if map.has("quantile") {
                report(
                    map.value("quantile"), field: map.path("quantile"),
                    "\(map.path("quantile")) applies to histograms only; \(metric.rawValue) is a \(metric.kind.rawValue); remove it."
                )
                return nil
            }
            let defaultAggregation: Aggregation = metric.unit == .ratio ? .max : .sum
            var aggregation = defaultAggregation
            if let aggregateNode = required(map, "aggregate", example: nil) {
                guard let value = choice(aggregateNode, field: map.path("aggregate"), as: Aggregation.self) else {
                    return nil
                }
                aggregation = value
            }
            if metric.kind == .counter {
                query = "\(aggregation.rawValue)(rate(\(placeholder)[\(range)]))"
            } else {
                if map.has("window") {
                    report(
                        map.value("window"), field: map.path("window"),
                        "\(map.path("window")) applies to histograms and counters only; \(metric.rawValue) is a gauge; remove it."
                    )
                    return nil
                }
                query = "\(aggregation.rawValue)(\(placeholder))"
            }
        }
        signalUnits[name] = metric.kind == .counter ? nil : metric.unit
        return .query(query)
    }

    /// Checks placeholders against the engine and the query's syntax; reports and returns false on a problem.
    func checkQuery(_ query: String, node: Node, field: String) -> Bool {
        do {
            _ = try MetricAliases.resolve(query, engine: engine)
        } catch {
            report(node, field: field, "\(field): \(error.description)")
            return false
        }
        if let problem = checker.check(Self.maskingPlaceholders(query)) {
            report(node, field: field, "\(field) is not valid PromQL: \(problem.message).")
            return false
        }
        return true
    }

    /// `query` with each `${name}` replaced by as many `_` characters, so a syntax check sees a metric name
    /// and its column numbers stay those of the text as written.
    static func maskingPlaceholders(_ query: String) -> String {
        var characters = Array(query)
        for placeholder in MetricAliases.placeholders(in: query) {
            let length = placeholder.name.count + 3
            for index in placeholder.offset..<min(characters.count, placeholder.offset + length) {
                characters[index] = "_"
            }
        }
        return String(characters)
    }
}
