import Foundation
import Manifests
import Testing

/// The rendered alert rules, checked and run by Prometheus' own `promtool`.
struct AlertRulesToolTests {
    static func rulesFile(_ manifests: [RenderedManifest]) throws -> RenderedManifest {
        try #require(manifests.first { $0.fileName == ManifestSet.rulesFileName })
    }

    @Test(arguments: [RenderCase.small, .gpuKEDA, .gpuHPA])
    func promtoolAcceptsTheRulesFile(_ render: RenderCase) async throws {
        let promtool = try ExternalTool("promtool")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = try Self.rulesFile(render.manifests())
        let path = try directory.write(rules.yaml, to: rules.fileName)
        let result = try await promtool.run(["check", "rules", path])
        #expect(result.status == 0, "promtool check rules failed for \(render):\n\(result.output)\n\(rules.yaml)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }

    /// The PrometheusRule's `spec` is the rules file, byte for byte, indented under `spec:`.
    @Test(arguments: [RenderCase.small, .gpuKEDA])
    func prometheusRuleSpecIsTheRulesFile(_ render: RenderCase) throws {
        let manifests = try render.manifests()
        let rules = try Self.rulesFile(manifests)
        let crd = try #require(manifests.first { $0.kind == "PrometheusRule" })
        let specStart = try #require(crd.yaml.range(of: "\nspec:\n"))
        let spec = crd.yaml[specStart.upperBound...]
        let indented =
            rules.yaml.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") + "\n"
        #expect(String(spec) == indented)
    }

    /// `promtool test rules` feeds synthetic series through the rules and compares the alerts that fire,
    /// labels and expanded annotations included.
    @Test func alertsFireOnSyntheticSeries() async throws {
        let promtool = try ExternalTool("promtool")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = try Self.rulesFile(ManifestSet.render(policy: TestPolicies.small))
        try directory.write(rules.yaml, to: rules.fileName)
        let path = try directory.write(Self.unitTests, to: "alerts.test.yaml")
        let result = try await promtool.run(["test", "rules", path])
        #expect(result.status == 0, "promtool test rules failed:\n\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }

    /// First case: worker a runs at 95 % of its memory, worker b at 80 %; the KV cache is 97 % full while
    /// every queued request waits between 1 and 2.5 s. Memory must alert for a only, after its 5 minutes; the
    /// policy's all() rule after 2 minutes; nothing before.
    /// Second case: version v1 decodes 30 tokens/s with requests running while v2 idles, and requests take
    /// 1 to 2.5 s. Throughput alerts for the busy v1 only; P95 latency for v1; two replicas at 4 USD/h for
    /// 30 tokens/s cost 0.074 USD per 1,000 tokens, which alerts after its 30 minutes.
    static let unitTests = #"""
        rule_files:
          - alerts.rules.yaml
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'ballast_accelerator_memory_used_bytes{model="r1-7b",version="v1",instance="a"}'
                values: '95+0x20'
              - series: 'ballast_accelerator_memory_total_bytes{model="r1-7b",version="v1",instance="a"}'
                values: '100+0x20'
              - series: 'ballast_accelerator_memory_used_bytes{model="r1-7b",version="v2",instance="b"}'
                values: '80+0x20'
              - series: 'ballast_accelerator_memory_total_bytes{model="r1-7b",version="v2",instance="b"}'
                values: '100+0x20'
              - series: 'ballast_kv_cache_usage_ratio{model="r1-7b",version="v1",instance="a"}'
                values: '0.97+0x20'
              - series: 'ballast_queue_wait_seconds_bucket{model="r1-7b",version="v1",instance="a",le="1"}'
                values: '0+0x20'
              - series: 'ballast_queue_wait_seconds_bucket{model="r1-7b",version="v1",instance="a",le="2.5"}'
                values: '0+60x20'
              - series: 'ballast_queue_wait_seconds_bucket{model="r1-7b",version="v1",instance="a",le="+Inf"}'
                values: '0+60x20'
            alert_rule_test:
              - eval_time: 1m
                alertname: BallastAcceleratorMemoryHigh
                exp_alerts: []
              - eval_time: 1m
                alertname: BallastKvCacheFull
                exp_alerts: []
              - eval_time: 10m
                alertname: BallastAcceleratorMemoryHigh
                exp_alerts:
                  - exp_labels:
                      severity: critical
                      policy: r1-7b
                      model: r1-7b
                      version: v1
                    exp_annotations:
                      summary: "Accelerator memory of r1-7b v1 is above 90 %."
                      description: "A worker uses 95% of its accelerator memory (document 000: target below 80 %, alert above 90 %). Shard the model or quantize it before requests fail."
              - eval_time: 10m
                alertname: BallastKvCacheFull
                exp_alerts:
                  - exp_labels:
                      severity: critical
                      policy: r1-7b
                    exp_annotations:
                      summary: "KV cache is full and requests queue."
                      description: "Policy r1-7b, rule kv-cache-full: all(kv_cache >= 0.95, queue_p95 > 1) held for 2m. Current value: 0.97."
              - eval_time: 10m
                alertname: BallastP95LatencyHigh
                exp_alerts: []
          - interval: 1m
            input_series:
              - series: 'ballast_generated_tokens_total{model="r1-7b",version="v1",instance="a"}'
                values: '0+1800x40'
              - series: 'ballast_running_requests{model="r1-7b",version="v1",instance="a"}'
                values: '2+0x40'
              - series: 'ballast_generated_tokens_total{model="r1-7b",version="v2",instance="b"}'
                values: '0+0x40'
              - series: 'ballast_running_requests{model="r1-7b",version="v2",instance="b"}'
                values: '0+0x40'
              - series: 'ballast_request_duration_seconds_bucket{model="r1-7b",version="v1",instance="a",le="1"}'
                values: '0+0x40'
              - series: 'ballast_request_duration_seconds_bucket{model="r1-7b",version="v1",instance="a",le="2.5"}'
                values: '0+60x40'
              - series: 'ballast_request_duration_seconds_bucket{model="r1-7b",version="v1",instance="a",le="+Inf"}'
                values: '0+60x40'
            alert_rule_test:
              - eval_time: 15m
                alertname: BallastDecodeThroughputLow
                exp_alerts:
                  - exp_labels:
                      severity: warning
                      policy: r1-7b
                      model: r1-7b
                      version: v1
                    exp_annotations:
                      summary: "r1-7b v1 generates fewer than 50 tokens/s while busy."
                      description: "The fleet generates 30.0 tokens/s with requests running (document 000: target above 100 tokens/s, alert below 50). Check batching and accelerator load."
              - eval_time: 15m
                alertname: BallastP95LatencyHigh
                exp_alerts:
                  - exp_labels:
                      severity: warning
                      policy: r1-7b
                      model: r1-7b
                      version: v1
                    exp_annotations:
                      summary: "P95 request latency of r1-7b v1 is above 1000 ms."
                      description: "P95 request duration is 2.425s (document 000: target below 500 ms, alert above 1000 ms). Scale out or shorten the queue."
              - eval_time: 20m
                alertname: BallastCostPer1kTokensHigh
                exp_alerts: []
              - eval_time: 35m
                alertname: BallastCostPer1kTokensHigh
                exp_alerts:
                  - exp_labels:
                      severity: warning
                      policy: r1-7b
                    exp_annotations:
                      summary: "1,000 generated tokens of r1-7b cost more than 0.02 USD."
                      description: "1,000 tokens cost 0.0741 USD at 4 USD per replica-hour (document 000: target below $0.01, alert above $0.02). Quantize the model or consolidate replicas."
        """#
}
