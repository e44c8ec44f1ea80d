import BallastCore
import BallastTesting
import Testing

/// Starting replicas count as capacity, so a slow model load does not compound 2 → 4 → 8 → 16.
struct StartupCapacityTests {
    /// Runs the loop every 15 s with fleet-wide `demand(t)` shared by the ready replicas; returns desired counts.
    static func run(policy: Policy, start: Int, startupTime: Duration, ticks: Int, demand: (Int) -> Double) -> [Int] {
        var evaluator = PolicyEvaluator(policy: policy)
        var fleet = SimulatedFleet(replicas: start, startupTime: startupTime)
        var clock = ManualClock()
        var counts: [Int] = []
        for tick in 0..<ticks {
            fleet.advance(to: clock.now)
            let perReplica = fleet.ready > 0 ? demand(tick) / Double(fleet.ready) : 0
            let evaluation = evaluator.decide(
                observed: Observation(values: ["load": perReplica], fleet: fleet.state), now: clock.now
            )
            fleet.apply(desired: evaluation.scaling.desiredReplicas, now: clock.now)
            counts.append(fleet.desired)
            clock.advance(by: .seconds(15))
        }
        return counts
    }

    @Test func aSlowLoadDoesNotCompound() {
        // Demand of 2.0 units against a target of 0.5 per replica needs 4 replicas; loading takes 2 minutes.
        let policy = Fixture.scalePolicy(signal: "load", threshold: 0.5)
        let counts = Self.run(policy: policy, start: 2, startupTime: .seconds(120), ticks: 16) { _ in 2.0 }
        #expect(counts.first == 4)
        #expect(counts.max() == 4, "compounded: \(counts)")
        #expect(counts.last == 4)
    }

    @Test func moreDemandWhileStartingAddsOnlyTheDifference() {
        // Demand jumps from 2.0 to 3.0 while the first two new replicas still load: 6 are needed, not 12.
        let policy = Fixture.scalePolicy(signal: "load", threshold: 0.5)
        let counts = Self.run(policy: policy, start: 2, startupTime: .seconds(120), ticks: 16) { $0 < 3 ? 2.0 : 3.0 }
        #expect(Array(counts.prefix(3)) == [4, 4, 4])
        #expect(counts[3] == 6)
        #expect(counts.max() == 6, "compounded: \(counts)")
    }

    @Test func theDecisionSaysTheStartingReplicasWillAbsorbIt() throws {
        let policy = Fixture.scalePolicy(signal: "load", threshold: 0.5)
        let now = ManualClock().now
        let fleet = FleetState(
            desiredReplicas: 4, readyReplicas: 2, startingSince: [now - .seconds(30), now - .seconds(30)])
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["load": 1.0], fleet: fleet), now: now)
        #expect(evaluation.scaling.desiredReplicas == 4)
        let recommendation = try #require(evaluation.scaling.recommendations.first)
        #expect(recommendation.formula == "ceil(2 × 1 / 0.5) = 4; 2 ready + 2 starting")
        #expect(recommendation.note == "the 2 starting replica(s) will absorb this demand; not adding more")
    }

    @Test func replicasStuckPastTheGraceStopCounting() {
        // Two replicas started 11 minutes ago (grace 10 min) and never became ready: they are not capacity.
        let policy = Fixture.scalePolicy(signal: "load", threshold: 0.5)
        let now = ManualClock().now
        let fleet = FleetState(
            desiredReplicas: 4, readyReplicas: 2, startingSince: [now - .seconds(660), now - .seconds(660)])
        #expect(fleet.capacity(grace: .seconds(600), now: now) == 2)
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["load": 1.5], fleet: fleet), now: now)
        // 2 ready at three times the target need 6.
        #expect(evaluation.scaling.desiredReplicas == 6)
    }
}
