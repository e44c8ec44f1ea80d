import BallastCore
import BallastTesting
import Testing

/// Knative-style panic: a burst in the short window scales up at once, and no scale-down follows until it calms.
struct PanicModeTests {
    static func policy(hold: Duration = .seconds(60)) -> Policy {
        Fixture.scalePolicy(
            signal: "load", threshold: 0.5, forDuration: .seconds(30),
            behavior: ScalingBehavior(
                scaleDown: ScalingRules(
                    stabilizationWindow: .zero,
                    policies: [ScalingPolicy(type: .percent, value: 100, period: .seconds(15))]),
                panic: PanicSettings(window: .seconds(6), threshold: 2.0, hold: hold)
            )
        )
    }

    static func observe(stable: Double, short: Double, replicas: Int) -> Observation {
        Observation(readings: ["load": .value(stable)], shortWindow: ["load": .value(short)], fleet: .steady(replicas))
    }

    @Test func aBurstScalesStraightToTheShortWindowRecommendation() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy())
        let now = ManualClock().now
        // The stable window barely moved (0.55, and the rule needs 30 s), but the last 6 s saw 2.0 per replica:
        // ceil(2 × 2.0 / 0.5) = 8 ≥ 2.0 × 2 ready, so panic jumps to 8 past the 4-pods-or-100 % rate limit.
        let evaluation = evaluator.decide(observed: Self.observe(stable: 0.55, short: 2.0, replicas: 2), now: now)
        let panic = try #require(evaluation.scaling.panic)
        #expect(panic.triggered)
        #expect(panic.active)
        #expect(panic.shortWindowReplicas == 8)
        #expect(panic.triggerAt == 4)
        #expect(panic.until == now + .seconds(60))
        #expect(evaluation.scaling.desiredReplicas == 8)
        #expect(evaluation.scaling.steps.map(\.kind).contains(.panic))
    }

    @Test func belowTheThresholdNothingPanics() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy())
        // ceil(2 × 0.7 / 0.5) = 3 is below 2.0 × 2 ready = 4; the rule itself is still pending (for: 30s).
        let evaluation = evaluator.decide(
            observed: Self.observe(stable: 0.55, short: 0.7, replicas: 2), now: ManualClock().now)
        let panic = try #require(evaluation.scaling.panic)
        #expect(!panic.triggered)
        #expect(!panic.active)
        #expect(evaluation.scaling.desiredReplicas == 2)
    }

    @Test func noScaleDownWhilePanickingThenLeaveAfterHold() {
        var evaluator = PolicyEvaluator(policy: Self.policy(hold: .seconds(60)))
        var clock = ManualClock()
        var fleet = 2
        var counts: [Int] = []
        var active: [Bool] = []
        for tick in 0..<8 {
            // Burst at t=0, then calm: load per replica 0.05 would scale to 1 at once.
            let observation =
                tick == 0
                ? Self.observe(stable: 0.55, short: 2.0, replicas: fleet)
                : Self.observe(stable: 0.05, short: 0.05, replicas: fleet)
            let evaluation = evaluator.decide(observed: observation, now: clock.now)
            fleet = evaluation.scaling.desiredReplicas
            counts.append(fleet)
            active.append(evaluation.scaling.panic?.active ?? false)
            clock.advance(by: .seconds(15))
        }
        // Panic holds 60 s after the trigger: ticks at 15, 30, 45 s keep 8; at 60 s panic ends and the fleet shrinks.
        #expect(Array(counts.prefix(4)) == [8, 8, 8, 8])
        #expect(Array(active.prefix(5)) == [true, true, true, true, false])
        #expect(counts[4] < 8)
    }

    @Test func aNewTriggerExtendsThePanic() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy(hold: .seconds(60)))
        let start = ManualClock().now
        _ = evaluator.decide(observed: Self.observe(stable: 0.55, short: 2.0, replicas: 2), now: start)
        // At 45 s the fleet of 8 sees another burst: ceil(8 × 1.2 / 0.5) = 20 ≥ 16.
        let again = evaluator.decide(
            observed: Self.observe(stable: 0.6, short: 1.2, replicas: 8), now: start + .seconds(45))
        let panic = try #require(again.scaling.panic)
        #expect(panic.triggered)
        #expect(panic.until == start + .seconds(105))
        #expect(again.scaling.desiredReplicas == 20)
        #expect(evaluator.state.panic.since == start)
    }

    @Test func disabledPanicReportsNothing() {
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(), observed: Self.observe(stable: 0.55, short: 50, replicas: 2), now: .epoch
        )
        #expect(evaluation.scaling.panic == nil)
        #expect(evaluation.scaling.desiredReplicas == 3)
    }
}

extension PanicModeTests {
    @Test func panicComparesWithReadyReplicasAndAddsOnlyWhatTheStartingOnesLack() throws {
        // 2 ready and 2 starting; the last 6 s saw 1.5 per ready replica: ceil(2 × 1.5 / 0.5) = 6 ≥ 2.0 × 2 ready.
        var evaluator = PolicyEvaluator(policy: Self.policy())
        let now = ManualClock().now
        let fleet = FleetState(
            desiredReplicas: 4, readyReplicas: 2, startingSince: [now - .seconds(20), now - .seconds(20)])
        let evaluation = evaluator.decide(
            observed: Observation(readings: ["load": .value(0.55)], shortWindow: ["load": .value(1.5)], fleet: fleet),
            now: now
        )
        let panic = try #require(evaluation.scaling.panic)
        #expect(panic.triggered)
        #expect(panic.triggerAt == 4)
        #expect(evaluation.scaling.desiredReplicas == 6)
    }
}
