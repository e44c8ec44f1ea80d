import Foundation
import Testing

/// `dashboards/ballast-fleet.json`: valid Grafana JSON whose every panel queries Ballast's metrics with
/// PromQL that Prometheus parses.
struct DashboardTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let dashboardURL = repositoryRoot.appendingPathComponent("dashboards/ballast-fleet.json")

    struct Panel {
        var title: String
        var expressions: [String]
    }

    static func panels() throws -> [Panel] {
        let data = try Data(contentsOf: dashboardURL)
        let root = try #require(
            try JSONSerialization.jsonObject(with: data) as? [String: Any], "the dashboard is not a JSON object")
        let panels = try #require(root["panels"] as? [[String: Any]], "the dashboard has no panels array")
        return panels.map { panel in
            let targets = panel["targets"] as? [[String: Any]] ?? []
            return Panel(
                title: panel["title"] as? String ?? "", expressions: targets.compactMap { $0["expr"] as? String })
        }
    }

    @Test func everyPanelHasATitleAndAQuery() throws {
        let panels = try Self.panels()
        #expect(panels.count >= 9)
        for panel in panels {
            #expect(!panel.title.isEmpty)
            #expect(!panel.expressions.isEmpty, "panel \"\(panel.title)\" has no target expr")
            #expect(
                panel.expressions.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty },
                "panel \"\(panel.title)\" has an empty expr")
        }
    }

    /// The views the source documents ask for (000, 003, 004) are all there, each on the metric that measures it.
    @Test(arguments: [
        ("Request latency P50 / P95 / P99", "ballast_request_duration_seconds_bucket"),
        ("Success rate", "ballast_requests_total"),
        ("Time to first token", "ballast_time_to_first_token_seconds_bucket"),
        ("Inter-token latency", "ballast_inter_token_latency_seconds_bucket"),
        ("Tokens per second", "ballast_generated_tokens_total"),
        ("Queue depth and wait", "ballast_queue_depth"),
        ("KV cache use", "ballast_kv_cache_usage_ratio"),
        ("Accelerator memory", "ballast_accelerator_memory_total_bytes"),
        ("Replicas", "ballast_model_info"),
    ])
    func panelQueriesItsMetric(title: String, metric: String) throws {
        let panel = try #require(try Self.panels().first { $0.title == title }, "no panel titled \"\(title)\"")
        #expect(panel.expressions.contains { $0.contains(metric) })
    }

    @Test func latencyPanelShowsThreeQuantiles() throws {
        let panel = try #require(try Self.panels().first { $0.title.hasPrefix("Request latency") })
        #expect(
            panel.expressions.map { $0.prefix(23) } == [
                "histogram_quantile(0.5,", "histogram_quantile(0.95", "histogram_quantile(0.99",
            ])
    }

    /// Every `ballast_*` series the dashboard reads is one a worker exports (the example /metrics page).
    @Test func metricNamesExistInAWorkerExposition() throws {
        let exposition = try String(
            contentsOf: Self.repositoryRoot.appendingPathComponent("examples/metrics/worker-a/00.prom"), encoding: .utf8
        )
        let exported = Set(
            exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                line.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
            })
        for panel in try Self.panels() {
            for expression in panel.expressions {
                for name in Self.metricNames(in: expression) {
                    #expect(exported.contains(name), "panel \"\(panel.title)\" reads \(name), which no worker exports")
                }
            }
        }
    }

    /// promtool parses each expression (as a recording rule, with Grafana's variables filled in).
    @Test func promtoolParsesEveryExpression() async throws {
        let promtool = try ExternalTool("promtool")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (index, expression) in try Self.panels().flatMap(\.expressions).enumerated() {
            let filled =
                expression
                .replacingOccurrences(of: "$__rate_interval", with: "5m")
                .replacingOccurrences(of: "$model", with: ".*")
                .replacingOccurrences(of: "$version", with: ".*")
            let escaped = filled.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            rules += "      - record: dashboard:expr\(index)\n        expr: \"\(escaped)\"\n"
        }
        let path = try directory.write(rules, to: "dashboard.rules.yaml")
        let result = try await promtool.run(["check", "rules", path])
        #expect(result.status == 0, "promtool rejected a dashboard expression:\n\(result.output)")
    }

    /// Words starting with `ballast_` that name series (not functions or labels).
    static func metricNames(in expression: String) -> [String] {
        var names: [String] = []
        var word = ""
        for character in expression + " " {
            if character.isLetter || character.isNumber || character == "_" || character == ":" {
                word.append(character)
            } else {
                if word.hasPrefix("ballast_") { names.append(word) }
                word = ""
            }
        }
        return names
    }
}
