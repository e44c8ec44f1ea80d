import BallastCore
import Foundation
import Manifests
import Testing

/// How policy rules become Prometheus alerting rules.
struct AlertRulesTests {
    static func rulesFile(_ policy: Policy, options: RenderOptions = RenderOptions()) throws -> String {
        try #require(
            ManifestSet.render(policy: policy, options: options).first { $0.fileName == ManifestSet.rulesFileName }
        ).yaml
    }

    /// A policy with one alert rule on `memory_ratio` and no price, so only document alerts without cost remain.
    static func policy(
        condition: Condition, forDuration: Duration = .zero, action: AlertAction = AlertAction(),
        name: String = "memory-high"
    ) -> Policy {
        var policy = TestPolicies.small
        policy.price = nil
        policy.rules = [Rule(name: name, condition: condition, forDuration: forDuration, action: .alert(action))]
        return policy
    }

    static let memory = "max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)"

    @Test(arguments: [
        (ComparisonOperator.greater, 0.9, "(\(memory)) > 0.9"),
        (.greaterOrEqual, 0.85, "(\(memory)) >= 0.85"),
        (.less, 0.1, "(\(memory)) < 0.1"),
        (.lessOrEqual, 1, "(\(memory)) <= 1"),
        (.equal, 0, "(\(memory)) == 0"),
        (.notEqual, 0.5, "(\(memory)) != 0.5"),
        (.greater, 1e-4, "(\(memory)) > 0.0001"),
    ])
    func comparisonBecomesExpression(op: ComparisonOperator, threshold: Double, expected: String) throws {
        let file = try Self.rulesFile(
            Self.policy(condition: .compare(signal: "memory_ratio", op: op, threshold: threshold)))
        #expect(file.contains("      - alert: BallastMemoryHigh\n        expr: \(expected)\n"))
    }

    @Test func anyJoinsWithOr() throws {
        let condition = Condition.any([
            .compare(signal: "memory_ratio", op: .greater, threshold: 0.9),
            .compare(signal: "kv_cache", op: .greater, threshold: 0.95),
        ])
        let file = try Self.rulesFile(Self.policy(condition: condition))
        #expect(file.contains("expr: ((\(Self.memory)) > 0.9) or ((max(ballast_kv_cache_usage_ratio)) > 0.95)\n"))
        #expect(file.contains("any(memory_ratio > 0.9, kv_cache > 0.95)"))
    }

    /// `for:` is a Prometheus duration; zero leaves it out (fire on the first breach, as the rule says).
    @Test(
        arguments: [
            (Duration.zero, nil), (.seconds(30), "30s"), (.seconds(90), "1m30s"), (.seconds(300), "5m"),
            (.seconds(3600), "1h"), (.seconds(5400), "1h30m"), (.seconds(172_800), "2d"), (.milliseconds(250), "250ms"),
        ] as [(Duration, String?)])
    func forDurationIsAPrometheusDuration(duration: Duration, expected: String?) throws {
        let file = try Self.rulesFile(
            Self.policy(
                condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9), forDuration: duration))
        let rule = try #require(
            file.components(separatedBy: "      - alert: ").first { $0.hasPrefix("BallastMemoryHigh") })
        if let expected {
            #expect(rule.contains("\n        for: \"\(expected)\"\n"))
        } else {
            #expect(!rule.contains("for:"))
        }
    }

    @Test func severityAndSummaryComeFromTheAction() throws {
        let action = AlertAction(severity: .info, summary: "Memory is getting tight.")
        let file = try Self.rulesFile(
            Self.policy(condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9), action: action))
        #expect(file.contains("          severity: info\n          policy: r1-7b\n"))
        #expect(file.contains("          summary: Memory is getting tight.\n"))
    }

    /// Document 000's four alerts are always there (cost only with a price) and a policy rule can take
    /// over one of them by name.
    @Test func documentAlertsAndOverride() throws {
        let withPrice = try Self.rulesFile(TestPolicies.small)
        for name in [
            "BallastAcceleratorMemoryHigh", "BallastDecodeThroughputLow", "BallastP95LatencyHigh",
            "BallastCostPer1kTokensHigh",
        ] {
            #expect(withPrice.contains("- alert: \(name)\n"))
        }
        let overridden = try Self.rulesFile(
            Self.policy(
                condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.95),
                name: "accelerator-memory-high"
            ))
        #expect(overridden.components(separatedBy: "- alert: BallastAcceleratorMemoryHigh\n").count == 2)
        #expect(overridden.contains("- alert: BallastAcceleratorMemoryHigh\n        expr: (\(Self.memory)) > 0.95\n"))
        #expect(!overridden.contains("BallastCostPer1kTokensHigh"))
    }

    /// Document 000's cost limit is in dollars: other currencies get no document cost alert.
    @Test func documentCostAlertOnlyInDollars() throws {
        var policy = TestPolicies.small
        policy.price = Price(perReplicaHour: 4, currency: "CNY")
        #expect(!(try Self.rulesFile(policy)).contains("BallastCostPer1kTokensHigh"))
    }

    /// A policy alert on the same metric or cost replaces the document alert, whatever its name.
    @Test(arguments: [
        ("memory_ratio", "BallastAcceleratorMemoryHigh"),
        ("latency", "BallastP95LatencyHigh"),
        ("tokens", "BallastDecodeThroughputLow"),
        ("cost_1k", "BallastCostPer1kTokensHigh"),
    ])
    func policyAlertOnTheSameThingReplacesTheDocumentAlert(signal: String, replaced: String) throws {
        var policy = Self.policy(condition: .compare(signal: signal, op: .greater, threshold: 1), name: "mine")
        policy.price = Price(perReplicaHour: 4, currency: "USD")
        policy.signals += [
            Signal(
                name: "latency",
                source: .query("histogram_quantile(0.95, sum by (le) (rate(${request_duration_seconds}_bucket[5m])))")),
            Signal(name: "tokens", source: .query("sum(rate(ballast_generated_tokens_total[1m]))")),
            Signal(name: "cost_1k", source: .cost(.costPerThousandTokens)),
        ]
        let file = try Self.rulesFile(policy)
        #expect(file.contains("- alert: BallastMine\n"))
        #expect(!file.contains("- alert: \(replaced)\n"))
        let documentAlerts = [
            "BallastAcceleratorMemoryHigh", "BallastP95LatencyHigh", "BallastDecodeThroughputLow",
            "BallastCostPer1kTokensHigh",
        ]
        for other in documentAlerts where other != replaced {
            #expect(file.contains("- alert: \(other)\n"))
        }
    }

    @Test func costAlertUsesThePrice() throws {
        var policy = TestPolicies.small
        policy.price = Price(perReplicaHour: 32, currency: "USD")
        let file = try Self.rulesFile(policy)
        #expect(
            file.contains(
                "expr: ((count(count by (instance) (ballast_generated_tokens_total{model=\"r1-7b\"})) * 32 / 3600) / (sum(rate(ballast_generated_tokens_total{model=\"r1-7b\"}[5m])) / 1000)) > 0.02\n"
            ))
        #expect(file.contains("at 32 USD per replica-hour"))
    }

    /// The built-in Ballast names follow the metrics contract, including `waiting_requests` → `ballast_queue_depth`.
    @Test(arguments: [
        ("${waiting_requests}", "ballast_queue_depth"),
        ("${time_to_first_token_seconds}_bucket", "ballast_time_to_first_token_seconds_bucket"),
        ("${requests_total}", "ballast_requests_total"),
        ("${running_requests} + ${waiting_requests}", "ballast_running_requests + ballast_queue_depth"),
    ])
    func placeholdersResolveToBallastNames(query: String, resolved: String) throws {
        var policy = Self.policy(condition: .compare(signal: "probe", op: .greater, threshold: 1))
        policy.signals.append(Signal(name: "probe", source: .query("sum(\(query))")))
        #expect(try Self.rulesFile(policy).contains("expr: (sum(\(resolved))) > 1\n"))
    }

    /// Other engines' names come from the core's alias table.
    @Test(arguments: [
        (MetricsEngine.vllm, "${waiting_requests}", "vllm:num_requests_waiting"),
        (.llamacpp, "${generated_tokens_total}", "llamacpp:tokens_predicted_total"),
    ])
    func placeholdersResolveThroughTheAliasTable(engine: MetricsEngine, query: String, resolved: String) throws {
        var policy = Self.policy(condition: .compare(signal: "probe", op: .greater, threshold: 1))
        policy.target.engine = engine
        policy.signals.append(Signal(name: "probe", source: .query("sum(\(query))")))
        #expect(try Self.rulesFile(policy).contains("expr: (sum(\(resolved))) > 1\n"))
    }

    /// llama.cpp's server exports no memory gauges and no latency histograms: those document alerts are left
    /// out instead of rendered as rules that can never fire.
    @Test func documentAlertsNeedTheirMetrics() throws {
        var policy = TestPolicies.small
        policy.target.engine = .llamacpp
        policy.rules = []
        let file = try Self.rulesFile(policy)
        #expect(!file.contains("BallastAcceleratorMemoryHigh"))
        #expect(!file.contains("BallastP95LatencyHigh"))
        #expect(file.contains("- alert: BallastDecodeThroughputLow\n"))
        #expect(file.contains("rate(llamacpp:tokens_predicted_total[5m])"))
        #expect(file.contains("- alert: BallastCostPer1kTokensHigh\n"))
    }

    /// The description says how long the condition held, and nothing about holding when the rule fires at once.
    @Test(arguments: [
        (Duration.zero, "memory_ratio > 0.9. Current"), (.seconds(120), "memory_ratio > 0.9 held for 2m. Current"),
    ])
    func descriptionNamesTheHoldTime(duration: Duration, text: String) throws {
        let file = try Self.rulesFile(
            Self.policy(
                condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9), forDuration: duration))
        #expect(file.contains("rule memory-high: \(text)"))
    }

    @Test func alertNamesAreCamelCase() throws {
        let file = try Self.rulesFile(
            Self.policy(
                condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9), name: "gpu_mem.high-2"))
        #expect(file.contains("- alert: BallastGpuMemHigh2\n"))
    }
}
