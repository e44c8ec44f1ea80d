import BallastCore
import BallastTesting
import Foundation
import Testing

/// The evaluator end to end: reasons on every decision, held readings, cooldowns, restarts, odd inputs.
struct PolicyEvaluatorTests {
    static let queuePolicy = Policy(
        name: "r1-7b",
        target: Target(model: "r1-7b", minReplicas: 1, maxReplicas: 10),
        price: Price(perReplicaHour: 4, currency: "CNY"),
        signals: [
            Signal(name: "queue_p95", source: .query("histogram_quantile(0.95, ...)")),
            Signal(name: "memory_ratio", source: .query("max(...)")),
        ],
        rules: [
            Rule(
                name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                forDuration: .seconds(30), action: .scale(ScaleAction(target: 0.5))
            ),
            Rule(
                name: "memory", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.85),
                action: .shard(ShardAction())),
        ],
        behavior: ScalingBehavior(panic: nil)
    )

    static func observe(queue: SignalReading, memory: SignalReading = .value(0.5), fleet: FleetState = .steady(2))
        -> Observation
    {
        Observation(readings: ["queue_p95": queue, "memory_ratio": memory], fleet: fleet)
    }

    @Test func explainsTheFormulaWithNumbersAfterTheForDuration() throws {
        var evaluator = PolicyEvaluator(policy: Self.queuePolicy)
        var clock = ManualClock()
        let first = evaluator.decide(observed: Self.observe(queue: .value(0.84)), now: clock.now)
        #expect(first.rules.first?.status == .pending(since: clock.now, remaining: .seconds(30)))
        #expect(first.scaling.desiredReplicas == 2)
        #expect(first.scaling.recommendations.first?.note == "pending: the condition must hold 30s longer")

        clock.advance(by: .seconds(30))
        let fired = evaluator.decide(observed: Self.observe(queue: .value(0.84)), now: clock.now)
        #expect(fired.rules.first?.status == .firing)
        #expect(fired.scaling.desiredReplicas == 4)
        let recommendation = try #require(fired.scaling.recommendations.first)
        #expect(recommendation.formula == "ceil(2 × 0.84 / 0.5) = 4")
        #expect(recommendation.reading == .value(0.84))
        #expect(recommendation.target == 0.5)
        #expect(recommendation.condition == "queue_p95 (0.84) > 0.5")
        #expect(fired.scaling.summary == "scale 2 → 4: queue-time: ceil(2 × 0.84 / 0.5) = 4")
        #expect(fired.rules.first?.condition == "queue_p95 (0.84) > 0.5")
    }

    @Test func rateLimitStepIsExplained() throws {
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(signal: "load", threshold: 0.5),
            observed: Fixture.observe("load", 5.0, replicas: 2), now: .epoch
        )
        // ceil(2 × 5 / 0.5) = 20, but the default scale-up allows max(2 × 2, 2 + 4) = 6 per 15 s.
        #expect(evaluation.scaling.desiredReplicas == 6)
        let step = try #require(evaluation.scaling.steps.first)
        #expect(step.kind == .rateLimit)
        #expect(step.from == 20 && step.to == 6)
        #expect(evaluation.scaling.summary.contains("rateLimit 20 → 6: ScaleUpLimit"))
    }

    @Test(arguments: [
        SignalReading.missing(reason: "no series matched"),
        .stale(since: .epoch),
        .failed(reason: "Prometheus answered 503"),
        .value(.nan),
    ])
    func aMissingReadingHoldsAndNeverReadsAsZero(reading: SignalReading) throws {
        var evaluator = PolicyEvaluator(
            policy: Fixture.scalePolicy(signal: "load", threshold: 0.5, behavior: Fixture.unlimited))
        let evaluation = evaluator.decide(
            observed: Observation(readings: ["load": reading], fleet: .steady(4)), now: .epoch)
        #expect(evaluation.scaling.desiredReplicas == 4)
        guard case .held(let reason) = try #require(evaluation.rules.first).status else {
            Issue.record("expected held, got \(String(describing: evaluation.rules.first?.status))")
            return
        }
        #expect(reason.hasPrefix("load "))
        #expect(evaluation.scaling.recommendations.first?.note?.hasPrefix("held: ") == true)
    }

    @Test func aHeldRuleBlocksScaleDownButNotScaleUp() throws {
        let policy = Policy(
            name: "two",
            target: Target(model: "m", minReplicas: 1, maxReplicas: 20),
            signals: [Signal(name: "a", source: .query("a")), Signal(name: "b", source: .query("b"))],
            rules: [
                Rule(
                    name: "a", condition: .compare(signal: "a", op: .greater, threshold: 0.5),
                    action: .scale(ScaleAction())),
                Rule(
                    name: "b", condition: .compare(signal: "b", op: .greater, threshold: 0.5),
                    action: .scale(ScaleAction())),
            ],
            behavior: Fixture.unlimited
        )
        let down = PolicyEvaluator.explain(
            policy: policy,
            observed: Observation(readings: ["a": .value(0.1), "b": .missing(reason: "no series")], fleet: .steady(4)),
            now: .epoch
        )
        #expect(down.scaling.desiredReplicas == 4)
        let held = try #require(down.scaling.steps.first { $0.kind == .heldReading })
        #expect(held.detail == "no scale-down while b cannot read its signal; a missing metric is not zero load")

        let up = PolicyEvaluator.explain(
            policy: policy,
            observed: Observation(readings: ["a": .value(1.0), "b": .missing(reason: "no series")], fleet: .steady(4)),
            now: .epoch
        )
        #expect(up.scaling.desiredReplicas == 8)
        #expect(up.scaling.recommendations.map(\.replicas) == [8, 4])
    }

    @Test func theLargestRecommendationWins() {
        let policy = Policy(
            name: "two",
            target: Target(model: "m", minReplicas: 1, maxReplicas: 20),
            signals: [Signal(name: "a", source: .query("a")), Signal(name: "b", source: .query("b"))],
            rules: [
                Rule(
                    name: "a", condition: .compare(signal: "a", op: .greater, threshold: 0.5),
                    action: .scale(ScaleAction())),
                Rule(
                    name: "b", condition: .compare(signal: "b", op: .greater, threshold: 0.5),
                    action: .scale(ScaleAction())),
            ],
            behavior: Fixture.unlimited
        )
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["a": 0.8, "b": 1.5], fleet: .steady(4)), now: .epoch)
        #expect(evaluation.scaling.recommendations.map(\.replicas) == [7, 12])
        #expect(evaluation.scaling.desiredReplicas == 12)
        #expect(evaluation.scaling.steps.first?.detail == "the largest recommendation is b's")
    }

    @Test func aScaleRuleCoolsDownAfterItActs() throws {
        var evaluator = PolicyEvaluator(
            policy: Fixture.scalePolicy(
                signal: "load", threshold: 0.5, cooldown: .seconds(60), behavior: Fixture.unlimited))
        let start = ManualClock().now
        let first = evaluator.decide(observed: Fixture.observe("load", 1.0, replicas: 2), now: start)
        #expect(first.scaling.desiredReplicas == 4)
        let cooling = evaluator.decide(observed: Fixture.observe("load", 1.0, replicas: 4), now: start + .seconds(15))
        #expect(cooling.rules.first?.status == .coolingDown(until: start + .seconds(60)))
        #expect(cooling.scaling.desiredReplicas == 4)
        let after = evaluator.decide(observed: Fixture.observe("load", 1.0, replicas: 4), now: start + .seconds(60))
        #expect(after.scaling.desiredReplicas == 8)
    }

    @Test func aRestartedEvaluatorResumesFromItsEncodedState() throws {
        let policy = Fixture.scalePolicy(signal: "load", threshold: 0.5, forDuration: .seconds(30))
        var original = PolicyEvaluator(policy: policy)
        let start = ManualClock().now
        _ = original.decide(observed: Fixture.observe("load", 1.0, replicas: 2), now: start)
        _ = original.decide(observed: Fixture.observe("load", 1.0, replicas: 2), now: start + .seconds(15))

        let data = try JSONEncoder().encode(original.state)
        var restored = PolicyEvaluator(
            policy: policy, state: try JSONDecoder().decode(PolicyEvaluator.State.self, from: data))
        #expect(restored.state == original.state)

        let expected = original.decide(observed: Fixture.observe("load", 1.0, replicas: 2), now: start + .seconds(30))
        let resumed = restored.decide(observed: Fixture.observe("load", 1.0, replicas: 2), now: start + .seconds(30))
        #expect(resumed == expected)
        #expect(resumed.scaling.desiredReplicas == 4)
    }

    @Test func evaluationsEncodeToJSONEvenWithInfiniteReadings() throws {
        let evaluation = PolicyEvaluator.explain(
            policy: Self.queuePolicy,
            observed: Self.observe(queue: .value(.infinity), memory: .value(0.9)),
            now: Timestamp(millisecondsSinceEpoch: 1_000)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(evaluation)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""reading":{"value":"+Inf"}"#))
        #expect(text.contains(#""state":"pending""#))
        let decoded = try JSONDecoder().decode(Evaluation.self, from: data)
        #expect(decoded == evaluation)
    }

    @Test func infiniteLoadScalesAsFastAsTheRateAllows() {
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(signal: "load", threshold: 0.5, maxReplicas: 10),
            observed: Fixture.observe("load", .infinity, replicas: 2), now: .epoch
        )
        #expect(evaluation.scaling.desiredReplicas == 6)
    }

    struct Edge: Sendable, CustomStringConvertible {
        var name: String
        var minReplicas: Int
        var maxReplicas: Int
        var fleet: FleetState
        var load: Double
        var target: Double?
        var expected: Int
        var description: String { name }
    }

    @Test(arguments: [
        Edge(
            name: "zero replicas, minReplicas 1", minReplicas: 1, maxReplicas: 10, fleet: .steady(0), load: 0,
            target: nil, expected: 1),
        Edge(
            name: "zero replicas, minReplicas 0, load waiting", minReplicas: 0, maxReplicas: 10, fleet: .steady(0),
            load: 1.2, target: nil, expected: 3),
        Edge(
            name: "zero replicas, minReplicas 0, idle", minReplicas: 0, maxReplicas: 10, fleet: .steady(0), load: 0,
            target: nil, expected: 0),
        Edge(
            name: "above maxReplicas", minReplicas: 1, maxReplicas: 3, fleet: .steady(7), load: 0.5, target: nil,
            expected: 3),
        Edge(
            name: "minReplicas above maxReplicas", minReplicas: 5, maxReplicas: 2, fleet: .steady(3), load: 2,
            target: nil, expected: 2),
        Edge(
            name: "minReplicas above maxReplicas, below both", minReplicas: 5, maxReplicas: 2, fleet: .steady(1),
            load: 2, target: nil, expected: 5),
        Edge(
            name: "target 0 holds", minReplicas: 1, maxReplicas: 10, fleet: .steady(3), load: 2, target: 0, expected: 3),
        Edge(
            name: "negative counts", minReplicas: 1, maxReplicas: 10,
            fleet: FleetState(desiredReplicas: -3, readyReplicas: -1), load: 2, target: nil, expected: 1),
    ])
    func oddInputsDecideWithoutCrashing(_ edge: Edge) {
        let policy = Fixture.scalePolicy(
            signal: "load", threshold: 0.5, target: edge.target, minReplicas: edge.minReplicas,
            maxReplicas: edge.maxReplicas, behavior: Fixture.unlimited
        )
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["load": edge.load], fleet: edge.fleet), now: .epoch)
        #expect(evaluation.scaling.desiredReplicas == edge.expected)
    }

    @Test func targetZeroSaysWhatToWrite() throws {
        let policy = Fixture.scalePolicy(signal: "load", threshold: 0.5, target: 0)
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Fixture.observe("load", 2, replicas: 3), now: .epoch)
        #expect(
            evaluation.scaling.recommendations.first?.note
                == "held: the scale target is 0; write a positive number such as 0.5")
    }

    @Test func anUndeclaredSignalIsMissingWithAFix() throws {
        let policy = Policy(
            name: "typo",
            target: Target(model: "m"),
            rules: [
                Rule(
                    name: "r", condition: .compare(signal: "queue_p59", op: .greater, threshold: 1),
                    action: .alert(AlertAction()))
            ]
        )
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["queue_p59": 3], fleet: .steady(1)), now: .epoch)
        let signal = try #require(evaluation.signals.first)
        #expect(
            signal.reading
                == .missing(
                    reason:
                        "no signal named queue_p59 is declared; add it under spec.signals or fix the rule's spelling"))
        #expect(evaluation.actions.isEmpty)
    }

    @Test func theToleranceExampleChangesNothingAndSaysSo() throws {
        // Kubernetes docs: the control plane skips scaling when the ratio is within 0.1 of 1.0.
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(signal: "load", threshold: 0.5, target: 100),
            observed: Fixture.observe("load", 105, replicas: 4), now: .epoch
        )
        #expect(evaluation.scaling.desiredReplicas == 4)
        let recommendation = try #require(evaluation.scaling.recommendations.first)
        #expect(recommendation.formula == "ceil(4 × 105 / 100): ratio 1.05 is within tolerance 0.1")
        #expect(
            evaluation.scaling.summary
                == "hold at 4 replicas: load-rule: ceil(4 × 105 / 100): ratio 1.05 is within tolerance 0.1 (no change)")
    }

    @Test func defaultBehaviorScalesUpAtOnceAndDownAfterFiveMinutes() {
        // A burst doubles the load for one minute, then the load returns to the target.
        var evaluator = PolicyEvaluator(policy: Fixture.scalePolicy(signal: "load", threshold: 0.5, maxReplicas: 10))
        var clock = ManualClock()
        var fleet = SimulatedFleet(replicas: 2, startupTime: .seconds(30))
        var timeline: [(Int64, Int)] = []
        for tick in 0..<30 {
            fleet.advance(to: clock.now)
            let demand = tick < 4 ? 2.0 : 1.0
            let perReplica = demand / Double(max(1, fleet.ready))
            let evaluation = evaluator.decide(
                observed: Observation(values: ["load": perReplica], fleet: fleet.state), now: clock.now)
            if evaluation.scaling.changes {
                timeline.append((Int64(tick) * 15, evaluation.scaling.desiredReplicas))
            }
            fleet.apply(desired: evaluation.scaling.desiredReplicas, now: clock.now)
            clock.advance(by: .seconds(15))
        }
        // Up to 4 at once; the last recommendation of 4 was made at 45 s, so the drop to 2 waits until 45 + 300 s.
        #expect(timeline.map(\.0) == [0, 345])
        #expect(timeline.map(\.1) == [4, 2])
    }

    @Test func allReadingsMissingHoldsAndTheSummarySaysWhy() {
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(signal: "load"),
            observed: Observation(readings: ["load": .failed(reason: "connection refused")], fleet: .steady(3)),
            now: .epoch
        )
        #expect(evaluation.scaling.desiredReplicas == 3)
        #expect(
            evaluation.scaling.summary
                == "hold at 3 replicas: load-rule: no formula (held: load could not be read: connection refused; the rule keeps the current count)"
        )
    }

    @Test func aScaleRuleOnATooLowSignalHoldsAndSaysWhy() throws {
        let policy = Policy(
            name: "inverse",
            target: Target(model: "m"),
            signals: [Signal(name: "tokens_per_second", source: .query("t"))],
            rules: [
                Rule(
                    name: "slow", condition: .compare(signal: "tokens_per_second", op: .less, threshold: 50),
                    action: .scale(ScaleAction()))
            ],
            behavior: ScalingBehavior(panic: nil)
        )
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["tokens_per_second": 20], fleet: .steady(4)), now: .epoch)
        #expect(evaluation.scaling.desiredReplicas == 4)
        let note = try #require(evaluation.scaling.recommendations.first?.note)
        #expect(
            note.hasPrefix(
                "held: the rule scales on tokens_per_second < 50, but the formula needs a signal that grows with load"))
    }
}
