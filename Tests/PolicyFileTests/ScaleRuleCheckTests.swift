import BallastCore
import PolicyFile
import Testing

/// Scale rules the replica formula cannot follow: each is rejected with its line, field and what to write.
struct ScaleRuleCheckTests {
    /// Line 5 is the first line under `spec:`.
    static let header = PolicyErrorTests.header

    static let cases: [ErrorCase] = [
        ErrorCase(
            name: "scaling on a signal that is too low",
            yaml: """
                  target: {model: m}
                  signals:
                    tps: sum(rate(ballast_generated_tokens_total[1m]))
                  rules:
                    - {name: slow, when: tps < 50, action: {scale: {target: 50}}}
                    - name: slow-and-idle
                      when:
                        all:
                          - tps <= 50
                      action: scale
                """,
            expected: [
                "p.yaml:9: spec.rules[slow].when compares tps with <, but a scale rule must fire when its signal is too high: while tps is low the replica formula asks for fewer replicas, so the fleet would shrink each time the rule fires; compare with > (`tps > 50`) to scale out on a high value, or use `action: alert` to report a low one.",
                "p.yaml:13: spec.rules[slow-and-idle].when.all[0] compares tps with <=, but a scale rule must fire when its signal is too high: while tps is low the replica formula asks for fewer replicas, so the fleet would shrink each time the rule fires; compare with > (`tps > 50`) to scale out on a high value, or use `action: alert` to report a low one.",
            ]),
        ErrorCase(
            name: "the formula signal is the one compared first",
            yaml: """
                  target: {model: m}
                  signals:
                    q: sum(ballast_queue_depth)
                    tps: sum(rate(ballast_generated_tokens_total[1m]))
                  rules:
                    - name: r
                      when: {any: [tps < 50, q > 5, q < 1000]}
                      action: {scale: {signal: q}}
                    - name: s
                      when: {any: [q < 1000, q > 5]}
                      action: {scale: {signal: q, target: 5}}
                """,
            expected: [
                "p.yaml:14: spec.rules[s].when.any[0] compares q with <, but a scale rule must fire when its signal is too high: while q is low the replica formula asks for fewer replicas, so the fleet would shrink each time the rule fires; compare with > (`q > 1000`) to scale out on a high value, or use `action: alert` to report a low one."
            ]),
        ErrorCase(
            name: "scaling on equality",
            yaml: """
                  target: {model: m}
                  signals: {q: sum(ballast_queue_depth)}
                  rules:
                    - {name: eq, when: q == 5, action: scale}
                    - {name: ne, when: q != 0, action: {scale: {target: 5}}}
                """,
            expected: [
                "p.yaml:8: spec.rules[eq].when compares q with ==, which holds only at one exact value, so it cannot tell when load is too high; compare with > (`q > 5`) so the rule scales out when q is high.",
                "p.yaml:9: spec.rules[ne].when compares q with !=, which holds at every value but one, so it cannot tell when load is too high; compare with > (`q > 0`) so the rule scales out when q is high.",
            ]),
        ErrorCase(
            name: "a scale signal the condition does not compare, without a target",
            yaml: """
                  target: {model: m}
                  signals:
                    q: sum(ballast_queue_depth)
                    util: {query: avg(x), unit: ratio}
                    lat: {metric: queue_wait_seconds}
                  rules:
                    - {name: a, when: q > 50, action: {scale: {signal: util}}}
                    - {name: b, when: q > 50, action: {scale: {signal: lat}}}
                    - {name: c, when: util > 0.9, action: {scale: {signal: q}}}
                    - {name: d, when: q > 50, action: {scale: {signal: util, target: 70%}}}
                """,
            expected: [
                "p.yaml:11: spec.rules[a].action.scale.target is missing and scale.signal util is not compared in the rule's when, so there is no threshold to aim at; add the value of util each replica should settle at, such as `target: 70%`, or compare util in when.",
                "p.yaml:12: spec.rules[b].action.scale.target is missing and scale.signal lat is not compared in the rule's when, so there is no threshold to aim at; add the value of lat each replica should settle at, such as `target: 500ms`, or compare lat in when.",
                "p.yaml:13: spec.rules[c].action.scale.target is missing and scale.signal q is not compared in the rule's when, so there is no threshold to aim at; add the value of q each replica should settle at, such as `target: 10`, or compare q in when.",
            ]),
        ErrorCase(
            name: "targets at or below zero",
            yaml: """
                  target: {model: m}
                  signals: {q: sum(ballast_queue_depth)}
                  rules:
                    - {name: z, when: q > 0, action: scale}
                    - {name: n, when: q >= -1, action: {scale: {}}}
                    - {name: t, when: q > 5, action: {scale: {target: -0.5}}}
                    - {name: u, when: q > 5, action: {scale: {target: 0ms}}}
                """,
            expected: [
                "p.yaml:8: spec.rules[z].action.scale.target is missing, so the threshold of `q > 0` would be the target, and the replica formula divides by it; add a target above 0, such as `target: 10`.",
                "p.yaml:9: spec.rules[n].action.scale.target is missing, so the threshold of `q >= -1` would be the target, and the replica formula divides by it; add a target above 0, such as `target: 10`.",
                "p.yaml:10: spec.rules[t].action.scale.target (-0.5) must be above 0 because the replica formula divides by it; write the value each replica should settle at, such as 0.5.",
                "p.yaml:11: spec.rules[u].action.scale.target (0ms) must be above 0 because the replica formula divides by it; write the value each replica should settle at, such as 0.5.",
            ]),
        ErrorCase(
            name: "a target above the threshold",
            yaml: """
                  target: {model: m}
                  signals:
                    lat: {metric: queue_wait_seconds}
                    util: {query: avg(x), unit: ratio}
                    q: sum(ballast_queue_depth)
                  rules:
                    - {name: t, when: lat > 500ms, action: {scale: {target: 800ms}}}
                    - name: u
                      when: {any: [util > 80%, q > 50]}
                      action: {scale: {signal: util, target: 0.9}}
                """,
            expected: [
                "p.yaml:11: spec.rules[t].action.scale.target (800ms) is above the threshold of `lat > 500ms`: while the rule fires with lat between 500ms and 800ms, the replica formula asks for fewer replicas; write a target of 500ms or less.",
                "p.yaml:14: spec.rules[u].action.scale.target (0.9) is above the threshold of `util > 80%`: while the rule fires with util between 80% and 0.9, the replica formula asks for fewer replicas; write a target of 80% or less.",
            ]),
        ErrorCase(
            name: "scaling on a cost",
            yaml: """
                  target: {model: m}
                  price: {perReplicaHour: 4.0, currency: CNY}
                  signals: {c: {cost: cost_per_inference}, q: sum(ballast_queue_depth)}
                  rules:
                    - {name: a, when: cost_per_inference > 0.03, action: scale}
                    - {name: b, when: q > 5, action: {scale: {signal: c, target: 0.03}}}
                    - {name: d, when: q > 5, action: {scale: {signal: cost_per_1k_tokens, target: 0.1}}}
                """,
            expected: [
                "p.yaml:9: spec.rules[a].action.scale follows cost_per_inference, a cost that rises with every replica added, so scaling out on it would raise it further; use a quantize or alert action for cost and scale on a load signal such as queue time or utilisation.",
                "p.yaml:10: spec.rules[b].action.scale.signal follows c, a cost that rises with every replica added, so scaling out on it would raise it further; use a quantize or alert action for cost and scale on a load signal such as queue time or utilisation.",
                "p.yaml:11: spec.rules[d].action.scale.signal follows cost_per_1k_tokens, a cost that rises with every replica added, so scaling out on it would raise it further; use a quantize or alert action for cost and scale on a load signal such as queue time or utilisation.",
            ]),
        ErrorCase(
            name: "duplicated rule names would share one timer",
            yaml: """
                  target: {model: m}
                  signals: {q: sum(ballast_queue_depth)}
                  rules:
                    - name: queue
                      when: q > 5
                      action: scale
                    - name: queue
                      when: q > 50
                      action: alert
                """,
            expected: [
                "p.yaml:11: spec.rules[queue].name repeats the rule defined at line 8; give each rule its own name."
            ]),
    ]

