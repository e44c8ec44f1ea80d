import BallastCore
import PolicyFile
import Testing

/// The loader's scale-rule checks against the evaluator that consumes them: a scale rule the loader accepts
/// asks for more replicas when it fires, and the rules it rejects would hold or shrink the fleet instead.
struct EvaluatorAgreementTests {
    static let signals = """
          signals:
            q: sum(ballast_queue_depth)
            util: {query: avg(x), unit: ratio}
            tps: sum(rate(ballast_generated_tokens_total[1m]))
        """

    /// A condition, an action, and readings under which the condition holds.
    @Test(arguments: [
        ("q > 5", "scale", ["q": 20]),
        ("q >= 5", "{scale: {target: 5}}", ["q": 20]),
        ("q > 5", "{scale: {target: 2}}", ["q": 6]),
        ("q > 5", "{scale: {signal: util, target: 0.7}}", ["q": 20, "util": 0.9]),
        ("{all: [tps < 50, q > 5]}", "{scale: {signal: q}}", ["q": 20, "tps": 10]),
        ("{any: [q > 5, q < 1000]}", "{scale: {signal: q, target: 5}}", ["q": 20]),
        ("util > 80%", "{scale: {target: 70%}}", ["util": 0.85]),
    ] as [(String, String, [String: Double])])
    func acceptedRulesGrowTheFleetWhenTheyFire(condition: String, action: String, values: [String: Double]) throws {
        let when = condition.hasPrefix("{") ? condition : Support.quoted(condition)
        let policy = try PolicyLoader.parse(
            Support.policy(Self.signals + "\n  rules: [{name: r, when: \(when), action: \(action)}]"), file: "p.yaml")
        let evaluation = PolicyEvaluator.explain(
            policy: policy, observed: Observation(values: values, fleet: .steady(2)), now: .epoch)
        let recommendation = try #require(evaluation.scaling.recommendations.first)
        #expect(recommendation.status == .firing)
        #expect(recommendation.note?.hasPrefix("held") != true, "\(recommendation)")
        #expect(recommendation.replicas > 2, "\(recommendation)")
    }

    /// Rules the loader rejects, built directly, and what the evaluator would do with them while they fire.
    @Test func rejectedRulesWouldHoldOrShrinkTheFleet() {
        let low = Rule(name: "low", condition: .compare(signal: "q", op: .less, threshold: 50), action: .scale(.init()))
        let high = Rule(
            name: "high", condition: .compare(signal: "q", op: .greater, threshold: 5),
            action: .scale(ScaleAction(target: 8)))
        let unaimed = Rule(
            name: "unaimed", condition: .compare(signal: "q", op: .greater, threshold: 5),
            action: .scale(ScaleAction(signal: "util")))
        for (rule, value, current) in [(low, 10.0, 2), (high, 6.0, 4), (unaimed, 20.0, 2)] {
            var policy = Policy(name: "p", target: Target(model: "m"))
            policy.signals = [
                Signal(name: "q", source: .query("sum(ballast_queue_depth)")),
                Signal(name: "util", source: .query("avg(x)")),
            ]
            policy.rules = [rule]
            let evaluation = PolicyEvaluator.explain(
                policy: policy, observed: Observation(values: ["q": value, "util": 0.5], fleet: .steady(current)),
                now: .epoch)
            let recommendation = evaluation.scaling.recommendations.first
            #expect(evaluation.rules.first?.status == .firing, "\(rule.name)")
            let held = recommendation?.note?.hasPrefix("held") == true
            #expect(
                held || (recommendation?.replicas ?? current) < current,
                "\(rule.name): \(String(describing: recommendation))")
        }
    }
}
