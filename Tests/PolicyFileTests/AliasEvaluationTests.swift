import BallastCore
import Foundation
import PolicyFile
import Testing

/// Resolved placeholder queries evaluated by Prometheus' own engine (`promtool test rules`) against series
/// named as each engine version names them, so a policy keeps working across renames.
struct AliasEvaluationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var engine: MetricsEngine
        var query: String
        /// `series` and `values` pairs in promtool's notation, one sample per minute.
        var series: [(String, String)]
        var expected: Double
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "vLLM before the rename", engine: .vllm, query: "max(${kv_cache_usage_ratio})",
            series: [("vllm:gpu_cache_usage_perc{model_name=\"m\"}", "0.5 0.6 0.7")], expected: 0.7),
        Case(
            name: "vLLM after the rename", engine: .vllm, query: "max(${kv_cache_usage_ratio})",
            series: [("vllm:kv_cache_usage_perc{model_name=\"m\"}", "0.2 0.3 0.4")], expected: 0.4),
        Case(
            name: "vLLM exporting both spellings", engine: .vllm,
            query: "max(${kv_cache_usage_ratio}{model_name=\"m\"})",
            series: [
                ("vllm:gpu_cache_usage_perc{model_name=\"m\"}", "0.4 0.4 0.4"),
                ("vllm:kv_cache_usage_perc{model_name=\"m\"}", "0.4 0.4 0.4"),
                ("vllm:kv_cache_usage_perc{model_name=\"other\"}", "0.9 0.9 0.9"),
            ], expected: 0.4),
        Case(
            name: "SGLang inter-token latency, old spelling", engine: .sglang,
            query: "histogram_quantile(0.5, sum by (le) (rate(${inter_token_latency_seconds}_bucket[2m])))",
            series: [
                ("sglang:time_per_output_token_seconds_bucket{le=\"0.25\"}", "0+0x2"),
                ("sglang:time_per_output_token_seconds_bucket{le=\"0.5\"}", "0+60x2"),
                ("sglang:time_per_output_token_seconds_bucket{le=\"+Inf\"}", "0+60x2"),
            ], expected: 0.375),
        Case(
            name: "TGI generated tokens from the histogram sum", engine: .tgi,
            query: "sum(rate(${generated_tokens_total}[2m]))",
            series: [("tgi_request_generated_tokens_sum", "0+600x2")], expected: 10),
        Case(
            name: "llama.cpp deferred requests", engine: .llamacpp, query: "sum(${waiting_requests})",
            series: [
                ("llamacpp:requests_deferred{instance=\"a\"}", "1 2 3"),
                ("llamacpp:requests_deferred{instance=\"b\"}", "4 4 4"),
            ],
            expected: 7),
        Case(
            name: "Ballast queue wait p95", engine: .ballast,
            query: "histogram_quantile(0.95, sum by (le) (rate(${queue_wait_seconds}_bucket[2m])))",
            series: [
                ("ballast_queue_wait_seconds_bucket{le=\"0.25\"}", "0+0x2"),
                ("ballast_queue_wait_seconds_bucket{le=\"0.5\"}", "0+100x2"),
                ("ballast_queue_wait_seconds_bucket{le=\"+Inf\"}", "0+100x2"),
            ], expected: 0.4875),
    ]

    @Test(.enabled(if: QueryCheckTests.promtool != nil), arguments: cases)
    func resolvedQueryEvaluates(_ testCase: Case) async throws {
        let resolved = try MetricAliases.resolve(testCase.query, engine: testCase.engine)
        var text = """
            rule_files: []
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:

            """
        for (series, values) in testCase.series {
            text += "      - series: \(Support.quoted(series))\n        values: \(Support.quoted(values))\n"
        }
        text += """
                promql_expr_test:
                  - expr: \(Support.quoted(resolved))
                    eval_time: 2m
                    exp_samples:
                      - labels: '{}'
                        value: \(testCase.expected)

            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ballast-alias-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try await QueryCheckTests.run(QueryCheckTests.promtool ?? "", ["test", "rules", file.path])
        #expect(status == 0, "\(resolved)\n\(output)")
    }
}
