import BallastCore
import PolicyFile
import Testing

struct PolicyLoaderTests {
    static let everyField = """
        apiVersion: ballast/v1
        kind: Policy
        metadata:
          name: r1-7b
        spec:
          target:
            model: r1-7b
            version: "1.0"
            engine: vllm
            minReplicas: 2
            maxReplicas: 12
          price: {perReplicaHour: 4.5, currency: CNY}
          signals:
            queue_p95: histogram_quantile(0.95, sum by (le) (rate(vllm:request_queue_time_seconds_bucket[1m])))
            kv: {query: "max(${kv_cache_usage_ratio})", unit: ratio}
            ttft: {metric: time_to_first_token_seconds, quantile: 0.9, window: 2m}
            waiting: {metric: waiting_requests, aggregate: max}
            tokens: {metric: generated_tokens_total, window: 30s}
            cost: {cost: cost_per_1k_tokens}
          rules:
            - name: queue-time
              when: queue_p95 > 500ms
              for: 1h30m
              cooldown: 90s
              action: {scale: {signal: queue_p95, target: 0.4}}
            - name: both
              when:
                any:
                  - kv >= 85%
                  - all: [waiting > 5, ttft <= 2s]
              action: {shard: {factor: 4, maxShards: 16}}
            - name: cheap
              when: cost != 0.5
              action: {quantize: {to: q8_0, maxQualityLoss: 0.01, keep: [attn_q]}}
            - name: page
              when: tokens < 10
              action: {alert: {severity: critical, summary: Too slow, webhook: "https://hooks.example.com/a"}}
            - name: back
              when: kv == 1
              action: {rollout: {operation: rollback, version: v1}}
            - name: go
              when: tokens > 100
              action: {rollout: {operation: start}}
          behavior:
            scaleUp:
              stabilizationWindow: 30s
              policies: [{type: Pods, value: 2, period: 1m}]
              selectPolicy: Min
            scaleDown:
              stabilizationWindow: 10m
              policies: [{type: Percent, value: 50, period: 30s}, {type: Pods, value: 1, period: 30s}]
              selectPolicy: Disabled
            tolerance: 0.05
            panic: {window: 10s, threshold: 3, hold: 2m}
            startupGrace: 5m
          rollout:
            steps: [10, 100]
            interval: 2h
            analysis: {maxErrorRate: 0.02, maxP95: 750ms, maxKL: 0.1}
          deployment:
            namespace: inference
            image: vllm/vllm-openai:v0.11.0
            args: [--model, r1-7b]
            port: 8000
            gpusPerReplica: 2
            cpu: "8"
            memory: 32Gi
            cpuUtilizationTarget: 60
            gpuUtilizationMetric: DCGM_FI_DEV_GPU_UTIL
            gpuUtilizationTarget: 75
            keda: true
        """

