import BallastCore
import PolicyFile
import Testing

/// Every metric a shipped policy reads is on a page of the engine it targets, so `policy explain` passes
/// against real workers; a page without them fails loudly.
struct MetricPresenceTests {
    @Test(arguments: [
        ("policies/default.yaml", EnginePages.ballast),
        ("policies/examples/vllm.yaml", EnginePages.vllmBeforeRenames),
        ("policies/examples/vllm.yaml", EnginePages.vllmAfterRenames),
        ("policies/examples/llamacpp.yaml", EnginePages.llamacpp),
        ("policies/examples/tgi.yaml", EnginePages.tgi),
        ("policies/examples/sglang.yaml", EnginePages.sglang),
    ])
    func shippedPolicyFindsAllItsMetrics(relative: String, page: String) throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path(relative))
        let report = document.metricPresence(pageNames: EnginePages.names(on: page))
        #expect(!report.entries.isEmpty)
        #expect(report.missing.map(\.reference.text) == [])
    }

    @Test func vllmPlaceholdersMatchWhicheverSpellingThePageHas() throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path("policies/examples/vllm.yaml"))
        func matched(_ page: String) -> [String?] {
            let report = document.metricPresence(pageNames: EnginePages.names(on: page))
            return [NeutralMetric.kvCacheUsageRatio, .interTokenLatencySeconds].map { metric in
                report.entries.first { $0.reference == .neutral(metric) }?.matched
            }
        }
        #expect(
            matched(EnginePages.vllmBeforeRenames) == [
                "vllm:gpu_cache_usage_perc", "vllm:time_per_output_token_seconds",
            ])
        #expect(
            matched(EnginePages.vllmAfterRenames) == ["vllm:kv_cache_usage_perc", "vllm:inter_token_latency_seconds"])
    }

    @Test func policyAgainstTheWrongEngineMissesEverything() throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path("policies/default.yaml"))
        let report = document.metricPresence(pageNames: EnginePages.names(on: EnginePages.vllmAfterRenames))
        #expect(report.entries.count == report.missing.count)
        #expect(report.missing.first?.reference == .literal("ballast_queue_wait_seconds_bucket"))
    }
}
