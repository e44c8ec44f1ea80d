import BallastCore

/// The fleet's Prometheus alerting rules: document 000's alert table plus the policy's own `alert` rules.
///
/// One node holds the `groups:` list; the plain rules file is `{groups: ...}` and the PrometheusRule's
/// `spec` is the very same node, so `promtool check rules` on the file vouches for the CRD too.
enum AlertRules {
    /// One alerting rule before rendering.
    struct Alert: Sendable {
        var name: String
        var expression: String
        var forDuration: String?
        var severity: AlertSeverity
        /// What the alert watches, so that a policy alert on the same thing can take its place.
        var watches: Watched? = nil
        var summary: String
        var description: String
    }

    /// What a document alert watches: a metric, or one of the built-in cost signals.
    enum Watched: Hashable, Sendable {
        case metric(NeutralMetric)
        case cost(CostSignal)
    }

    /// Document 000's monitoring table ("告警阈值" column), in the fleet engine's metric names. An alert
    /// whose metrics the engine does not export is left out rather than rendered as a rule that never fires.
    static func documentAlerts(_ context: WorkerContext) throws(ManifestError) -> [Alert] {
        let metrics = context.metrics
        var alerts: [Alert] = []
        if let used = metrics.selector(.acceleratorMemoryUsedBytes),
            let total = metrics.selector(.acceleratorMemoryTotalBytes)
        {
            alerts.append(
                Alert(
                    name: "BallastAcceleratorMemoryHigh",
                    expression: "max by (model, version) (\(used) / \(total)) > 0.9",
                    forDuration: "5m", severity: .critical, watches: .metric(.acceleratorMemoryUsedBytes),
                    summary: "Accelerator memory of {{ $labels.model }} {{ $labels.version }} is above 90 %.",
                    description:
                        "A worker uses {{ $value | humanizePercentage }} of its accelerator memory (document 000: target below 80 %, alert above 90 %). Shard the model or quantize it before requests fail."
                ))
        }
        if let tokens = metrics.selector(.generatedTokensTotal), let running = metrics.selector(.runningRequests) {
            alerts.append(
                Alert(
                    name: "BallastDecodeThroughputLow",
                    expression:
                        "(sum by (model, version) (rate(\(tokens)[5m])) < 50) and on (model, version) (sum by (model, version) (\(running)) > 0)",
                    forDuration: "10m", severity: .warning, watches: .metric(.generatedTokensTotal),
                    summary: "{{ $labels.model }} {{ $labels.version }} generates fewer than 50 tokens/s while busy.",
                    description:
                        "The fleet generates {{ $value | printf \"%.1f\" }} tokens/s with requests running (document 000: target above 100 tokens/s, alert below 50). Check batching and accelerator load."
                ))
        }
        if let buckets = metrics.selector(.requestDurationSeconds, suffix: "_bucket") {
            alerts.append(
                Alert(
                    name: "BallastP95LatencyHigh",
                    expression: "histogram_quantile(0.95, sum by (model, version, le) (rate(\(buckets)[5m]))) > 1",
                    forDuration: "5m", severity: .warning, watches: .metric(.requestDurationSeconds),
                    summary: "P95 request latency of {{ $labels.model }} {{ $labels.version }} is above 1000 ms.",
                    description:
                        "P95 request duration is {{ $value | humanizeDuration }} (document 000: target below 500 ms, alert above 1000 ms). Scale out or shorten the queue."
                ))
        }
        // Document 000's limit is in US dollars; without an exchange rate it cannot apply to other currencies.
        if let price = context.policy.price, price.currency == "USD", metrics.selector(.generatedTokensTotal) != nil {
            let cost = try AlertExpressions.costQuery(
                .costPerThousandTokens, price: price, context: context, field: "spec.price")
            alerts.append(
                Alert(
                    name: "BallastCostPer1kTokensHigh",
                    expression: "(\(cost)) > 0.02",
                    forDuration: "30m", severity: .warning, watches: .cost(.costPerThousandTokens),
                    summary: "1,000 generated tokens of \(context.model) cost more than 0.02 \(price.currency).",
                    description:
                        "1,000 tokens cost {{ $value | printf \"%.4f\" }} \(price.currency) at \(AlertExpressions.number(price.perReplicaHour)) \(price.currency) per replica-hour (document 000: target below $0.01, alert above $0.02). Quantize the model or consolidate replicas."
                ))
        }
        return alerts
    }