    @Test func readsEveryField() throws {
        let policy = try PolicyLoader.parse(Self.everyField, file: "every.yaml")
        let expected = Policy(
            name: "r1-7b",
            target: Target(model: "r1-7b", version: "1.0", engine: .vllm, minReplicas: 2, maxReplicas: 12),
            price: Price(perReplicaHour: 4.5, currency: "CNY"),
            signals: [
                Signal(
                    name: "queue_p95",
                    source: .query(
                        "histogram_quantile(0.95, sum by (le) (rate(vllm:request_queue_time_seconds_bucket[1m])))")),
                Signal(name: "kv", source: .query("max(${kv_cache_usage_ratio})")),
                Signal(
                    name: "ttft",
                    source: .query(
                        "histogram_quantile(0.9, sum by (le) (rate(${time_to_first_token_seconds}_bucket[2m])))")),
                Signal(name: "waiting", source: .query("max(${waiting_requests})")),
                Signal(name: "tokens", source: .query("sum(rate(${generated_tokens_total}[30s]))")),
                Signal(name: "cost", source: .cost(.costPerThousandTokens)),
            ],
            rules: [
                Rule(
                    name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                    forDuration: .seconds(5400), cooldown: .seconds(90),
                    action: .scale(ScaleAction(signal: "queue_p95", target: 0.4))),
                Rule(
                    name: "both",
                    condition: .any([
                        .compare(signal: "kv", op: .greaterOrEqual, threshold: 0.85),
                        .all([
                            .compare(signal: "waiting", op: .greater, threshold: 5),
                            .compare(signal: "ttft", op: .lessOrEqual, threshold: 2),
                        ]),
                    ]),
                    action: .shard(ShardAction(factor: 4, maxShards: 16))),
                Rule(
                    name: "cheap", condition: .compare(signal: "cost", op: .notEqual, threshold: 0.5),
                    action: .quantize(QuantizeAction(to: .q8_0, maxQualityLoss: 0.01, keep: ["attn_q"]))),
                Rule(
                    name: "page", condition: .compare(signal: "tokens", op: .less, threshold: 10),
                    action: .alert(
                        AlertAction(severity: .critical, summary: "Too slow", webhook: "https://hooks.example.com/a"))),
                Rule(
                    name: "back", condition: .compare(signal: "kv", op: .equal, threshold: 1),
                    action: .rollout(RolloutAction(operation: .rollback, version: "v1"))),
                Rule(
                    name: "go", condition: .compare(signal: "tokens", op: .greater, threshold: 100),
                    action: .rollout(RolloutAction(operation: .start))),
            ],
            behavior: ScalingBehavior(
                scaleUp: ScalingRules(
                    stabilizationWindow: .seconds(30),
                    policies: [ScalingPolicy(type: .pods, value: 2, period: .seconds(60))], selectPolicy: .min),
                scaleDown: ScalingRules(
                    stabilizationWindow: .seconds(600),
                    policies: [
                        ScalingPolicy(type: .percent, value: 50, period: .seconds(30)),
                        ScalingPolicy(type: .pods, value: 1, period: .seconds(30)),
                    ],
                    selectPolicy: .disabled),
                tolerance: 0.05,
                panic: PanicSettings(window: .seconds(10), threshold: 3, hold: .seconds(120)),
                startupGrace: .seconds(300)),
            rollout: RolloutSettings(
                steps: [10, 100], interval: .seconds(7200),
                analysis: RolloutAnalysis(maxErrorRate: 0.02, maxP95: .milliseconds(750), maxKL: 0.1)),
            deployment: DeploymentSettings(
                namespace: "inference", image: "vllm/vllm-openai:v0.11.0", args: ["--model", "r1-7b"], port: 8000,
                gpusPerReplica: 2, cpu: "8", memory: "32Gi", cpuUtilizationTarget: 60,
                gpuUtilizationMetric: "DCGM_FI_DEV_GPU_UTIL", gpuUtilizationTarget: 75, keda: true))
        #expect(policy == expected)
    }

