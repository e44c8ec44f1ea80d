import BallastTestSupport
import Foundation
import PromText
import Testing

/// The writer's output is accepted by Prometheus's own checker, `promtool check metrics`.
struct PromToolTests {
    /// A page that follows every naming convention, so promtool must report nothing at all.
    @Test func lintCleanPageHasNoProblems() async throws {
        let families = [
            MetricFamily(
                name: "ballast_requests_total", type: .counter, help: "Requests finished, by status.",
                samples: [
                    Sample(name: "ballast_requests_total", labels: ["model": "m", "status": "ok"], value: 10),
                    Sample(name: "ballast_requests_total", labels: ["model": "m", "status": "a \"b\"\n\\c"], value: 1),
                ]),
            MetricFamily(
                name: "ballast_queue_wait_seconds", type: .histogram, help: "Queue wait.",
                samples: [
                    Sample(name: "ballast_queue_wait_seconds_bucket", labels: ["le": "0.5"], value: 2),
                    Sample(name: "ballast_queue_wait_seconds_bucket", labels: ["le": "+Inf"], value: 3),
                    Sample(name: "ballast_queue_wait_seconds_sum", value: 0.75),
                    Sample(name: "ballast_queue_wait_seconds_count", value: 3),
                ]),
            MetricFamily(
                name: "ballast_kv_cache_usage_ratio", type: .gauge, help: "KV cache used.",
                samples: [
                    Sample(name: "ballast_kv_cache_usage_ratio", value: .nan, timestampMilliseconds: 1_700_000_000_000)
                ]),
        ]
        let result = try await Self.promtool(PromTextWriter.text(families))
        #expect(result.status == 0, "promtool said: \(result.output)")
        #expect(result.output.isEmpty, "promtool said: \(result.output)")
    }

    /// Real pages break naming conventions (vLLM's `:`, node-exporter's camelCase); promtool may lint them
    /// (exit 3) but must parse them (exit 1 and "error while linting" mean it could not).
    @Test(arguments: [("vllm", "prom"), ("node-exporter", "prom")])
    func rewrittenFixturesParse(_ name: String, _ ext: String) async throws {
        let families = try PromTextParser.parse(try PromTextFixtureTests.fixture(name, ext))
        let result = try await Self.promtool(PromTextWriter.text(families))
        #expect(result.status == 0 || result.status == 3, "promtool said: \(result.output)")
        #expect(!result.output.contains("error"), "promtool said: \(result.output)")
    }

    @Test func benchmarkPageParses() async throws {
        let result = try await Self.promtool(String(decoding: BenchmarkPage.make(targetBytes: 50_000), as: UTF8.self))
        #expect(result.status == 0 || result.status == 3, "promtool said: \(result.output)")
        #expect(!result.output.contains("error"), "promtool said: \(result.output)")
    }

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `promtool check metrics` with `page` on stdin.
    static func promtool(_ page: String) async throws -> Result {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/promtool" }
        let executable = try #require(
            candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
            """
            promtool is not on PATH; install it (Debian: apt-get install prometheus) so the writer's output can be \
            checked against Prometheus's own parser.
            """)
        let run = try await ProcessRun.run(
            URL(fileURLWithPath: executable), ["check", "metrics"], input: Data(page.utf8))
        return Result(status: run.status, output: String(decoding: run.stdout + run.stderr, as: UTF8.self))
    }
}
