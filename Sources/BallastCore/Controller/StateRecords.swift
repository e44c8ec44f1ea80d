/// One evaluation the controller made and what it decided, as stored and shown by `ballast explain`.
public struct DecisionRecord: Hashable, Sendable, Codable {
    /// Store-assigned id, increasing with time; `nil` before the record is stored.
    public var id: Int64?
    /// When the evaluation ran.
    public var time: Timestamp
    /// The deployment it is about.
    public var deployment: DeploymentKey
    /// `scale`, `shard`, `quantize`, `alert`, `rollout`, or `hold` when nothing changed.
    public var kind: String
    /// The rule that caused it; `nil` for `hold`.
    public var rule: String?
    /// One line for people: `scale 1 → 3: queue-time: ceil(1 × 1.42 / 0.5) = 3`.
    public var summary: String
    /// The full evaluation: every signal, rule, formula and step.
    public var evaluation: Evaluation

    /// Creates a record.
    public init(
        id: Int64? = nil, time: Timestamp, deployment: DeploymentKey, kind: String, rule: String?, summary: String,
        evaluation: Evaluation
    ) {
        self.id = id
        self.time = time
        self.deployment = deployment
        self.kind = kind
        self.rule = rule
        self.summary = summary
        self.evaluation = evaluation
    }
}

/// Where an action stands. An action is written `planned` in the same transaction as its decision,
/// so a controller killed between deciding and acting finds it on restart and finishes it once.
public enum ActionStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Decided, not started.
    case planned
    /// Started (a background job such as a quantization run).
    case running
    /// Done.
    case succeeded
    /// Tried and failed; `detail` says why.
    case failed
    /// Superseded by a newer action of the same kind before it ran (a newer desired replica count).
    case superseded

    /// Whether the action will not run again.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .superseded }
}

/// One thing the controller did or will do because of a decision.
public struct ActionRecord: Hashable, Sendable, Codable {
    /// Idempotency key, unique: `<policy>/<kind>/<decision time ms>`. Storing a key twice keeps the first.
    public var key: String
    /// The decision that asked for it.
    public var decisionID: Int64?
    /// The deployment.
    public var deployment: DeploymentKey
    /// `scale`, `shard`, `quantize`, `alert` or `rollout`.
    public var kind: String
    /// What is asked, as a sentence: `scale to 3 replicas`.
    public var request: String
    /// The desired state the action moves to, for `scale` and `shard`.
    public var desired: DesiredState?
    /// Where it stands.
    public var status: ActionStatus
    /// Outcome summary or failure reason.
    public var detail: String?
    /// Commands run for it.
    public var commands: [CommandRecord]
    /// Result data of background jobs (a quantization candidate's file, KL, throughput, cost), as JSON text.
    public var result: String?
    /// When it was planned.
    public var createdAt: Timestamp
    /// When it reached a final status.
    public var finishedAt: Timestamp?

    /// Creates a record.
    public init(
        key: String, decisionID: Int64? = nil, deployment: DeploymentKey, kind: String, request: String,
        desired: DesiredState? = nil, status: ActionStatus = .planned, detail: String? = nil,
        commands: [CommandRecord] = [], result: String? = nil, createdAt: Timestamp, finishedAt: Timestamp? = nil
    ) {
        self.key = key
        self.decisionID = decisionID
        self.deployment = deployment
        self.kind = kind
        self.request = request
        self.desired = desired
        self.status = status
        self.detail = detail
        self.commands = commands
        self.result = result
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// Something that happened that is not a decision: a worker crashed, a scrape failed, an alert fired.
public struct EventRecord: Hashable, Sendable, Codable {
    /// Store-assigned id; `nil` before the record is stored.
    public var id: Int64?
    /// When it happened.
    public var time: Timestamp
    /// `info`, `warning` or `error`.
    public var level: String
    /// The deployment it concerns, if one.
    public var deployment: DeploymentKey?
    /// A short machine-readable reason: `worker-exited`, `scrape-failed`, `alert`, `kubectl-failed`.
    public var reason: String
    /// One sentence for people.
    public var message: String

    /// Creates an event.
    public init(
        id: Int64? = nil, time: Timestamp, level: String, deployment: DeploymentKey? = nil, reason: String,
        message: String
    ) {
        self.id = id
        self.time = time
        self.level = level
        self.deployment = deployment
        self.reason = reason
        self.message = message
    }
}

/// Everything about one deployment that must survive a restart: what it should look like and the
/// evaluator's memory (rule timers, cooldowns, scaling history, panic).
public struct DeploymentState: Hashable, Sendable, Codable {
    /// What the controller last decided.
    public var desired: DesiredState
    /// The evaluator's state after the last tick.
    public var evaluator: PolicyEvaluator.State
    /// Time of the last tick that wrote this state.
    public var updatedAt: Timestamp

    /// Creates a deployment state.
    public init(desired: DesiredState, evaluator: PolicyEvaluator.State, updatedAt: Timestamp) {
        self.desired = desired
        self.evaluator = evaluator
        self.updatedAt = updatedAt
    }
}

/// What one controller tick writes, atomically: a crash leaves either all of it or none.
public struct TickCommit: Hashable, Sendable {
    /// The deployment's state after the tick.
    public var state: DeploymentState
    /// The decision of the tick (including `hold` decisions that changed nothing, when the caller keeps them).
    public var decisions: [DecisionRecord]
    /// Actions planned by the tick; their `decisionID` is filled by the store from `decisions` by position
    /// (``ActionRecord/decisionID`` set to the index in `decisions` before storing, replaced by the stored id).
    public var actions: [ActionRecord]

    /// Creates a commit.
    public init(state: DeploymentState, decisions: [DecisionRecord], actions: [ActionRecord]) {
        self.state = state
        self.decisions = decisions
        self.actions = actions
    }
}
