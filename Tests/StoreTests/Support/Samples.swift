import BallastCore
import Foundation

/// Records for tests, built the way the controller builds them. `Evaluation` has no public initializer (only the
/// evaluator makes one), so the sample is decoded from the JSON form the store writes.
enum Samples {
    /// 2026-01-01T00:00:00Z.
    static let start = Timestamp(secondsSinceEpoch: 1_767_225_600)

    static func deployment(_ policy: String = "r1-7b", version: String? = nil) -> DeploymentKey {
        DeploymentKey(policy: policy, model: "model-of-\(policy)", version: version)
    }

    /// An evaluation whose readings include every case of `SignalReading`, infinities, NaN and unicode.
    static func evaluation(policy: String = "r1-7b", time: Timestamp = start) throws -> Evaluation {
        let json = """
            {
              "policy": "\(policy)", "time": \(time.millisecondsSinceEpoch),
              "signals": [
                {"name": "queue_p95", "reading": {"value": 0.84}},
                {"name": "overload", "reading": {"value": "+Inf"}, "formula": "1 / 0"},
                {"name": "underload", "reading": {"value": "-Inf"}},
                {"name": "empty_histogram", "reading": {"value": "NaN"}},
                {"name": "tokens", "reading": {"missing": "no series matched; 模型 «r1» 🚀"}},
                {"name": "memory_ratio", "reading": {"staleSince": \(time.millisecondsSinceEpoch - 90_000)}},
                {"name": "cost", "reading": {"failed": "connection refused by 127.0.0.1:9090"}}
              ],
              "rules": [
                {"rule": "queue-time", "action": "scale", "status": {"state": "firing"},
                 "condition": "queue_p95 (0.84) > 0.5"},
                {"rule": "memory", "action": "shard",
                 "status": {"state": "pending", "since": \(time.millisecondsSinceEpoch - 10_000), "remainingMilliseconds": 20000},
                 "condition": "memory_ratio > 0.85", "note": "shards already at maxShards (8)"},
                {"rule": "cost", "action": "quantize", "status": {"state": "held", "reason": "cost could not be read"},
                 "condition": "cost > 0.03"},
                {"rule": "cool", "action": "alert", "status": {"state": "coolingDown", "until": \(time.millisecondsSinceEpoch + 60_000)},
                 "condition": "overload > 1"},
                {"rule": "idle", "action": "scale", "status": {"state": "inactive"}, "condition": "underload < 0"}
              ],
              "scaling": {
                "currentReplicas": 1, "desiredReplicas": 3,
                "recommendations": [
                  {"rule": "queue-time", "status": {"state": "firing"}, "condition": "queue_p95 (0.84) > 0.5",
                   "signal": "queue_p95", "reading": {"value": 0.84}, "target": 0.5,
                   "formula": "ceil(1 × 0.84 / 0.5) = 2", "replicas": 2},
                  {"rule": "overload", "status": {"state": "firing"}, "condition": "overload (+Inf) > 1",
                   "signal": "overload", "reading": {"value": "+Inf"}, "formula": "ceil(1 × +Inf / 1) = +Inf",
                   "replicas": 3, "note": "an infinite reading asks for the maximum"}
                ],
                "steps": [
                  {"kind": "highestRecommendation", "from": 1, "to": 3, "detail": "overload asked for the most"},
                  {"kind": "bounds", "from": 3, "to": 3, "detail": "within 1…10"}
                ],
                "panic": {"active": true, "triggered": true, "shortWindowReplicas": 4, "triggerAt": "+Inf",
                          "until": \(time.millisecondsSinceEpoch + 60_000)},
                "summary": "scale 1 → 3: overload: ceil(1 × +Inf / 1) = +Inf"
              },
              "actions": [
                {"rule": "memory", "directive": {"shard": {"from": 1, "to": 2}},
                 "condition": "memory_ratio (0.91) > 0.85",
                 "readings": [{"signal": "memory_ratio", "reading": {"value": 0.91}, "op": ">", "threshold": 0.85}],
                 "summary": "memory: shard 1 → 2"},
                {"rule": "cool", "directive": {"alert": {"severity": "page", "summary": "Überlast — 过载", "webhook": null}},
                 "condition": "overload (+Inf) > -Inf",
                 "readings": [{"signal": "overload", "reading": {"value": "+Inf"}, "op": ">", "threshold": "-Inf"}],
                 "summary": "cool: alert"}
              ]
            }
            """
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(Evaluation.self, from: Data(json.utf8))
    }

    static func decision(
        policy: String = "r1-7b", time: Timestamp = start, kind: String = "scale", rule: String? = "queue-time",
        summary: String = "scale 1 → 3: queue-time: ceil(1 × 1.42 / 0.5) = 3"
    ) throws -> DecisionRecord {
        DecisionRecord(
            time: time, deployment: deployment(policy), kind: kind, rule: rule, summary: summary,
            evaluation: try evaluation(policy: policy, time: time))
    }

    static func desired(policy: String = "r1-7b", replicas: Int = 3) -> DesiredState {
        DesiredState(deployment: deployment(policy), replicas: replicas, shards: 2, modelPath: "/models/r1 ✓.gguf")
    }

    static func state(policy: String = "r1-7b", replicas: Int = 3, time: Timestamp = start) -> DeploymentState {
        var tracker = RuleTracker()
        _ = tracker.advance(outcome: .breached, forDuration: .seconds(30), now: time - .seconds(40))
        _ = tracker.advance(outcome: .breached, forDuration: .seconds(30), now: time)
        let history = ScalingHistory(
            recommendations: [.init(replicas: replicas, time: time)],
            scaleUpEvents: [.init(change: 2, time: time)], scaleDownEvents: [])
        return DeploymentState(
            desired: desired(policy: policy, replicas: replicas),
            evaluator: PolicyEvaluator.State(
                rules: ["queue-time": tracker], history: history,
                panic: .init(since: time, until: time + .seconds(60))),
            updatedAt: time)
    }

    static func action(
        _ key: String, policy: String = "r1-7b", decisionIndex: Int64? = 0, status: ActionStatus = .planned,
        createdAt: Timestamp = start
    ) -> ActionRecord {
        ActionRecord(
            key: key, decisionID: decisionIndex, deployment: deployment(policy), kind: "scale",
            request: "scale to 3 replicas", desired: desired(policy: policy), status: status,
            commands: [
                CommandRecord(
                    arguments: ["kubectl", "scale", "--replicas=3", "deployment/\(policy)"], exitCode: 0,
                    stdout: "deployment.apps/\(policy) scaled\n", stderr: "", durationSeconds: 0.25)
            ],
            createdAt: createdAt)
    }

    /// One tick of `policy` at `time`: one decision and the given actions (decision index 0 by default).
    static func tick(
        policy: String = "r1-7b", time: Timestamp = start, actions: [ActionRecord] = []
    ) throws -> TickCommit {
        TickCommit(
            state: state(policy: policy, time: time), decisions: [try decision(policy: policy, time: time)],
            actions: actions)
    }

    /// `value` as sorted-key JSON with non-finite numbers spelled out, for comparing records that hold NaN
    /// (NaN is not equal to itself, so `==` cannot compare them).
    static func canonical(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
