import BallastCore
import PolicyFile
import Testing

/// Short forms and documented examples read as their long forms.
struct PolicyFormTests {
    /// The sketch in DESIGN.md, verbatim.
    static let designSketch = """
        apiVersion: ballast/v1
        kind: Policy
        metadata: {name: r1-7b}
        spec:
          target: {model: r1-7b, minReplicas: 1, maxReplicas: 10}
          price: {perReplicaHour: 4.0, currency: CNY}
          signals:
            queue_p95: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))
            memory_ratio: max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)
          rules:
            - {name: queue-time, when: queue_p95 > 0.5, for: 30s, action: {scale: {target: 0.5}}}
            - {name: memory, when: memory_ratio > 0.85, action: {shard: {factor: 2}}}
            - {name: cost, when: cost_per_inference > 0.03, action: {quantize: {to: q4_0, maxQualityLoss: 0.02}}}
          behavior: {scaleDown: {stabilizationWindow: 300s}}
          rollout: {steps: [5, 25, 50, 100], interval: 48h, analysis: {maxErrorRate: 0.01, maxP95: 1s, maxKL: 0.05}}
        """

    @Test func designSketchLoads() throws {
        let document = try PolicyLoader.parseDocument(Self.designSketch, file: "DESIGN.md")
        let policy = document.policy
        #expect(policy.signals.map(\.name) == ["queue_p95", "memory_ratio", "cost_per_inference"])
        #expect(policy.rules.map(\.forDuration) == [.seconds(30), .zero, .zero])
        #expect(policy.rollout.interval == .seconds(48 * 3600))
        #expect(document.signalUnits == ["queue_p95": .seconds, "memory_ratio": .ratio])
        #expect(document.location(ofSignal: "cost_per_inference") == nil)
        #expect(document.location(ofRule: "cost")?.line == 13)
    }

    @Test(arguments: [
        ("alert", Action.alert(AlertAction())),
        ("scale", .scale(ScaleAction())),
        ("shard", .shard(ShardAction())),
        ("{alert: }", .alert(AlertAction())),
        ("{scale: {}}", .scale(ScaleAction())),
        ("{rollout: {operation: start, version: v3}}", .rollout(RolloutAction(operation: .start, version: "v3"))),
    ])
    func actionShorthands(text: String, action: Action) throws {
        let policy = try PolicyLoader.parse(
            Support.policy("  signals: {a: max(x)}\n  rules: [{name: r, when: a > 1, action: \(text)}]"), file: "p.yaml"
        )
        #expect(policy.rules.first?.action == action)
    }

    @Test(arguments: [
        (
            "{metric: queue_wait_seconds}",
            "histogram_quantile(0.95, sum by (le) (rate(${queue_wait_seconds}_bucket[1m])))"
        ),
        ("{metric: kv_cache_usage_ratio}", "max(${kv_cache_usage_ratio})"),
        ("{metric: running_requests}", "sum(${running_requests})"),
        ("{metric: running_requests, aggregate: avg}", "avg(${running_requests})"),
        ("{metric: requests_total, window: 5m}", "sum(rate(${requests_total}[5m]))"),
        (
            "{metric: request_duration_seconds, quantile: 0.5, window: 1h30m}",
            "histogram_quantile(0.5, sum by (le) (rate(${request_duration_seconds}_bucket[1h30m])))"
        ),
    ])
    func engineNeutralSignals(text: String, query: String) throws {
        let policy = try PolicyLoader.parse(Support.policy("  signals: {s: \(text)}"), file: "p.yaml")
        #expect(policy.signals == [Signal(name: "s", source: .query(query))])
    }

    @Test func engineNeutralQueriesResolveForEveryEngineThatHasTheMetric() throws {
        for engine in MetricsEngine.allCases {
            let yaml = Support.policy(
                "  signals: {w: {metric: waiting_requests}}", target: "  target: {model: m, engine: \(engine.rawValue)}"
            )
            let document = try PolicyLoader.parseDocument(yaml, file: "p.yaml")
            let resolved = try #require(document.resolvedQuery(ofSignal: "w"))
            let names = try #require(MetricAliases.lookup(.waitingRequests, engine: engine).alias?.names)
            #expect(resolved == "sum(\(names[0]))")
        }
    }

    @Test func loadAllGathersProblemsOfEveryFile() throws {
        let bad = Support.path("Package.swift")
        let missing = "/nonexistent/x.yaml"
        let error = #expect(throws: PolicyFileError.self) {
            try PolicyLoader.loadAll(contentsOf: [Support.path("policies/default.yaml"), bad, missing])
        }
        let files = Set(error?.problems.map(\.location.file) ?? [])
        #expect(files == [bad, missing])
    }
}

extension PolicyFormTests {
    @Test(arguments: ["2", "500m", "0.5", "4Gi", "512Mi", "1.5", "100k"])
    func kubernetesQuantities(value: String) throws {
        let policy = try PolicyLoader.parse(
            Support.policy("  deployment: {cpu: \"\(value)\", memory: \"\(value)\"}"), file: "p.yaml")
        #expect(policy.deployment.cpu == value)
        #expect(policy.deployment.memory == value)
    }
}
