import BallastCore
import BallastTestSupport
import Foundation
import Testing

@testable import PolicyFile

struct QueryCheckTests {
    @Test(arguments: [
        "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))",
        "max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)",
        "sum(rate(x{a=\"(\", b=~'[a-z]+'}[5m] offset 1h)) by (le)",
        "-max(x) + 1e3 * 2",
        "sum(rate(ballast_requests_total{status=\"ok\"}[5m])) / sum(rate(ballast_requests_total[5m]))",
        "`raw string ) with parens`",
        "max(x) # a comment, as Prometheus allows",
    ])
    func acceptsPlausiblePromQL(query: String) {
        #expect(PromQLQueryChecker().check(query) == nil)
    }

    @Test(
        arguments: [
            ("", 0), ("   ", 0), ("sum(x", 5), ("sum(x))", 6), ("sum(x]", 5), ("x{a=\"b}", 4), ("max(x) +", 8),
            ("* max(x)", 0), ("max(x);", 6), ("rate(x[1m)]", 9),
        ] as [(String, Int)])
    func rejectsWithTheOffendingOffset(query: String, offset: Int) {
        #expect(PromQLQueryChecker().check(query)?.offset == offset)
    }

    @Test(
        arguments: [
            (
                "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))",
                ["ballast_queue_wait_seconds_bucket"]
            ),
            ("max(a_used_bytes / a_total_bytes) * 100", ["a_used_bytes", "a_total_bytes"]),
            (
                "sum without (pod, instance) (rate(vllm:generation_tokens_total{model_name=\"m\"}[5m] offset 1m))",
                ["vllm:generation_tokens_total"]
            ),
            ("sum(rate(x[1m])) by (le) / on(job) group_left(model) y", ["x", "y"]),
            (
                "{__name__=~\"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc\"}",
                ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"]
            ),
            ("x > bool 1e3 and y unless z", ["x", "y", "z"]),
        ] as [(String, [String])])
    func metricNames(query: String, names: [String]) {
        #expect(PromQLQueryChecker().metricNames(in: query) == names)
    }

    @Test func documentListsTheMetricsItsSignalsRead() throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path("policies/examples/vllm.yaml"))
        #expect(document.metricReferences(ofSignal: "kv_cache") == [.neutral(.kvCacheUsageRatio)])
        #expect(document.metricReferences(ofSignal: "ttft_p95") == [.neutral(.timeToFirstTokenSeconds)])
        #expect(
            document.metricReferences(ofSignal: "queue_p95") == [.literal("vllm:request_queue_time_seconds_bucket")])
        #expect(
            document.resolvedQuery(ofSignal: "kv_cache")
                == "max({__name__=~\"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc\"})")
        let report = document.metricPresence(pageNames: [
            "vllm:request_queue_time_seconds", "vllm:time_to_first_token_seconds", "vllm:time_per_output_token_seconds",
            "vllm:e2e_request_latency_seconds", "vllm:gpu_cache_usage_perc", "vllm:num_requests_waiting",
            "vllm:num_requests_running",
        ])
        #expect(report.missing.map(\.reference) == [.literal("vllm:generation_tokens_total")])
        #expect(
            report.entries.first { $0.reference == .neutral(.interTokenLatencySeconds) }?.matched
                == "vllm:time_per_output_token_seconds")
    }

    /// Every shipped signal, resolved for its engine, is valid PromQL to Prometheus' own checker.
    @Test(.enabled(if: QueryCheckTests.promtool != nil), arguments: Support.shippedPolicies)
    func shippedQueriesPassPromtool(relative: String) async throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path(relative))
        var rules = "groups:\n  - name: signals\n    rules:\n"
        for signal in document.policy.signals {
            guard let query = document.resolvedQuery(ofSignal: signal.name) else { continue }
            rules += "      - record: ballast:\(signal.name)\n        expr: \(Support.quoted(query))\n"
        }
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("ballast-signals-\(UUID().uuidString).yaml")
        try rules.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try await Self.run(Self.promtool ?? "", ["check", "rules", file.path])
        #expect(status == 0, "\(output)")
    }

    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        let run = try await ProcessRun.run(URL(fileURLWithPath: executable), arguments)
        return (run.status, String(decoding: run.stdout + run.stderr, as: UTF8.self))
    }
}