    @Test(arguments: cases)
    func scaleRuleProblemsAreExact(_ testCase: ErrorCase) {
        #expect(Support.problems(Self.header + testCase.yaml) == testCase.expected)
    }

    /// Scale rules the formula can follow load, and keep what was written.
    @Test(arguments: [
        ("q > 5", "scale", ScaleAction()),
        ("q >= 5", "{scale: {target: 5}}", ScaleAction(target: 5)),
        ("q > 5", "{scale: {target: 2}}", ScaleAction(target: 2)),
        ("q > 5", "{scale: {signal: util, target: 0.7}}", ScaleAction(signal: "util", target: 0.7)),
        ("{all: [tps < 50, q > 5]}", "{scale: {signal: q}}", ScaleAction(signal: "q")),
        ("{any: [q > 5, q < 1000]}", "{scale: {signal: q, target: 5}}", ScaleAction(signal: "q", target: 5)),
    ] as [(String, String, ScaleAction)])
    func acceptedScaleRules(when condition: String, action: String, expected: ScaleAction) throws {
        let when = condition.hasPrefix("{") ? condition : Support.quoted(condition)
        let policy = try PolicyLoader.parse(
            Support.policy(
                """
                  signals:
                    q: sum(ballast_queue_depth)
                    util: {query: avg(x), unit: ratio}
                    tps: sum(rate(ballast_generated_tokens_total[1m]))
                  rules: [{name: r, when: \(when), action: \(action)}]
                """), file: "p.yaml")
        #expect(policy.rules.first?.action == .scale(expected))
    }
}
