import BallastTestSupport
import Foundation
import PromText
import Testing

@testable import Worker

struct WorkerMetricsTests {
    static let contract = [
        "ballast_queue_wait_seconds", "ballast_time_to_first_token_seconds", "ballast_inter_token_latency_seconds",
        "ballast_request_duration_seconds", "http_request_duration_seconds", "ballast_queue_depth",
        "ballast_running_requests", "ballast_batch_size", "ballast_prompt_tokens_total",
        "ballast_generated_tokens_total", "ballast_requests_total", "ballast_requests_rejected_total",
        "ballast_kv_cache_usage_ratio", "ballast_kv_cache_fragmentation_ratio",
        "ballast_accelerator_memory_used_bytes", "ballast_accelerator_memory_total_bytes", "ballast_model_info",
        "process_resident_memory_bytes", "process_cpu_seconds_total", "process_start_time_seconds",
    ]

    @Test func metricsPageHasTheContractWithModelAndVersionOnEverySample() async throws {
        try await WorkerHarness.with { worker in
            for _ in 0..<3 {
                #expect(try await worker.post("/v1/completions", ["prompt": "abc", "max_tokens": 4]).status == 200)
            }
            let page = try await worker.get("/metrics")
            #expect(page.status == 200)
            let families = try PromTextParser.parse(page.body)
            let names = Set(families.map(\.name))
            for name in Self.contract { #expect(names.contains(name), "missing \(name)") }
            for family in families {
                for sample in family.samples {
                    #expect(sample.labels["model"] == "tiny", "\(sample.name)")
                    #expect(sample.labels["version"] == "v-test", "\(sample.name)")
                }
            }
            #expect(try await worker.metric("ballast_generated_tokens_total") == 12)
            #expect(try await worker.metric("ballast_prompt_tokens_total") == 9)
            #expect(try await worker.metric("ballast_requests_total", ["status": "ok"]) == 3)
            #expect(try await worker.metric("ballast_time_to_first_token_seconds_count") == 3)
            #expect(try await worker.metric("ballast_inter_token_latency_seconds_count") == 9)
            #expect(try await worker.metric("ballast_model_info", ["quant": "f32", "shards": "1"]) == 1)
            let total = try #require(try await worker.metric("ballast_accelerator_memory_total_bytes"))
            let used = try #require(try await worker.metric("ballast_accelerator_memory_used_bytes"))
            #expect(used > 0 && used < total)
            #expect(try await worker.metric("process_resident_memory_bytes") ?? 0 > 0)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")))
    func promtoolAcceptsTheMetricsPageUnderLoad() async throws {
        try await WorkerHarness.with { worker in
            // Scrape while requests are in flight, so the gauges and histograms are mid-change.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        _ = try await worker.post("/v1/completions", ["prompt": "load \(i)", "max_tokens": 60])
                    }
                }
                let page = try await worker.get("/metrics").body
                let promtool = try await ProcessRun.run(
                    URL(fileURLWithPath: "/usr/bin/promtool"), ["check", "metrics"], input: Data(page.utf8))
                #expect(promtool.status == 0, "\(String(decoding: promtool.stdout + promtool.stderr, as: UTF8.self))")
                try await group.waitForAll()
            }
        }
    }

    @Test func histogramBucketsAreCumulative() {
        var histogram = Histogram(bounds: [0.1, 1])
        for value in [0.05, 0.5, 0.5, 5] { histogram.observe(value) }
        #expect(histogram.counts == [1, 3])
        #expect(histogram.count == 4)
        #expect(histogram.sum == 6.05)
    }
}
