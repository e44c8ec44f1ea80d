import BallastCore
import BallastTesting
import Testing

/// The thresholds of the source documents (SEEDS.md), written as one policy and driven through one bad minute.
struct SeedsPolicyTests {
    static let policy = Policy(
        name: "r1-7b",
        target: Target(model: "r1-7b", minReplicas: 1, maxReplicas: 10),
        price: Price(perReplicaHour: 4.0, currency: "CNY"),
        signals: [
            Signal(name: "queue_p95", source: .query("histogram_quantile(0.95, ...)")),
            Signal(name: "memory_ratio", source: .query("max(used / total)")),
            Signal(name: "decode_tokens_per_second", source: .query("sum(rate(ballast_generated_tokens_total[1m]))")),
            Signal(name: "latency_p95", source: .query("histogram_quantile(0.95, ...)")),
        ],
        rules: [
            // Document 001: queue time above 500 ms scales out.
            Rule(
                name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                forDuration: .seconds(30),
                action: .scale(ScaleAction(target: 0.5))),
            // Document 001: GPU memory above 85 % shards the model.
            Rule(
                name: "memory", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.85),
                action: .shard(ShardAction(factor: 2))),
            // Document 001: one inference above 0.03 CNY starts a quantization evaluation.
            Rule(
                name: "cost", condition: .compare(signal: "cost_per_inference", op: .greater, threshold: 0.03),
                action: .quantize(QuantizeAction(to: .q4_0, maxQualityLoss: 0.02))),
            // Documents 000 and 004: alert above 90 % memory, below 50 tokens/s, above 1000 ms p95, above 0.02 per 1K tokens.
            Rule(
                name: "memory-alert", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9),
                action: .alert(AlertAction(severity: .critical))),
            Rule(
                name: "throughput-alert",
                condition: .compare(signal: "decode_tokens_per_second", op: .less, threshold: 50),
                action: .alert(AlertAction(severity: .warning))),
            Rule(
                name: "latency-alert", condition: .compare(signal: "latency_p95", op: .greater, threshold: 1.0),
                action: .alert(AlertAction(severity: .warning))),
            Rule(
                name: "token-cost-alert",
                condition: .compare(signal: "cost_per_1k_tokens", op: .greater, threshold: 0.02),
                action: .alert(AlertAction(severity: .warning))),
        ],
        behavior: ScalingBehavior(panic: nil)
    )

    @Test func aBadMinuteProducesEveryDecisionOnce() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy)
        var clock = ManualClock()
        var all: [ActionDecision] = []
        var last: Evaluation?
        for _ in 0..<5 {
            // 2 replicas, queue 0.84 s, memory 92 %, 40 tokens/s, p95 1.4 s, 0.05 req/s:
            // cost per inference 2 × 4 / 3600 / 0.05 = 0.0444 CNY; per 1K tokens 2 × 4 / 3600 / 40 × 1000 = 0.0556.
            let observation = Observation(
                values: ["queue_p95": 0.84, "memory_ratio": 0.92, "decode_tokens_per_second": 40, "latency_p95": 1.4],
                fleet: .steady(2),
                throughput: Throughput(requestsPerSecond: .value(0.05), tokensPerSecond: .value(40))
            )
            let evaluation = evaluator.decide(observed: observation, now: clock.now)
            all += evaluation.actions
            last = evaluation
            clock.advance(by: .seconds(15))
        }
        #expect(
            all.map(\.rule) == [
                "memory", "cost", "memory-alert", "throughput-alert", "latency-alert", "token-cost-alert",
            ])
        let evaluation = try #require(last)
        // The queue rule needs 30 s: pending at 0 and 15 s, firing from 30 s on.
        #expect(evaluation.rules.first?.status == .firing)
        #expect(evaluation.scaling.desiredReplicas == 4)
        let cost = try #require(evaluation.signals.first { $0.name == "cost_per_inference" })
        #expect(abs((cost.reading.number ?? 0) - 8.0 / 3600 / 0.05) < 1e-12)
        #expect(evaluation.signals.map(\.name).contains("cost_per_1k_tokens"))
    }
}
