import Foundation
import PromQL
import PromText
import Testing

/// Compares our evaluator with a real Prometheus server on the same raw samples at the same instant.
struct PrometheusAcceptanceTests {
    /// The signals of `policies/default.yaml`.
    static let policySignals = [
        "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))",
        "max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)",
        "sum(rate(ballast_generated_tokens_total[1m])) / count(ballast_running_requests > 0)",
        "histogram_quantile(0.95, sum by (le) (rate(ballast_request_duration_seconds_bucket[5m])))",
        "histogram_quantile(0.99, sum by (le) (rate(ballast_request_duration_seconds_bucket[5m])))",
        "histogram_quantile(0.5, sum by (le) (rate(ballast_request_duration_seconds_bucket[5m])))",
        "sum(rate(ballast_requests_total{status=\"ok\"}[5m])) / sum(rate(ballast_requests_total[5m]))",
        "avg(ballast_batch_size) / 32",
        "sum(ballast_queue_depth)",
        "max(ballast_kv_cache_fragmentation_ratio)",
    ]

    /// The PromQL signals of the repository's `policies/default.yaml` when it is there, so a signal added to the
    /// default policy is checked against Prometheus too. Reads the `signals:` block line by line: `name: expr`
    /// children and `query:` keys; cost signals (`{cost: ...}`) are not PromQL.
    static func defaultPolicySignals() -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        guard
            let text = try? String(
                contentsOf: root.appendingPathComponent("policies/default.yaml"), encoding: .utf8)
        else { return [] }
        func indentation(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }
        var signals: [String] = []
        var blockIndentation: Int?
        var childIndentation: Int?
        for line in text.split(separator: "\n") {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            if let block = blockIndentation {
                if indentation(line) <= block { break }
                let child = childIndentation ?? indentation(line)
                childIndentation = child
                guard let colon = content.firstIndex(of: ":") else { continue }
                let key = content[..<colon]
                var value = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                    value = String(value.dropFirst().dropLast())
                }
                let isDirect = indentation(line) == child && !value.isEmpty && !value.hasPrefix("{")
                if isDirect || (key == "query" && !value.isEmpty) { signals.append(value) }
            } else if content == "signals:" {
                blockIndentation = indentation(line)
            }
        }
        return signals
    }

    /// Every supported function, operator, matcher, aggregation and matching modifier.
    static let coverage = [
        // Range functions, including w3's counter reset.
        "rate(ballast_requests_total[30s])",
        "rate(ballast_requests_total{worker=\"w3\"}[1m])",
        "irate(ballast_requests_total[30s])",
        "increase(ballast_generated_tokens_total[1m])",
        "delta(ballast_queue_depth[1m])",
        "idelta(ballast_queue_depth[1m])",
        "avg_over_time(ballast_queue_depth[30s])",
        "max_over_time(ballast_kv_cache_usage_ratio[1m])",
        "min_over_time(ballast_kv_cache_usage_ratio[1m])",
        "sum_over_time(ballast_queue_depth[15s])",
        "count_over_time(up[1m])",
        "last_over_time(ballast_queue_depth[10s])",
        "rate(ballast_requests_total[30s] offset 5s)",
        "rate(ballast_requests_total[7s])",
        "ballast_queue_depth offset 10s",
        "ballast_requests_total[5s]",
        // Histograms.
        "histogram_quantile(0.5, sum by (le, model) (rate(ballast_time_to_first_token_seconds_bucket[1m])))",
        "histogram_quantile(0.99, rate(ballast_request_duration_seconds_bucket[1m]))",
        "histogram_quantile(0.9, ballast_queue_wait_seconds_bucket)",
        "histogram_quantile(1.5, sum by (le) (ballast_queue_wait_seconds_bucket))",
        "histogram_quantile(0, sum by (le) (ballast_queue_wait_seconds_bucket))",
        "histogram_quantile(0.5, sum by (le) (ballast_queue_wait_seconds_bucket{le!=\"+Inf\"}))",
        // Instant functions.
        "clamp_min(ballast_queue_depth, 3)",
        "clamp_max(ballast_queue_depth, 3)",
        "clamp(ballast_queue_depth, 2, 5)",
        "clamp(ballast_queue_depth, 5, 2)",
        "scalar(sum(ballast_queue_depth))",
        "scalar(ballast_queue_depth)",
        "vector(1)",
        "abs(ballast_queue_depth - 5)",
        "ceil(ballast_kv_cache_usage_ratio * 10)",
        "floor(ballast_kv_cache_usage_ratio * 10)",
        "sqrt(ballast_queue_depth)",
        "exp(ballast_kv_cache_usage_ratio)",
        "ln(ballast_queue_depth)",
        "time()",
        // Aggregations, grouping before and after.
        "sum by (model) (rate(ballast_requests_total{status=~\"error|rejected\"}[1m])) / sum by (model) (rate(ballast_requests_total[1m]))",
        "avg without (worker, version) (ballast_kv_cache_usage_ratio)",
        "count by (status) (ballast_requests_total)",
        "min(ballast_queue_depth) by (model)",
        "max without (worker) (ballast_accelerator_memory_used_bytes)",
        "group by (model) (ballast_queue_depth)",
        "topk(2, ballast_kv_cache_usage_ratio)",
        "bottomk(1, ballast_kv_cache_usage_ratio) by (model)",
        "quantile(0.9, ballast_queue_depth)",
        "quantile by (model) (0.25, ballast_accelerator_memory_used_bytes)",
        "stddev(ballast_queue_depth)",
        "stdvar by (model) (ballast_kv_cache_usage_ratio)",
        "sum by (__name__) ({__name__=~\"ballast_queue_depth|ballast_batch_size\"})",
        "sum(rate(ballast_generated_tokens_total[1m])) by (model, version)",
        "sum(ballast_request_duration_seconds_sum) / sum(ballast_request_duration_seconds_count)",
        // Matchers.
        "ballast_queue_depth{model!=\"qwen\"}",
        "{__name__=~\"ballast_queue_.*\", worker!~\"w[12]\"}",
        "ballast_requests_total{status=~\"ok|error\", worker=~\"w.\"}",
        // Comparisons and arithmetic.
        "ballast_queue_depth > 0.1",
        "ballast_queue_depth > bool 4",
        "0.1 < ballast_queue_depth",
        "4 >= bool ballast_queue_depth",
        "ballast_accelerator_memory_total_bytes == 8e9",
        "ballast_queue_depth != 2",
        "ballast_queue_depth - 9 <= ballast_running_requests",
        "ballast_queue_depth >= bool ballast_running_requests",
        "-ballast_queue_depth",
        "2 ^ 3 ^ 2",
        "-2 ^ 2",
        "2 * 3 + 4 % 3 - 1 / 4",
        "1 > bool 2",
        "(1 + 2) * ballast_queue_depth",
        "ballast_queue_depth % 3",
        "ballast_queue_depth ^ 2",
        "0x10 + 1e2 - Inf",
        "NaN",
        "ballast_queue_depth / 0",
        "\"text\"",
        // Vector matching.
        "ballast_queue_depth * on(model, version) group_left(tier) ballast_model_info",
        "ballast_model_info * on(model, version) group_right ballast_queue_depth",
        "ballast_model_info * on(model, version) group_right(tier) ballast_queue_depth",
        "ballast_queue_depth / ignoring(worker) group_left sum without (tier) (ballast_model_info)",
        "ballast_queue_depth + on(worker) ballast_running_requests",
        "ballast_queue_depth + 4 > on(worker) ballast_running_requests",
        "ballast_queue_depth and ballast_kv_cache_usage_ratio >= 0.002",
        "ballast_queue_depth or ballast_model_info",
        "ballast_queue_depth unless on(model) ballast_queue_depth{model=\"qwen\"}",
        "ballast_queue_depth and on(version) ballast_model_info{version=\"v2\"}",
    ]

    /// Expressions Prometheus rejects at evaluation time; we must reject them too.
    static let failing = [
        "ballast_queue_depth * on(model) ballast_kv_cache_usage_ratio",
        "ballast_queue_depth * ignoring(worker, version) sum without (tier) (ballast_model_info)",
        "ballast_queue_depth * ignoring(worker, version) sum by (instance, job, model) (ballast_model_info)",
        "ballast_queue_depth * on(model) group_left ballast_queue_depth",
        "ballast_queue_depth + on(model) group_left ballast_model_info",
    ]

    /// Expressions whose correct answer here is (or may be, depending on the scrape) empty or NaN.
    ///
    /// Every other expression must give Prometheus' answer with at least one number, whatever the scrape count:
    /// an empty answer cannot tell a right evaluator from a wrong one.
    static let emptyByDesign: Set<String> = [
        "clamp(ballast_queue_depth, 5, 2)", "scalar(ballast_queue_depth)", "NaN",
        "histogram_quantile(0.5, sum by (le) (ballast_queue_wait_seconds_bucket{le!=\"+Inf\"}))",
        // NaN while the lowest bucket is still empty.
        "histogram_quantile(0, sum by (le) (ballast_queue_wait_seconds_bucket))",
    ]

    /// Needs the Debian `prometheus` package and `python3`; without them the comparison cannot run at all.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
            "needs /usr/bin/prometheus and /usr/bin/python3")
    )
    func evaluatorMatchesPrometheus() async throws {
        let server = try AcceptancePrometheus()
        defer { server.stop() }
        try await server.wait(for: "Prometheus to become ready", timeoutSeconds: 60) {
            (try? await server.get("/-/ready").0) == 200
        }
        try await server.wait(for: "20 scrapes", timeoutSeconds: 120) {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            guard case .vector(let samples)? = try? await server.query("count_over_time(up[10m])", at: now) else {
                return false
            }
            return (samples.first?.value ?? 0) >= 20
        }
        // Two seconds back, every scrape at or before the instant is already stored on both sides.
        let time = Int64(Date().timeIntervalSince1970 * 1000) - 2000
        guard case .matrix(let raw) = try await server.query("{__name__=~\"ballast_.*|up\"}[10m]", at: time) else {
            Issue.record("The raw sample query did not return a matrix.")
            return
        }
        var window = SeriesWindow()
        var sampleCount = 0
        for series in raw {
            let name = series.labels["__name__"] ?? ""
            var labels = series.labels
            labels["__name__"] = nil
            let samples = series.points.map {
                Sample(name: name, labels: labels, value: $0.value, timestampMilliseconds: $0.timestampMilliseconds)
            }
            sampleCount += samples.count
            window.ingest(samples, at: time)
        }
        #expect(window.sampleCount == sampleCount)
        #expect(raw.count > 100)
        // The fixture restarts worker w3, so rate() must handle a real counter reset.
        let resets = raw.filter { series in
            series.labels["__name__"] == "ballast_requests_total"
                && zip(series.points, series.points.dropFirst()).contains { $0.value > $1.value }
        }
        #expect(!resets.isEmpty)

        // A second instant exactly 15 s after a scrape, so `[15s]` ranges start on a sample: range edges must agree.
        let scrapeTimes = raw.first { $0.labels["__name__"] == "up" }?.points.map(\.timestampMilliseconds) ?? []
        let edge = (scrapeTimes.last { $0 + 15_000 <= time } ?? time - 15_000) + 15_000
        let nonEmpty = try await compare(server: server, window: window, at: time)
        #expect(nonEmpty >= Self.policySignals.count + Self.coverage.count - Self.emptyByDesign.count)
        _ = try await compare(server: server, window: window, at: edge)
        for text in ["count_over_time(ballast_queue_depth[15s])", "count_over_time(up[15s])"] {
            let ours = try window.evaluate(try Expression.parse(text), at: edge)
            #expect(
                ResultComparison.difference(try await server.query(text, at: edge), ours) == nil,
                "\(text) at a range edge")
        }
    }

    /// Evaluates every table expression on both sides at one instant; returns how many results were informative.
    private func compare(server: AcceptancePrometheus, window: SeriesWindow, at time: Int64) async throws -> Int {
        var nonEmpty = 0
        let fromFile = Self.defaultPolicySignals().filter { !Self.policySignals.contains($0) }
        for text in Self.policySignals + fromFile + Self.coverage + Self.failing {
            let expected: Result<QueryValue, PromQLError>
            do {
                expected = .success(try await server.query(text, at: time))
            } catch let error as PromQLError {
                expected = .failure(error)
            }
            let ours: Result<QueryValue, PromQLError>
            do {
                ours = .success(try window.evaluate(try Expression.parse(text), at: time))
            } catch {
                ours = .failure(error)
            }
            if Self.failing.contains(text), case .success = expected {
                Issue.record("\(text): Prometheus was expected to fail")
            }
            if case .success(let value) = expected, Self.isInformative(value) { nonEmpty += 1 }
            if case .success(let value) = expected, !Self.isInformative(value), !Self.emptyByDesign.contains(text) {
                Issue.record("\(text): Prometheus returned \(value), which cannot tell a right answer from a wrong one")
            }
            switch (expected, ours) {
            case (.success(let theirs), .success(let mine)):
                if let difference = ResultComparison.difference(theirs, mine) {
                    Issue.record("\(text) at \(time): \(difference)")
                }
            case (.failure, .failure):
                break
            case (.failure(let error), .success(let mine)):
                Issue.record("\(text) at \(time): Prometheus failed (\(error)) but we returned \(mine)")
            case (.success(let theirs), .failure(let error)):
                Issue.record("\(text) at \(time): we failed (\(error)) but Prometheus returned \(theirs)")
            }
        }
        return nonEmpty
    }

    static func isInformative(_ value: QueryValue) -> Bool {
        switch value {
        case .scalar(let number): !number.isNaN
        case .vector(let samples): samples.contains { !$0.value.isNaN }
        case .matrix(let series): !series.isEmpty
        case .string: true
        }
    }

    @Test func tableCoversEnoughExpressions() {
        #expect(Self.coverage.count >= 30)
        for text in Self.policySignals + Self.coverage {
            #expect(throws: Never.self, "\(text)") { try Expression.parse(text) }
        }
    }
}

