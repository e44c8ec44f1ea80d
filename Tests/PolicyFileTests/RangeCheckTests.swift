import BallastCore
import PolicyFile
import Testing

/// Values outside what the evaluator, the quantizer and Kubernetes can act on; and the edges that still load.
struct RangeCheckTests {
    /// Line 5 is the first line under `spec:`.
    static let header = PolicyErrorTests.header

    static let cases: [ErrorCase] = [
        ErrorCase(
            name: "empty scaling policies",
            yaml: """
                  target: {model: m}
                  behavior:
                    scaleUp: {policies: [], selectPolicy: Disabled}
                    scaleDown: {policies: []}
                """,
            expected: [
                "p.yaml:8: spec.behavior.scaleDown.policies is empty, so the fleet would never scale down; remove `policies` to keep Kubernetes' default (100 % per 15s), list at least one such as `{type: Pods, value: 4, period: 15s}`, or write `selectPolicy: Disabled` to turn scaling down off."
            ]),
        ErrorCase(
            name: "empty scaling policies with Min, and not a list",
            yaml: """
                  target: {model: m}
                  behavior:
                    scaleUp:
                      selectPolicy: Min
                      policies: []
                    scaleDown: {policies: 3}
                """,
            expected: [
                "p.yaml:9: spec.behavior.scaleUp.policies is empty, so the fleet would never scale up; remove `policies` to keep Kubernetes' default (100 % per 15s or 4 pods per 15s), list at least one such as `{type: Pods, value: 4, period: 15s}`, or write `selectPolicy: Disabled` to turn scaling up off.",
                "p.yaml:10: spec.behavior.scaleDown.policies must be a list such as `[{type: Pods, value: 4, period: 15s}]`, not `3`.",
            ]),
        ErrorCase(
            name: "an unreadable selectPolicy does not blame the empty list",
            yaml: """
                  target: {model: m}
                  behavior:
                    scaleUp: {policies: [], selectPolicy: Off}
                """,
            expected: [
                "p.yaml:7: spec.behavior.scaleUp.selectPolicy (`Off`) is not one of Max, Min, Disabled; write one of them."
            ]),
        ErrorCase(
            name: "a panic threshold above Knative's bound",
            yaml: """
                  target: {model: m}
                  behavior:
                    panic: {threshold: 12}
                """,
            expected: [
                "p.yaml:7: spec.behavior.panic.threshold (12) must be from 1.1 to 10, Knative's bounds: panic starts when short-window demand reaches threshold × ready replicas, so above 10 a burst would have to exceed ten times the ready fleet before panic helped; write 2.0, the default."
            ]),
        ErrorCase(
            name: "shard and quantize bounds",
            yaml: """
                  target: {model: m}
                  signals: {q: sum(ballast_queue_depth)}
                  rules:
                    - {name: a, when: q > 1, action: {shard: {factor: 1}}}
                    - {name: b, when: q > 1, action: {shard: {maxShards: 0}}}
                    - {name: c, when: q > 1, action: {quantize: {to: q4_0, maxQualityLoss: 0}}}
                    - {name: d, when: q > 1, action: {quantize: {to: q4_0, maxQualityLoss: 1}}}
                    - {name: e, when: q > 1, action: {quantize: {to: q4_0, maxQualityLoss: 1.5}}}
                """,
            expected: [
                "p.yaml:8: spec.rules[a].action.shard.factor (1) is below 2; write 2 or more.",
                "p.yaml:9: spec.rules[b].action.shard.maxShards (0) is below 1; write 1 or more.",
                "p.yaml:10: spec.rules[c].action.quantize.maxQualityLoss (0) must be above 0 and below 1: every quantization loses some quality, so 0 would reject every candidate; write the largest loss to accept as a fraction, such as 0.02 for 2 % (document 000 gives 1–2 % for INT4).",
                "p.yaml:11: spec.rules[d].action.quantize.maxQualityLoss (1) must be above 0 and below 1: a loss of 100 % would accept any candidate, however broken; write the largest loss to accept as a fraction, such as 0.02 for 2 % (document 000 gives 1–2 % for INT4).",
                "p.yaml:12: spec.rules[e].action.quantize.maxQualityLoss (1.5) is above 1; write 1 or less.",
            ]),
        ErrorCase(
            name: "tensors kept at full precision",
            yaml: """
                  target: {model: m}
                  signals: {q: sum(ballast_queue_depth)}
                  rules:
                    - {name: a, when: q > 1, action: {quantize: {to: q4_0, keep: [attn_q, " "]}}}
                    - name: b
                      when: q > 1
                      action:
                        quantize:
                          to: q4_0
                          keep:
                            - attn_q
                            - attn_k
                            - attn_q
                    - {name: c, when: q > 1, action: {quantize: {to: q8_0, keep: []}}}
                """,
            expected: [
                "p.yaml:8: spec.rules[a].action.quantize.keep[1] is empty; write a tensor name such as attn_q, or remove the entry.",
                "p.yaml:17: spec.rules[b].action.quantize.keep lists attn_q twice; list each tensor once.",
            ]),
        ErrorCase(
            name: "a repeated rollout step",
            yaml: """
                  target: {model: m}
                  rollout: {steps: [5, 5, 100]}
                """,
            expected: [
                "p.yaml:6: spec.rollout.steps lists 5 twice; list each percentage once, smallest first."
            ]),
        ErrorCase(
            name: "a rollout step above 100",
            yaml: """
                  target: {model: m}
                  rollout: {steps: [5, 150]}
                """,
            expected: [
                "p.yaml:6: spec.rollout.steps holds 150; every step is a percentage from 1 to 100."
            ]),
        ErrorCase(
            name: "a rollout total too short to wait",
            yaml: """
                  target: {model: m}
                  rollout: {steps: [5, 25, 50, 100], total: 2ms}
                """,
            expected: [
                "p.yaml:6: spec.rollout.total leaves no time between steps (3 waits before 100); write a total of at least 3ms, such as 48h."
            ]),
        ErrorCase(
            name: "a zero rollout interval",
            yaml: """
                  target: {model: m}
                  rollout: {interval: 0s}
                """,
            expected: [
                "p.yaml:6: spec.rollout.interval must be longer than 0s; write for example 16h."
            ]),
        ErrorCase(
            name: "a zero P95 gate",
            yaml: """
                  target: {model: m}
                  rollout:
                    analysis: {maxP95: 0s}
                """,
            expected: [
                "p.yaml:7: spec.rollout.analysis.maxP95 must be longer than 0s: no request finishes in no time, so every canary would fail; write the slowest P95 latency to accept, such as 1s."
            ]),
    ]

