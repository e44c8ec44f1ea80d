import BallastCore
import Foundation
import Manifests
import Testing

/// The prometheus-adapter rule behind the HPA's queue-wait Pods metric.
struct AdapterRulesTests {
    static func adapterFile(_ policy: Policy, options: RenderOptions = RenderOptions()) throws -> RenderedManifest? {
        try ManifestSet.render(policy: policy, options: options).first {
            $0.fileName == ManifestSet.adapterRulesFileName(policy: policy.name)
        }
    }

    @Test func servesTheHPAMetricUnderItsName() throws {
        let file = try #require(
            try Self.adapterFile(TestPolicies.small, options: RenderOptions(queueWaitMetric: "queue_p95")))
        #expect(
            file.yaml == """
                rules:
                  - seriesQuery: ballast_queue_wait_seconds_bucket{namespace!="",pod!=""}
                    resources:
                      overrides:
                        namespace:
                          resource: namespace
                        pod:
                          resource: pod
                    name:
                      matches: ^ballast_queue_wait_seconds_bucket$
                      as: queue_p95
                    metricsQuery: histogram_quantile(0.95, sum by (<<.GroupBy>>, le) (rate(<<.Series>>{<<.LabelMatchers>>}[1m])))

                """)
        let hpa = try #require(
            try ManifestSet.render(policy: TestPolicies.small, options: RenderOptions(queueWaitMetric: "queue_p95"))
                .first { $0.kind == "HorizontalPodAutoscaler" })
        #expect(hpa.yaml.contains("name: queue_p95\n"))
    }

    /// Only an HPA that scales on queue time needs it: not with KEDA, not without a queue rule.
    @Test func leftOutWhenNothingReadsIt() throws {
        #expect(try Self.adapterFile(TestPolicies.gpu) == nil)
        var policy = TestPolicies.small
        policy.rules.removeFirst()
        #expect(try Self.adapterFile(policy) == nil)
    }

    @Test func otherEnginesUseTheirHistogram() throws {
        var policy = TestPolicies.small
        policy.target.engine = .vllm
        let file = try #require(try Self.adapterFile(policy))
        #expect(file.yaml.contains("seriesQuery: vllm:request_queue_time_seconds_bucket{namespace!=\"\",pod!=\"\"}\n"))
    }

    /// The adapter's query, with its template filled in the way the adapter fills it, is PromQL that
    /// Prometheus parses.
    @Test func metricsQueryIsValidPromQL() async throws {
        let file = try #require(try Self.adapterFile(TestPolicies.small))
        let line = try #require(file.yaml.split(separator: "\n").first { $0.contains("metricsQuery: ") })
        let template = String(line.split(separator: "metricsQuery: ", maxSplits: 1)[1])
        let query =
            template
            .replacingOccurrences(of: "<<.Series>>", with: "ballast_queue_wait_seconds_bucket")
            .replacingOccurrences(of: "<<.LabelMatchers>>", with: "namespace=\"default\",pod=~\"r1-7b-a|r1-7b-b\"")
            .replacingOccurrences(of: "<<.GroupBy>>", with: "pod")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let escaped = query.replacingOccurrences(of: "\"", with: "\\\"")
        let path = try directory.write(
            "groups:\n  - name: adapter\n    rules:\n      - record: adapter:queue_p95\n        expr: \"\(escaped)\"\n",
            to: "adapter.rules.yaml")
        let result = try await ExternalTool("promtool").run(["check", "rules", path])
        #expect(result.status == 0, "promtool rejected the adapter query \(query):\n\(result.output)")
    }
}