    /// The policy's rules whose action is `alert`.
    static func policyAlerts(_ context: WorkerContext) throws(ManifestError) -> [Alert] {
        var alerts: [Alert] = []
        for (index, rule) in context.policy.rules.enumerated() {
            guard case .alert(let action) = rule.action else { continue }
            let field = "spec.rules[\(index)].when"
            let expression = try AlertExpressions.expression(for: rule.condition, context: context, field: field)
            let conditionText = describe(rule.condition)
            let held = AlertExpressions.duration(rule.forDuration).map { " held for \($0)" } ?? ""
            alerts.append(
                Alert(
                    name: alertName(forRule: rule.name),
                    expression: expression,
                    forDuration: AlertExpressions.duration(rule.forDuration),
                    severity: action.severity,
                    summary: action.summary ?? "\(context.name): \(conditionText)",
                    description:
                        "Policy \(context.name), rule \(rule.name): \(conditionText)\(held). Current value: {{ $value | printf \"%.4g\" }}."
                ))
        }
        return alerts
    }

    /// The `groups:` list: one group per policy. Policy alerts come first. A document alert is left out when
    /// a policy alert rule already uses its name or watches the same metric or cost (the default policy
    /// encodes document 000's table itself, and two alerts for one breach only add noise).
    static func groups(_ context: WorkerContext) throws(ManifestError) -> YAMLNode {
        let own = try policyAlerts(context)
        let ownNames = Set(own.map(\.name))
        let watched = try watchedByPolicyAlerts(context)
        let documents = try documentAlerts(context).filter { alert in
            !ownNames.contains(alert.name) && !(alert.watches.map(watched.contains) ?? false)
        }
        var seen: Set<String> = []
        var alerts: [Alert] = []
        for alert in own + documents {
            guard seen.insert(alert.name).inserted else {
                throw ManifestError(
                    field: "spec.rules",
                    message: "two alert rules become the Prometheus alert \(alert.name); rename one of them."
                )
            }
            alerts.append(alert)
        }
        let rules: [YAMLNode] = alerts.map { alert in
            .map([
                "alert": .string(alert.name),
                "expr": .string(alert.expression),
                "for": alert.forDuration.map { .string($0) },
                "labels": .map(["severity": .string(alert.severity.rawValue), "policy": .string(context.name)]),
                "annotations": .map(["summary": .string(alert.summary), "description": .string(alert.description)]),
            ])
        }
        return .sequence([.map(["name": .string("ballast-\(context.name)"), "rules": .sequence(rules)])])
    }

    /// Metrics and costs that the policy's alert rules read.
    static func watchedByPolicyAlerts(_ context: WorkerContext) throws(ManifestError) -> Set<Watched> {
        var watched: Set<Watched> = []
        let engine = context.policy.target.engine
        for rule in context.policy.rules {
            guard case .alert = rule.action else { continue }
            for name in rule.condition.signalNames {
                switch context.policy.signal(named: name)?.source {
                case .cost(let cost):
                    watched.insert(.cost(cost))
                case .query(let text):
                    let query = try context.metrics.resolve(text, field: "spec.signals.\(name)")
                    for metric in NeutralMetric.allCases {
                        let names = MetricAliases.lookup(metric, engine: engine).alias?.names ?? []
                        if names.contains(where: query.contains) { watched.insert(.metric(metric)) }
                    }
                case nil:
                    continue
                }
            }
        }
        return watched
    }

    /// The plain Prometheus rules file.
    static func rulesFile(_ context: WorkerContext) throws(ManifestError) -> YAMLNode {
        .map(["groups": try groups(context)])
    }

    /// The Prometheus Operator `PrometheusRule`; its `spec` is ``rulesFile(_:)``.
    static func prometheusRule(_ context: WorkerContext) throws(ManifestError) -> YAMLNode {
        .map([
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": context.metadata,
            "spec": try rulesFile(context),
        ])
    }

    /// `gpu-memory` → `BallastGpuMemory`: alert names read as CamelCase in Alertmanager and stay valid metric names.
    static func alertName(forRule rule: String) -> String {
        let words = rule.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return "Ballast" + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A condition as people write it: `queue_p95 > 0.5`, `all(a > 1, b < 2)`.
    static func describe(_ condition: Condition) -> String {
        switch condition {
        case .compare(let signal, let op, let threshold):
            "\(signal) \(op.rawValue) \(AlertExpressions.number(threshold))"
        case .all(let parts):
            "all(" + parts.map(describe).joined(separator: ", ") + ")"
        case .any(let parts):
            "any(" + parts.map(describe).joined(separator: ", ") + ")"
        }
    }
}
