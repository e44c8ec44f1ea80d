import BallastCore
import BallastTesting
import Testing

/// Shard, quantize, alert and rollout rules: firing rules become decisions once, not every tick.
struct ActionRuleTests {
    static func policy(
        _ action: Action, signal: String = "memory_ratio", threshold: Double = 0.85, cooldown: Duration = .zero
    ) -> Policy {
        Policy(
            name: "actions",
            target: Target(model: "m"),
            signals: [Signal(name: signal, source: .query("x"))],
            rules: [
                Rule(
                    name: "rule", condition: .compare(signal: signal, op: .greater, threshold: threshold),
                    cooldown: cooldown, action: action)
            ],
            behavior: ScalingBehavior(panic: nil)
        )
    }

    @Test(arguments: [
        (1, 2, 8, 2),
        (2, 2, 8, 4),
        (4, 3, 8, 8),
        (6, 2, 8, 8),
    ])
    func shardMultipliesUpToMaxShards(shards: Int, factor: Int, maxShards: Int, expected: Int) throws {
        let observation = Observation(values: ["memory_ratio": 0.91], fleet: .steady(1, shards: shards))
        let evaluation = PolicyEvaluator.explain(
            policy: Self.policy(.shard(ShardAction(factor: factor, maxShards: maxShards))), observed: observation,
            now: .epoch
        )
        let decision = try #require(evaluation.actions.first)
        #expect(decision.directive == .shard(from: shards, to: expected))
        #expect(decision.summary == "rule: shard \(shards) → \(expected) (memory_ratio (0.91) > 0.85)")
        let reading = try #require(decision.readings.first)
        #expect(decision.readings.count == 1)
        #expect(
            reading.signal == "memory_ratio" && reading.reading == .value(0.91) && reading.op == ">"
                && reading.threshold == 0.85)
    }

    @Test func shardAtMaxSaysSoInsteadOfActing() throws {
        let observation = Observation(values: ["memory_ratio": 0.91], fleet: .steady(1, shards: 8))
        let evaluation = PolicyEvaluator.explain(
            policy: Self.policy(.shard(ShardAction())), observed: observation, now: .epoch)
        #expect(evaluation.actions.isEmpty)
        let rule = try #require(evaluation.rules.first)
        #expect(rule.status == .firing)
        #expect(rule.note == "shards are already at 8 and maxShards is 8; raise maxShards to shard further")
    }

    @Test func quantizeStartsOneEvaluationNotOnePerTick() {
        var evaluator = PolicyEvaluator(
            policy: Self.policy(.quantize(QuantizeAction(to: .q4_0)), signal: "cost_per_inference", threshold: 0.03))
        var clock = ManualClock()
        var started = 0
        for tick in 0..<20 {
            // Over the limit for 10 ticks, under for 2, over again: two episodes, two evaluations.
            let cost = (10..<12).contains(tick) ? 0.02 : 0.05
            let evaluation = evaluator.decide(
                observed: Observation(values: ["cost_per_inference": cost], fleet: .steady(2)), now: clock.now)
            for action in evaluation.actions {
                #expect(
                    action.directive
                        == .quantize(format: "q4_0", maxQualityLoss: 0.02, keep: ["attn_q", "attn_k", "attn_v"]))
                started += 1
            }
            clock.advance(by: .seconds(15))
        }
        #expect(started == 2)
    }

    @Test func cooldownSpacesRepeatedShards() {
        var evaluator = PolicyEvaluator(
            policy: Self.policy(.shard(ShardAction(factor: 2, maxShards: 8)), cooldown: .seconds(60)))
        var clock = ManualClock()
        var shards = 1
        var history: [Int] = []
        for _ in 0..<10 {
            let evaluation = evaluator.decide(
                observed: Observation(values: ["memory_ratio": 0.9], fleet: .steady(1, shards: shards)), now: clock.now)
            for case .shard(_, let to) in evaluation.actions.map(\.directive) { shards = to }
            history.append(shards)
            clock.advance(by: .seconds(15))
        }
        // Memory stays high: shard at 0 s, again when the 60 s cooldown ends, again at 120 s, then at maxShards.
        #expect(history == [2, 2, 2, 2, 4, 4, 4, 4, 8, 8])
    }

    @Test(arguments: [
        (AlertAction(severity: .critical, summary: nil), "critical", "rule: memory_ratio (0.95) > 0.85"),
        (
            AlertAction(severity: .warning, summary: "GPU memory above 85 %", webhook: "http://127.0.0.1:9/hook"),
            "warning", "GPU memory above 85 %"
        ),
    ])
    func alertCarriesSeverityAndSummary(action: AlertAction, severity: String, summary: String) throws {
        let evaluation = PolicyEvaluator.explain(
            policy: Self.policy(.alert(action)),
            observed: Observation(values: ["memory_ratio": 0.95], fleet: .steady(1)), now: .epoch
        )
        let decision = try #require(evaluation.actions.first)
        #expect(decision.directive == .alert(severity: severity, summary: summary, webhook: action.webhook))
    }

    @Test func rolloutRollsBack() throws {
        let evaluation = PolicyEvaluator.explain(
            policy: Self.policy(
                .rollout(RolloutAction(operation: .rollback, version: "v2")), signal: "error_rate", threshold: 0.01),
            observed: Observation(values: ["error_rate": 0.2], fleet: .steady(3)), now: .epoch
        )
        let decision = try #require(evaluation.actions.first)
        #expect(decision.directive == .rollout(operation: "rollback", version: "v2"))
        #expect(decision.summary == "rule: rollout rollback of v2 (error_rate (0.2) > 0.01)")
    }

    @Test func aHeldRuleDoesNotAct() throws {
        let observation = Observation(
            readings: ["memory_ratio": .failed(reason: "connection refused")], fleet: .steady(1))
        let evaluation = PolicyEvaluator.explain(
            policy: Self.policy(.alert(AlertAction())), observed: observation, now: .epoch)
        #expect(evaluation.actions.isEmpty)
        let rule = try #require(evaluation.rules.first)
        #expect(
            rule.status
                == .held(
                    reason:
                        "memory_ratio could not be read: connection refused; the rule holds its last state (inactive)"))
    }
}
