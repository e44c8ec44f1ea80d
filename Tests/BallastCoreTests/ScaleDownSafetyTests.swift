import BallastCore
import BallastTesting
import Testing

/// Scale-down safety: the fleet keeps enough replicas for every scale signal to stay inside its limit.
struct ScaleDownSafetyTests {
    /// Queue time is a cliff: small while replicas are under 80 % busy, large past it. Busy share is per-replica load.
    static func observe(demand: Double, replicas: Int) -> Observation {
        let busy = demand / Double(replicas)
        let queue = busy < 0.8 ? 0.05 : 2.0
        return Observation(values: ["queue_p95": queue, "busy_ratio": busy], fleet: .steady(replicas))
    }

    static let policy = Policy(
        name: "safety",
        target: Target(model: "m", minReplicas: 1, maxReplicas: 10),
        signals: [Signal(name: "queue_p95", source: .query("q")), Signal(name: "busy_ratio", source: .query("b"))],
        rules: [
            Rule(
                name: "latency",
                condition: .any([
                    .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                    .compare(signal: "busy_ratio", op: .greater, threshold: 0.8),
                ]),
                action: .scale(ScaleAction(signal: "queue_p95", target: 0.5))
            )
        ],
        behavior: Fixture.unlimited
    )

    static func run(demand: Double, start: Int, ticks: Int) -> (counts: [Int], last: Evaluation?) {
        var evaluator = PolicyEvaluator(policy: policy)
        var clock = ManualClock()
        var replicas = start
        var counts: [Int] = []
        var last: Evaluation?
        for _ in 0..<ticks {
            let evaluation = evaluator.decide(observed: observe(demand: demand, replicas: replicas), now: clock.now)
            replicas = evaluation.scaling.desiredReplicas
            counts.append(replicas)
            last = evaluation
            clock.advance(by: .seconds(15))
        }
        return (counts, last)
    }

    @Test func oneReplicaWouldBeOverloadedSoTheFleetRecoversFromIt() {
        // The hazard: at 1 replica a demand of 0.9 is 90 % busy, queue time jumps, and the rule scales back up.
        let (counts, _) = Self.run(demand: 0.9, start: 1, ticks: 1)
        #expect(counts == [4])
    }

    @Test func doesNotFlapBetweenTwoAndOne() throws {
        // At 2 replicas queue time is 0.05 s: the formula alone says ceil(2 × 0.05 / 0.5) = 1. But 1 replica would
        // be 90 % busy, past the 80 % limit, so the fleet stays at 2 on every tick instead of 2 → 1 → 4 → ….
        let (counts, last) = Self.run(demand: 0.9, start: 2, ticks: 8)
        #expect(counts == Array(repeating: 2, count: 8))
        let step = try #require(last?.scaling.steps.first { $0.kind == .safety })
        #expect(step.from == 1)
        #expect(step.to == 2)
        #expect(
            step.detail
                == "at 1 replica latency would fire: any(queue_p95 (0.1) > 0.5, busy_ratio (0.9) > 0.8); holding at 2")
    }

    @Test func scalesDownWhenTheSmallerFleetStaysInsideTheLimits() {
        // Demand 0.5: one replica is 50 % busy, under the limit; the fleet goes to 1 and stays.
        let (counts, _) = Self.run(demand: 0.5, start: 2, ticks: 4)
        #expect(counts == [1, 1, 1, 1])
    }

    @Test func keepsTheSmallestSafeCountOnALargerDrop() throws {
        // 8 replicas at demand 2.0: the formula says 1, but 2 would be 100 % busy; 3 replicas are 67 % busy.
        let (counts, last) = Self.run(demand: 2.0, start: 8, ticks: 1)
        #expect(counts == [3])
        let step = try #require(last?.scaling.steps.first { $0.kind == .safety })
        #expect(step.detail.hasPrefix("at 2 replicas latency would fire"))
    }
}
