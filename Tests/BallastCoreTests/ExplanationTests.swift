import BallastCore
import BallastTesting
import Testing

/// Every step that changes the count is named in the decision and in its one-line summary.
struct ExplanationTests {
    @Test func stabilizationIsExplained() throws {
        var evaluator = PolicyEvaluator(policy: Fixture.scalePolicy(signal: "load", threshold: 0.5))
        let start = ManualClock().now
        _ = evaluator.decide(observed: Fixture.observe("load", 0.5, replicas: 10), now: start)
        let evaluation = evaluator.decide(
            observed: Fixture.observe("load", 0.1, replicas: 10), now: start + .seconds(15))
        #expect(evaluation.scaling.desiredReplicas == 10)
        let step = try #require(evaluation.scaling.steps.first)
        #expect(step.kind == .stabilization)
        #expect(step.from == 2 && step.to == 10)
        #expect(
            evaluation.scaling.summary
                == "hold at 10 replicas: load-rule: ceil(10 × 0.1 / 0.5) = 2; stabilization 2 → 10: the highest recommendation of the last 300s is 10"
        )
    }

    @Test func boundsAreExplained() throws {
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(signal: "load", threshold: 0.5, maxReplicas: 5, behavior: Fixture.unlimited),
            observed: Fixture.observe("load", 2.0, replicas: 4), now: .epoch)
        #expect(evaluation.scaling.desiredReplicas == 5)
        let step = try #require(evaluation.scaling.steps.first)
        #expect(step.kind == .bounds)
        #expect(step.detail == "TooManyReplicas: maxReplicas is 5")
        #expect(
            evaluation.scaling.summary
                == "scale 4 → 5: load-rule: ceil(4 × 2 / 0.5) = 16; bounds 16 → 5: TooManyReplicas: maxReplicas is 5")
    }

    @Test func outOfBoundsComesFirst() throws {
        let evaluation = PolicyEvaluator.explain(
            policy: Fixture.scalePolicy(signal: "load", threshold: 0.5, minReplicas: 3),
            observed: Fixture.observe("load", 0.5, replicas: 1),
            now: .epoch)
        #expect(evaluation.scaling.desiredReplicas == 3)
        #expect(evaluation.scaling.steps.map(\.kind) == [.outOfBounds])
        #expect(evaluation.scaling.steps.first?.detail == "1 replicas is outside minReplicas 3…maxReplicas 100")
    }

    @Test func evaluationSummaryJoinsScalingAndActions() {
        let policy = Policy(
            name: "p",
            target: Target(model: "m"),
            signals: [Signal(name: "memory_ratio", source: .query("m"))],
            rules: [
                Rule(
                    name: "memory", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.85),
                    action: .shard(ShardAction()))
            ],
            behavior: ScalingBehavior(panic: nil)
        )
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: ["memory_ratio": 0.9], fleet: .steady(2)), now: .epoch)
        #expect(
            evaluation.summary == "hold at 2 replicas: no scale rule; memory: shard 1 → 2 (memory_ratio (0.9) > 0.85)")
    }

    struct OddPolicy: Sendable, CustomStringConvertible {
        var name: String
        var policy: Policy
        var description: String { name }
    }

    static func odd(_ name: String, rules: [Rule], behavior: ScalingBehavior = ScalingBehavior()) -> OddPolicy {
        OddPolicy(
            name: name,
            policy: Policy(
                name: name, target: Target(model: "m"), signals: [Signal(name: "x", source: .query("x"))], rules: rules,
                behavior: behavior))
    }

    static let breach = Condition.compare(signal: "x", op: .greater, threshold: 0.5)

    @Test(arguments: [
        odd("no rules", rules: []),
        odd(
            "duplicate rule names",
            rules: [
                Rule(name: "r", condition: breach, action: .scale(ScaleAction())),
                Rule(name: "r", condition: breach, action: .alert(AlertAction())),
            ]),
        odd(
            "shard factor 0",
            rules: [Rule(name: "s", condition: breach, action: .shard(ShardAction(factor: 0, maxShards: 0)))]),
        odd(
            "negative cooldown and for",
            rules: [
                Rule(
                    name: "s", condition: breach, forDuration: .seconds(-5), cooldown: .seconds(-5),
                    action: .scale(ScaleAction()))
            ]),
        odd("empty all", rules: [Rule(name: "e", condition: .all([]), action: .scale(ScaleAction()))]),
        odd(
            "negative panic hold and NaN threshold",
            rules: [Rule(name: "s", condition: breach, action: .scale(ScaleAction()))],
            behavior: ScalingBehavior(
                tolerance: .nan, panic: PanicSettings(window: .zero, threshold: .nan, hold: .seconds(-1)))),
        odd(
            "no rate policies",
            rules: [Rule(name: "s", condition: breach, action: .scale(ScaleAction()))],
            behavior: ScalingBehavior(
                scaleUp: ScalingRules(stabilizationWindow: .seconds(-10), policies: []),
                scaleDown: ScalingRules(stabilizationWindow: .zero, policies: []))),
    ])
    func oddPoliciesDecideWithoutCrashing(_ odd: OddPolicy) {
        var evaluator = PolicyEvaluator(policy: odd.policy)
        var clock = ManualClock()
        for value in [0.9, 0.0, .infinity, .nan, 0.7] {
            let evaluation = evaluator.decide(
                observed: Observation(values: ["x": value], fleet: .steady(3)), now: clock.now)
            #expect(evaluation.scaling.desiredReplicas >= 1 && evaluation.scaling.desiredReplicas <= 10)
            clock.advance(by: .seconds(15))
        }
    }
}
