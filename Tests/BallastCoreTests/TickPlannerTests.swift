import BallastCore
import BallastTesting
import Testing

/// What a controller tick stores and does for each kind of evaluation.
struct TickPlannerTests {
    static let deployment = DeploymentKey(policy: "r1-7b", model: "r1-7b")
    static let policy = Policy(
        name: "r1-7b",
        target: Target(model: "r1-7b", minReplicas: 1, maxReplicas: 10),
        signals: [
            Signal(name: "queue_p95", source: .query("q")),
            Signal(name: "memory_ratio", source: .query("m")),
        ],
        rules: [
            Rule(
                name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                action: .scale(ScaleAction(target: 0.5))),
            Rule(
                name: "memory", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.85),
                action: .shard(ShardAction())),
            Rule(
                name: "memory-alert", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9),
                action: .alert(AlertAction(severity: .critical, summary: "memory high"))),
        ],
        behavior: ScalingBehavior(panic: nil)
    )

    static func evaluate(queue: Double, memory: Double, replicas: Int = 2, at seconds: Int64 = 100) -> Evaluation {
        PolicyEvaluator.explain(
            policy: policy,
            observed: Observation(values: ["queue_p95": queue, "memory_ratio": memory], fleet: .steady(replicas)),
            now: Timestamp(secondsSinceEpoch: seconds))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var queue: Double
        var memory: Double
        var paused: Bool = false
        var kinds: [String]
        var actionKinds: [String]
        var replicas: Int
        var shards: Int
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "calm fleet holds", queue: 0.5, memory: 0.5, kinds: ["hold"], actionKinds: [], replicas: 2, shards: 1),
        Case(
            name: "queue breach scales", queue: 0.84, memory: 0.5, kinds: ["scale"], actionKinds: ["scale"], replicas: 4,
            shards: 1),
        Case(
            name: "memory breach shards", queue: 0.5, memory: 0.88, kinds: ["shard"], actionKinds: ["shard"],
            replicas: 2, shards: 2),
        Case(
            name: "both at once share one desired state", queue: 0.84, memory: 0.95,
            kinds: ["scale", "shard", "alert"], actionKinds: ["scale", "shard", "alert"], replicas: 4, shards: 2),
        Case(
            name: "paused records but does not move", queue: 0.84, memory: 0.95, paused: true,
            kinds: ["shard", "alert"], actionKinds: ["alert"], replicas: 2, shards: 1),
    ])
    func plansDecisionsAndActions(_ c: Case) {
        let previous = DesiredState(deployment: Self.deployment, replicas: 2)
        let evaluation = Self.evaluate(queue: c.queue, memory: c.memory)
        let plan = TickPlanner.plan(previous: previous, evaluation: evaluation, lastFingerprint: nil, paused: c.paused)
        #expect(plan.decisions.map(\.kind) == c.kinds)
        #expect(plan.actions.map(\.kind) == c.actionKinds)
        #expect(plan.desired.replicas == c.replicas)
        #expect(plan.desired.shards == c.shards)
        for action in plan.actions {
            let index = Int(action.decisionID ?? -1)
            #expect(plan.decisions.indices.contains(index))
            #expect(plan.decisions[index].kind == action.kind)
            #expect(action.status == .planned)
            if action.kind == "scale" || action.kind == "shard" {
                #expect(action.desired == plan.desired)
            }
        }
    }

    @Test func scaleDecisionNamesTheRuleAndFormula() throws {
        let plan = TickPlanner.plan(
            previous: DesiredState(deployment: Self.deployment, replicas: 2),
            evaluation: Self.evaluate(queue: 0.84, memory: 0.5), lastFingerprint: nil)
        let decision = try #require(plan.decisions.first)
        #expect(decision.rule == "queue-time")
        #expect(decision.summary == "scale 2 → 4: queue-time: ceil(2 × 0.84 / 0.5) = 4")
        #expect(plan.actions.first?.request == "scale to 4 replicas")
        #expect(plan.actions.first?.key == "r1-7b/scale/queue-time/100000")
    }

    @Test func holdIsKeptOnlyWhenTheOutcomeChanges() {
        let previous = DesiredState(deployment: Self.deployment, replicas: 2)
        let first = TickPlanner.plan(
            previous: previous, evaluation: Self.evaluate(queue: 0.45, memory: 0.5), lastFingerprint: nil)
        #expect(first.decisions.count == 1)
        // Different readings, same outcome: nothing new to store.
        let second = TickPlanner.plan(
            previous: previous, evaluation: Self.evaluate(queue: 0.5, memory: 0.6, at: 105),
            lastFingerprint: first.fingerprint)
        #expect(second.decisions.isEmpty)
        #expect(second.actions.isEmpty)
        // A reading going missing changes the rule's status, so the hold is kept again.
        let missing = PolicyEvaluator.explain(
            policy: Self.policy,
            observed: Observation(
                readings: ["queue_p95": .failed(reason: "scrape failed"), "memory_ratio": .value(0.5)],
                fleet: .steady(2)),
            now: Timestamp(secondsSinceEpoch: 110))
        let third = TickPlanner.plan(previous: previous, evaluation: missing, lastFingerprint: second.fingerprint)
        #expect(third.decisions.map(\.kind) == ["hold"])
    }

    @Test func actionKeysAreStablePerTickAndDistinctAcrossTicks() {
        let previous = DesiredState(deployment: Self.deployment, replicas: 2)
        let a = TickPlanner.plan(previous: previous, evaluation: Self.evaluate(queue: 0.84, memory: 0.5), lastFingerprint: nil)
        let b = TickPlanner.plan(previous: previous, evaluation: Self.evaluate(queue: 0.84, memory: 0.5), lastFingerprint: nil)
        let c = TickPlanner.plan(
            previous: previous, evaluation: Self.evaluate(queue: 0.84, memory: 0.5, at: 101), lastFingerprint: nil)
        #expect(a.actions.map(\.key) == b.actions.map(\.key))
        #expect(Set(a.actions.map(\.key)).isDisjoint(with: c.actions.map(\.key)))
    }
}