/// Compares two query results: equal label sets, values within 1e-9 relative, NaN equal to NaN.
enum ResultComparison {
    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    static func difference(_ expected: QueryValue, _ actual: QueryValue) -> String? {
        switch (expected, actual) {
        case (.scalar(let a), .scalar(let b)):
            return close(a, b) ? nil : "scalar \(b), expected \(a)"
        case (.string(let a), .string(let b)):
            return a == b ? nil : "string \(b), expected \(a)"
        case (.vector(let a), .vector(let b)):
            let expectedByLabels = Dictionary(a.map { ($0.labels, $0.value) }, uniquingKeysWith: { first, _ in first })
            let actualByLabels = Dictionary(b.map { ($0.labels, $0.value) }, uniquingKeysWith: { first, _ in first })
            guard a.count == b.count, Set(expectedByLabels.keys) == Set(actualByLabels.keys) else {
                return "series \(b.map(\.labels)), expected \(a.map(\.labels))"
            }
            for (labels, value) in expectedByLabels where !close(value, actualByLabels[labels] ?? .nan) {
                return "\(labels.pairs) = \(actualByLabels[labels] ?? .nan), expected \(value)"
            }
            return nil
        case (.matrix(let a), .matrix(let b)):
            let expectedByLabels = Dictionary(a.map { ($0.labels, $0.points) }, uniquingKeysWith: { first, _ in first })
            let actualByLabels = Dictionary(b.map { ($0.labels, $0.points) }, uniquingKeysWith: { first, _ in first })
            return expectedByLabels == actualByLabels ? nil : "matrix differs"
        default:
            return "\(actual), expected \(expected)"
        }
    }
}
