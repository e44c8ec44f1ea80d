/// Turns one evaluation into what the controller stores and does: the next desired state, the
/// decisions worth keeping, and the actions to carry out.
///
/// Pure: the daemon calls it between `PolicyEvaluator.decide` and `StateStore.commit`, so a test can
/// feed evaluations and read back exactly which actions a tick plans and under which keys.
public enum TickPlanner {
    /// What one tick plans for one deployment.
    public struct Plan: Hashable, Sendable {
        /// The deployment's desired state after the tick.
        public var desired: DesiredState
        /// Decisions to store, in the order they were made.
        public var decisions: [DecisionRecord]
        /// Actions to store and carry out; ``ActionRecord/decisionID`` holds the index into ``decisions``.
        public var actions: [ActionRecord]
        /// Fingerprint of the evaluation's outcome, to pass back as `lastFingerprint` next tick.
        public var fingerprint: String
    }

    /// Plans one tick.
    ///
    /// A `hold` decision (nothing to do) is kept only when the outcome differs from `lastFingerprint`:
    /// a rule changed status or the scaling steps changed. A steady fleet then writes one decision, not
    /// one per tick, and `ballast explain` still shows every change of mind.
    /// - Parameters:
    ///   - previous: the desired state before the tick.
    ///   - evaluation: the evaluator's result for this tick.
    ///   - lastFingerprint: ``Plan/fingerprint`` of the previous tick; `nil` after a start.
    ///   - paused: when true, scale and shard decisions are recorded but not acted on.
    public static func plan(
        previous: DesiredState, evaluation: Evaluation, lastFingerprint: String?, paused: Bool = false
    ) -> Plan {
        let now = evaluation.time
        let deployment = previous.deployment
        var desired = previous
        var decisions: [DecisionRecord] = []
        var actions: [ActionRecord] = []
        let stamp = now.millisecondsSinceEpoch

        func key(_ kind: String, _ rule: String?) -> String {
            "\(deployment.policy)/\(kind)/\(rule ?? "-")/\(stamp)"
        }

        let scaling = evaluation.scaling
        if scaling.changes && !paused {
            desired.replicas = scaling.desiredReplicas
            let driver = scaling.recommendations
                .filter { $0.status == .firing }
                .max { $0.replicas < $1.replicas }?.rule
            decisions.append(
                DecisionRecord(
                    time: now, deployment: deployment, kind: "scale", rule: driver, summary: scaling.summary,
                    evaluation: evaluation))
        }
        for action in evaluation.actions {
            let kind: String
            switch action.directive {
            case .shard(_, let to):
                kind = "shard"
                if !paused { desired.shards = to }
            case .quantize: kind = "quantize"
            case .alert: kind = "alert"
            case .rollout: kind = "rollout"
            }
            decisions.append(
                DecisionRecord(
                    time: now, deployment: deployment, kind: kind, rule: action.rule, summary: action.summary,
                    evaluation: evaluation))
        }

        // Scale and shard move one desired state; both actions carry the final one, applied once.
        for (index, decision) in decisions.enumerated() {
            let moves = decision.kind == "scale" || decision.kind == "shard"
            if moves && paused { continue }
            actions.append(
                ActionRecord(
                    key: key(decision.kind, decision.rule), decisionID: Int64(index), deployment: deployment,
                    kind: decision.kind, request: request(for: decision, desired: desired),
                    desired: moves ? desired : nil, createdAt: now))
        }

        let fingerprint = Self.fingerprint(evaluation)
        if decisions.isEmpty && fingerprint != lastFingerprint {
            let summary = paused && scaling.changes ? "paused: \(scaling.summary)" : scaling.summary
            decisions.append(
                DecisionRecord(
                    time: now, deployment: deployment, kind: "hold", rule: nil, summary: summary,
                    evaluation: evaluation))
        }
        return Plan(desired: desired, decisions: decisions, actions: actions, fingerprint: fingerprint)
    }

    /// Rule statuses, notes and the scaling outcome, without the readings that change every tick.
    public static func fingerprint(_ evaluation: Evaluation) -> String {
        var parts = evaluation.rules.map { rule in
            "\(rule.rule)=\(rule.status.name)\(rule.note.map { "(\($0))" } ?? "")"
        }
        parts.append("replicas=\(evaluation.scaling.currentReplicas)->\(evaluation.scaling.desiredReplicas)")
        // A step's starting count moves with the readings; its kind and result are the outcome.
        parts.append(contentsOf: evaluation.scaling.steps.map { "\($0.kind.rawValue)->\($0.to)" })
        if let panic = evaluation.scaling.panic { parts.append("panic=\(panic.active)") }
        return parts.joined(separator: ";")
    }

    private static func request(for decision: DecisionRecord, desired: DesiredState) -> String {
        switch decision.kind {
        case "scale": "scale to \(desired.replicas) replica\(desired.replicas == 1 ? "" : "s")"
        case "shard": "run each replica over \(desired.shards) shards"
        default: decision.summary
        }
    }
}
