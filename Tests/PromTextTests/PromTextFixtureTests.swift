import Foundation
import PromText
import Testing

/// Real-looking `/metrics` pages: a vLLM worker, a node-exporter host and an OpenMetrics Ballast worker.
struct PromTextFixtureTests {
    @Test func vllmPage() throws {
        let families = try PromTextParser.parse(try Self.fixture("vllm", "prom"))
        #expect(families.count == 29)
        let ttft = try #require(families.first { $0.name == "vllm:time_to_first_token_seconds" })
        #expect(ttft.type == .histogram)
        #expect(ttft.samples.count == 25)
        #expect(ttft.samples.filter { $0.name.hasSuffix("_bucket") }.count == 23)
        #expect(ttft.samples.allSatisfy { $0.labels["model_name"] == "meta-llama/Llama-3.1-8B-Instruct" })
        #expect(ttft.samples.last?.labels["le"] == "+Inf" || ttft.samples.last?.name.hasSuffix("_sum") == true)
        let created = try #require(families.first { $0.name == "vllm:time_to_first_token_seconds_created" })
        #expect(created.type == .gauge)
        #expect(created.samples.first?.value == 1.7638623712851e+09)
        let cache = try #require(families.first { $0.name == "vllm:gpu_cache_usage_perc" })
        #expect(cache.samples.first?.value == 0.7342529296875)
        let success = try #require(families.first { $0.name == "vllm:request_success_total" })
        #expect(success.samples.map { $0.labels["finished_reason"] } == ["stop", "length", "abort"])
        #expect(families.first { $0.name == "process_virtual_memory_bytes" }?.samples.first?.value == 4.3237675008e10)
    }

    @Test func nodeExporterPage() throws {
        let families = try PromTextParser.parse(try Self.fixture("node-exporter", "prom"))
        #expect(families.count == 14)
        let gc = try #require(families.first { $0.name == "go_gc_duration_seconds" })
        #expect(gc.type == .summary)
        #expect(
            gc.samples.map(\.name) == Array(repeating: "go_gc_duration_seconds", count: 5)
                + ["go_gc_duration_seconds_sum", "go_gc_duration_seconds_count"])
        #expect(families.first { $0.name == "node_cpu_seconds_total" }?.samples.count == 32)
        let uname = try #require(families.first { $0.name == "node_uname_info" }?.samples.first)
        #expect(uname.labels["version"] == "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)")
        let textfile = try #require(families.first { $0.name == "node_textfile_mtime_seconds" })
        #expect(textfile.samples.isEmpty)
    }

    @Test func openMetricsPage() throws {
        let families = try PromTextParser.parse(try Self.fixture("openmetrics", "txt"), format: .openMetrics)
        #expect(
            families.map(\.name) == [
                "ballast_requests", "ballast_queue_wait_seconds", "ballast_model", "ballast_kv_cache_usage_ratio",
                "ballast_build",
            ])
        #expect(families.map(\.type) == [.counter, .histogram, .info, .gauge, .stateset])
        let requests = families[0]
        #expect(
            requests.samples.map(\.name) == [
                "ballast_requests_total", "ballast_requests_created", "ballast_requests_total",
                "ballast_requests_created",
            ])
        #expect(requests.samples[0].timestampMilliseconds == 1_700_000_000_125)
        #expect(requests.samples[2].value == 3)
        #expect(families[1].unit == "seconds")
        #expect(families[1].samples.count == 6)
    }

    /// Writing a parsed fixture and reading it back gives the same families.
    @Test(arguments: [("vllm", "prom"), ("node-exporter", "prom")])
    func fixturesRoundTrip(_ name: String, _ ext: String) throws {
        let families = try PromTextParser.parse(try Self.fixture(name, ext))
        #expect(try PromTextParser.parse(PromTextWriter.text(families)) == families)
    }

    @Test func openMetricsFixtureRoundTrips() throws {
        let families = try PromTextParser.parse(try Self.fixture("openmetrics", "txt"), format: .openMetrics)
        let text = PromTextWriter.text(families, format: .openMetrics)
        #expect(try PromTextParser.parse(text, format: .openMetrics) == families)
    }

    static func fixture(_ name: String, _ ext: String) throws -> [UInt8] {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"),
            "fixture \(name).\(ext) is missing from Tests/PromTextTests/Fixtures")
        return [UInt8](try Data(contentsOf: url))
    }
}
