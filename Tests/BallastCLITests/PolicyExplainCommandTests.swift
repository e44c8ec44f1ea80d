import Foundation
import Testing

struct PolicyExplainCommandTests {
    static let underLoad = ["--metrics", "examples/metrics/worker-a", "--metrics", "examples/metrics/worker-b"]

    @Test func defaultPolicyScalesOutTheLoadedExampleFleet() async throws {
        let output = try await BallastBinary.run(["policy", "explain", "policies/default.yaml"] + Self.underLoad)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Policy smollm2-135m (policies/default.yaml), engine ballast: 2 targets, 10 scrapes, 5 evaluations; showing the last.")
        #expect(lines.contains { $0.contains("queue-time") && $0.contains("FIRING: queue_p95 (") && $0.hasSuffix(") > 0.5") })
        #expect(lines.contains { $0.contains("memory-shard") && $0.contains("FIRING") })
        #expect(lines.contains("  memory-shard: shard 1 → 2 (memory_ratio (0.88) > 0.85)"))
        #expect(lines.contains { $0.hasPrefix("  - queue-time: ceil(2 × ") })
    }

    @Test func jsonCarriesTheDecisionAndItsHistory() async throws {
        let output = try await BallastBinary.run(["policy", "explain", "--json", "policies/default.yaml"] + Self.underLoad)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let evaluation = try #require(object["evaluation"] as? [String: Any])
        let scaling = try #require(evaluation["scaling"] as? [String: Any])
        #expect(scaling["currentReplicas"] as? Int == 2)
        #expect((scaling["desiredReplicas"] as? Int ?? 0) > 2)
        #expect((object["history"] as? [Any])?.count == 5)
        #expect((object["missingMetrics"] as? [Any])?.isEmpty == true)
    }

    @Test func forDurationsCountAcrossReplayedScrapes() async throws {
        // Five scrapes 15 s apart span 60 s: a 30 s `for:` has passed, a 1 m one has not.
        let output = try await BallastBinary.run(["policy", "explain", "--json", "policies/default.yaml"] + Self.underLoad)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let rules = try #require((object["evaluation"] as? [String: Any])?["rules"] as? [[String: Any]])
        func state(_ rule: String) -> String? {
            (rules.first { $0["rule"] as? String == rule }?["status"] as? [String: Any])?["state"] as? String
        }
        #expect(state("queue-time") == "firing")
        #expect(state("latency-p95") == "pending")
    }

    @Test func metricAbsentFromEveryTargetFailsLoudly() async throws {
        let output = try await BallastBinary.run(["policy", "explain", "policies/examples/vllm.yaml", "--metrics", "examples/metrics/worker-a"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("vllm:num_requests_waiting"))
        #expect(output.stderr.contains("absent from every target"))
        let allowed = try await BallastBinary.run(["policy", "explain", "--allow-missing", "policies/examples/vllm.yaml", "--metrics", "examples/metrics/worker-a"])
        #expect(allowed.status == 0, "stderr: \(allowed.stderr)")
    }

    @Test func oneScrapeLeavesRateSignalsMissingNotZero() async throws {
        let output = try await BallastBinary.run(["policy", "explain", "--json", "policies/default.yaml", "--metrics", "examples/metrics/worker-a/00.prom"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let signals = try #require((object["evaluation"] as? [String: Any])?["signals"] as? [[String: Any]])
        let queue = try #require(signals.first { $0["name"] as? String == "queue_p95" })
        let reading = try #require(queue["reading"] as? [String: Any])
        #expect((reading["missing"] as? String)?.contains("fewer than two scrapes") == true)
        let rules = try #require((object["evaluation"] as? [String: Any])?["rules"] as? [[String: Any]])
        let queueRule = try #require(rules.first { $0["rule"] as? String == "queue-time" })
        #expect((queueRule["status"] as? [String: Any])?["state"] as? String == "held")
    }

    @Test(arguments: [
        ("garbage{\n", "line 1, column 8"),
        ("up{job=\"a\\q\"} 1\n", "line 1, column"),
        ("up 1\nup 2\n", "line 2"),
        ("up 1", "line 1"),
    ])
    func malformedPageIsNamedWithLineAndColumn(page: String, expected: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-page-\(UUID().uuidString).prom")
        try page.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await BallastBinary.run(["policy", "explain", "policies/default.yaml", "--metrics", file.path])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("\(file.path): \(expected)"), "stderr: \(output.stderr)")
    }

    @Test func unreachableURLIsNamed() async throws {
        let output = try await BallastBinary.run(["policy", "explain", "policies/default.yaml", "--metrics", "http://127.0.0.1:1/metrics", "--scrapes", "1"])
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("http://127.0.0.1:1/metrics is unreachable"), "stderr: \(output.stderr)")
    }

    @Test func missingSourceIsAValidationError() async throws {
        let output = try await BallastBinary.run(["policy", "explain", "policies/default.yaml"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("Pass at least one --metrics source"))
    }
}
