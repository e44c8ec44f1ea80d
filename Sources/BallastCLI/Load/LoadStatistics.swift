import Foundation

/// Percentiles of a list of measurements, by the nearest-rank method (the value below which `p` of them lie).
struct Percentiles: Sendable, Equatable, Encodable {
    var p50: Double
    var p95: Double
    var p99: Double
    var count: Int

    init(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(sorted.count - 1, max(0, index))]
        }
        p50 = rank(0.50)
        p95 = rank(0.95)
        p99 = rank(0.99)
        count = sorted.count
    }
}

/// What one request measured.
struct RequestOutcome: Sendable {
    /// Seconds from sending to the first token, when one came.
    var timeToFirstToken: Double?
    /// Seconds between consecutive tokens.
    var interTokenGaps: [Double]
    /// Seconds from sending to the end of the answer.
    var duration: Double
    /// Tokens generated (from `usage`, else one per streamed chunk with text).
    var tokens: Int
    /// Why it failed (`http_429`, `http_500`, `connection`, …), or `nil` on success.
    var error: String?
}

/// The summary `ballast load` prints: latencies in seconds, throughput and errors by kind.
struct LoadReport: Sendable, Encodable {
    var mode: String
    var durationSeconds: Double
    var requests: Int
    var succeeded: Int
    var errors: [String: Int]
    var generatedTokens: Int
    var tokensPerSecond: Double
    var requestsPerSecond: Double
    var timeToFirstToken: Percentiles
    var interTokenLatency: Percentiles
    var endToEnd: Percentiles

    init(mode: String, durationSeconds: Double, outcomes: [RequestOutcome]) {
        self.mode = mode
        self.durationSeconds = durationSeconds
        requests = outcomes.count
        let ok = outcomes.filter { $0.error == nil }
        succeeded = ok.count
        errors = outcomes.compactMap(\.error).reduce(into: [:]) { $0[$1, default: 0] += 1 }
        generatedTokens = ok.reduce(0) { $0 + $1.tokens }
        tokensPerSecond = durationSeconds > 0 ? Double(generatedTokens) / durationSeconds : 0
        requestsPerSecond = durationSeconds > 0 ? Double(ok.count) / durationSeconds : 0
        timeToFirstToken = Percentiles(ok.compactMap(\.timeToFirstToken))
        interTokenLatency = Percentiles(ok.flatMap(\.interTokenGaps))
        endToEnd = Percentiles(ok.map(\.duration))
    }

    /// The report for people: one line per figure, latencies in milliseconds.
    var text: String {
        func ms(_ p: Percentiles) -> String {
            String(format: "p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  (n=%d)", p.p50 * 1e3, p.p95 * 1e3, p.p99 * 1e3, p.count)
        }
        var lines = [
            "mode            \(mode), \(String(format: "%.1f", durationSeconds)) s",
            "requests        \(succeeded) ok of \(requests)"
                + (errors.isEmpty ? "" : "; errors: " + errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            "throughput      \(String(format: "%.1f", tokensPerSecond)) tokens/s, \(String(format: "%.2f", requestsPerSecond)) requests/s",
            "first token     \(ms(timeToFirstToken))",
            "inter-token     \(ms(interTokenLatency))",
            "end to end      \(ms(endToEnd))",
        ]
        lines.append("tokens          \(generatedTokens)")
        return lines.joined(separator: "\n")
    }
}