    @Test(arguments: cases)
    func rangeProblemsAreExact(_ testCase: ErrorCase) {
        #expect(Support.problems(Self.header + testCase.yaml) == testCase.expected)
    }

    /// Knative's panic-threshold-percentage bounds, 110 % to 1000 %, as multiples.
    @Test(arguments: [(1.1, true), (2, true), (10, true), (1, false), (1.05, false), (10.5, false), (0, false)])
    func panicThresholdBounds(threshold: Double, accepted: Bool) throws {
        let yaml = Self.header + "  target: {model: m}\n  behavior:\n    panic: {threshold: \(threshold)}\n"
        let problems = Support.problems(yaml)
        if accepted {
            #expect(problems.isEmpty, "\(problems)")
            let policy = try PolicyLoader.parse(yaml, file: "p.yaml")
            #expect(policy.behavior.panic?.threshold == threshold)
        } else {
            #expect(problems.count == 1)
            #expect(problems.first?.hasPrefix("p.yaml:7: spec.behavior.panic.threshold (") == true, "\(problems)")
            #expect(problems.first?.contains("must be from 1.1 to 10, Knative's bounds") == true, "\(problems)")
        }
    }

    /// Tolerance is a band around a ratio of 1: from 0 up to, not including, 1.
    @Test(arguments: [(0, true), (0.5, true), (0.995, true), (1, false), (2, false)])
    func toleranceBounds(tolerance: Double, accepted: Bool) throws {
        let yaml = Self.header + "  target: {model: m}\n  behavior: {tolerance: \(tolerance)}\n"
        let problems = Support.problems(yaml)
        if accepted {
            let policy = try PolicyLoader.parse(yaml, file: "p.yaml")
            #expect(policy.behavior.tolerance == tolerance)
        } else {
            #expect(problems.count == 1)
            #expect(problems.first?.hasPrefix("p.yaml:6: spec.behavior.tolerance (") == true, "\(problems)")
            #expect(problems.first?.contains("must be below 1") == true, "\(problems)")
        }
    }

    /// `selectPolicy: Disabled` with `policies: []` turns one direction off, and survives the writer.
    @Test func disabledDirectionWithNoPoliciesRoundTrips() throws {
        let yaml =
            Self.header
            + "  target: {model: m}\n  behavior:\n    scaleDown: {policies: [], selectPolicy: Disabled}\n"
        let policy = try PolicyLoader.parse(yaml, file: "p.yaml")
        #expect(policy.behavior.scaleDown.policies.isEmpty)
        #expect(policy.behavior.scaleDown.selectPolicy == .disabled)
        #expect(policy.behavior.scaleUp == .defaultScaleUp)
        let reread = try PolicyLoader.parse(PolicyWriter.yaml(for: policy), file: "written.yaml")
        #expect(reread == policy)
    }

    /// The local runtime may scale to zero, so `minReplicas: 0` loads even next to `deployment:`; rendering
    /// Kubernetes objects is where a HorizontalPodAutoscaler's minimum of 1 is enforced.
    @Test func zeroMinReplicasLoadsWithADeployment() throws {
        let policy = try PolicyLoader.parse(
            Self.header + "  target: {model: m, minReplicas: 0, maxReplicas: 3}\n  deployment: {namespace: prod}\n",
            file: "p.yaml")
        #expect(policy.target.minReplicas == 0)
        #expect(policy.deployment.namespace == "prod")
    }

    /// Edges that remain valid: factor 2 of 2 shards, a 99.9 % quality budget, a one-step rollout.
    @Test func edgesThatStillLoad() throws {
        let policy = try PolicyLoader.parse(
            Self.header + """
                  target: {model: m}
                  signals: {q: sum(ballast_queue_depth)}
                  rules:
                    - {name: a, when: q > 1, action: {shard: {factor: 2, maxShards: 2}}}
                    - {name: b, when: q > 1, action: {quantize: {to: q8_0, maxQualityLoss: 0.999}}}
                  rollout: {steps: [100], analysis: {maxP95: 1ms}}
                """, file: "p.yaml")
        #expect(policy.rules.map(\.action.kind) == ["shard", "quantize"])
        #expect(policy.rollout.steps == [100])
        #expect(policy.rollout.analysis.maxP95 == .milliseconds(1))
    }
}