    @Test func recordsWhereSignalsAndRulesAreDefined() throws {
        let document = try PolicyLoader.parseDocument(Self.everyField, file: "every.yaml")
        #expect(document.location(ofSignal: "queue_p95") == SourceLocation(file: "every.yaml", line: 14, column: 5))
        #expect(document.location(ofSignal: "cost")?.description == "every.yaml:19")
        #expect(document.location(ofRule: "queue-time") == SourceLocation(file: "every.yaml", line: 21, column: 7))
        #expect(document.location(ofRule: "both")?.line == 26)
        #expect(document.location(ofRule: "go")?.line == 41)
        #expect(document.location(ofRule: "missing") == nil)
        #expect(
            document.signalUnits == [
                "queue_p95": .seconds, "kv": .ratio, "ttft": .seconds, "waiting": .requests,
            ])
    }

    @Test func minimalPolicyTakesDocumentedDefaults() throws {
        let policy = try PolicyLoader.parse(Support.policy(""), file: "min.yaml")
        #expect(policy == Policy(name: "m", target: Target(model: "m")))
    }

    @Test func builtInCostSignalsNeedNoDeclaration() throws {
        let policy = try PolicyLoader.parse(
            Support.policy(
                """
                  price: {perReplicaHour: 4.0, currency: CNY}
                  rules: [{name: cost, when: cost_per_inference > 0.03, action: {quantize: {to: q4_0}}}]
                """), file: "p.yaml")
        #expect(policy.signals == [Signal(name: "cost_per_inference", source: .cost(.costPerInference))])
        #expect(policy.rules.first?.action == .quantize(QuantizeAction(to: .q4_0)))
    }

    @Test func panicCanBeSwitchedOffOrOn() throws {
        let off = try PolicyLoader.parse(Support.policy("  behavior: {panic: false}"), file: "p.yaml")
        #expect(off.behavior.panic == nil)
        let on = try PolicyLoader.parse(Support.policy("  behavior: {panic: true}"), file: "p.yaml")
        #expect(on.behavior.panic == PanicSettings())
    }

    @Test func scaleDownWindowAloneKeepsKubernetesRatePolicies() throws {
        let policy = try PolicyLoader.parse(
            Support.policy("  behavior: {scaleDown: {stabilizationWindow: 120s}}"), file: "p.yaml")
        #expect(
            policy.behavior.scaleDown
                == ScalingRules(
                    stabilizationWindow: .seconds(120), policies: ScalingRules.defaultScaleDown.policies))
        #expect(policy.behavior.scaleUp == .defaultScaleUp)
    }

    @Test(arguments: [
        ("steps: [5, 25, 50, 100], total: 48h", 16 * 3600),
        ("steps: [10, 100], total: 1h", 3600),
        ("steps: [100], total: 30m", 1800),
        ("interval: 90m", 5400),
    ])
    func rolloutIntervalFromTotalOrInterval(fields: String, seconds: Int) throws {
        let policy = try PolicyLoader.parse(Support.policy("  rollout: {\(fields)}"), file: "p.yaml")
        #expect(policy.rollout.interval == .seconds(seconds))
    }

    @Test(arguments: ["85%", "50 %"])
    func rolloutStepsMayCarryAPercentSign(step: String) throws {
        let policy = try PolicyLoader.parse(Support.policy("  rollout: {steps: [\"\(step)\", 100]}"), file: "p.yaml")
        #expect(policy.rollout.steps.first == Int(step.filter(\.isNumber)))
    }

    /// Thresholds are read in the unit of the signal they compare.
    @Test(
        arguments: [
            // Seconds-valued signal (histogram quantile of a _seconds metric).
            ("lat > 500ms", 0.5), ("lat > 0.5", 0.5), ("lat > 1h30m", 5400), ("lat > 2s", 2), ("lat > 99", 99),
            ("lat > 1.5m", 90),
            // Ratio signal.
            ("ratio > 85%", 0.85), ("ratio > 0.85", 0.85), ("ratio > 1", 1), ("ratio >= 12.5%", 0.125),
            // Percent signal (DCGM utilisation, 0 to 100).
            ("util > 85%", 85), ("util > 85", 85),
            // Unknown unit: taken as written, % divides by 100, durations are seconds.
            ("plain > 500", 500), ("plain > 5%", 0.05), ("plain < 250ms", 0.25), ("plain > -3", -3),
            ("plain > 1e3", 1000),
        ] as [(String, Double)])
    func thresholdUnits(condition: String, threshold: Double) throws {
        let policy = try PolicyLoader.parse(
            Support.policy(
                """
                  signals:
                    lat: histogram_quantile(0.99, sum by (le) (rate(ballast_request_duration_seconds_bucket[1m])))
                    ratio: max(ballast_kv_cache_usage_ratio)
                    util: avg(DCGM_FI_DEV_GPU_UTIL)
                    plain: sum(ballast_queue_depth)
                  rules: [{name: r, when: "\(condition)", action: alert}]
                """), file: "p.yaml")
        guard case .compare(_, _, let value) = policy.rules.first?.condition else {
            Issue.record("no comparison in \(condition)")
            return
        }
        #expect(abs(value - threshold) < 1e-9)
    }

    @Test(
        arguments: [
            ("30s", 30_000), ("500ms", 500), ("1h30m", 5_400_000), ("2d", 172_800_000), ("1.5s", 1500), ("0", 0),
            ("1m30s", 90_000), ("0.25h", 900_000),
        ] as [(String, Int64)])
    func durations(text: String, milliseconds: Int64) throws {
        let policy = try PolicyLoader.parse(
            Support.policy(
                "  signals: {a: max(x)}\n  rules: [{name: r, when: a > 1, for: \"\(text)\", action: alert}]"),
            file: "p.yaml")
        #expect(policy.rules.first?.forDuration == .milliseconds(milliseconds))
    }

    @Test(arguments: ["500", "1.5", "5 m", "1h 30m", "h", "10ms5", "-1s", "1w", "1e3s"])
    func rejectedDurations(text: String) {
        let problems = Support.problems(
            Support.policy("  signals: {a: max(x)}\n  rules: [{name: r, when: a > 1, for: \"\(text)\", action: alert}]")
        )
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("p.yaml:7: spec.rules[r].for (") == true)
    }

    @Test func writerOutputOfEveryFieldReadsBackEqual() throws {
        let document = try PolicyLoader.parseDocument(Self.everyField, file: "every.yaml")
        let written = PolicyWriter.yaml(for: document)
        let reread = try PolicyLoader.parseDocument(written, file: "written.yaml")
        #expect(reread.policy == document.policy)
        #expect(written.contains("when: \"queue_p95 > 500ms\""))
        #expect(written.contains("kv: \"max(${kv_cache_usage_ratio})\""))
    }

    @Test func writerQuotesTextThatYamlWouldMisread() throws {
        var policy = Policy(name: "q", target: Target(model: "a: b # c", version: "1.0"))
        policy.rules = [
            Rule(
                name: "r", condition: .compare(signal: "s", op: .greater, threshold: 1),
                action: .alert(AlertAction(summary: "say \"hi\"\nthen\tleave \\ now")))
        ]
        policy.signals = [Signal(name: "s", source: .query("max(x{a=\"b\"})"))]
        let reread = try PolicyLoader.parse(PolicyWriter.yaml(for: policy), file: "q.yaml")
        #expect(reread == policy)
    }
}
