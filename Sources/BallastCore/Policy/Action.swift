/// What a rule does when it fires.
public enum Action: Hashable, Sendable {
    /// Change the replica count with the HPA formula.
    case scale(ScaleAction)
    /// Split the model over more processes or GPUs.
    case shard(ShardAction)
    /// Requantize, evaluate quality and cost, and report a candidate.
    case quantize(QuantizeAction)
    /// Raise an alert.
    case alert(AlertAction)
    /// Start or stop a canary rollout.
    case rollout(RolloutAction)

    /// The action's name as written in policy files: `scale`, `shard`, `quantize`, `alert`, `rollout`.
    public var kind: String {
        switch self {
        case .scale: "scale"
        case .shard: "shard"
        case .quantize: "quantize"
        case .alert: "alert"
        case .rollout: "rollout"
        }
    }
}

/// Scale replicas so that `signal` per replica approaches `target` (HPA: desired = ceil(current × value / target)).
public struct ScaleAction: Hashable, Sendable {
    /// The signal whose value drives the formula; `nil` means the rule's only compared signal.
    public var signal: String?
    /// The value of ``signal`` the fleet should settle at; `nil` means the rule's threshold.
    public var target: Double?

    /// Creates a scale action.
    public init(signal: String? = nil, target: Double? = nil) {
        self.signal = signal
        self.target = target
    }
}

/// Split the model over `factor` times as many shards (GPUs per replica or processes).
public struct ShardAction: Hashable, Sendable {
    /// Multiplier applied to the current shard count. Default 2.
    public var factor: Int
    /// Upper bound on shards per replica. Default 8, the GPUs of one typical node.
    public var maxShards: Int

    /// Creates a shard action.
    public init(factor: Int = 2, maxShards: Int = 8) {
        self.factor = factor
        self.maxShards = maxShards
    }
}

/// Weight formats the quantizer can produce.
public enum QuantizationType: String, Hashable, Sendable, CaseIterable {
    case q4_0, q4_1, q8_0
}

/// Requantize the model and accept the result only within a quality budget.
public struct QuantizeAction: Hashable, Sendable {
    /// Target weight format.
    public var to: QuantizationType
    /// Largest acceptable quality loss as a fraction (0.02 = 2 %; document 000 gives 1–2 % for INT4).
    public var maxQualityLoss: Double
    /// Tensors kept at their original precision; document 004 keeps the attention QKV projection.
    public var keep: [String]

    /// Creates a quantize action.
    public init(to: QuantizationType, maxQualityLoss: Double = 0.02, keep: [String] = ["attn_q", "attn_k", "attn_v"]) {
        self.to = to
        self.maxQualityLoss = maxQualityLoss
        self.keep = keep
    }
}

/// How urgent an alert is; rendered as the Prometheus rule's `severity` label.
public enum AlertSeverity: String, Hashable, Sendable, CaseIterable, Comparable {
    case info, warning, critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool {
        rank(lhs) < rank(rhs)
    }

    private static func rank(_ severity: AlertSeverity) -> Int {
        switch severity {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }
}

/// Raise an alert: logged, counted, and rendered into a PrometheusRule.
public struct AlertAction: Hashable, Sendable {
    /// Severity label. Default `warning`.
    public var severity: AlertSeverity
    /// One-line summary for people; `nil` means one made from the condition.
    public var summary: String?
    /// Optional URL to POST the alert to as JSON.
    public var webhook: String?

    /// Creates an alert action.
    public init(severity: AlertSeverity = .warning, summary: String? = nil, webhook: String? = nil) {
        self.severity = severity
        self.summary = summary
        self.webhook = webhook
    }
}

/// Start a canary of a model version, or roll the current one back.
public struct RolloutAction: Hashable, Sendable {
    /// What to do with the rollout.
    public var operation: Operation
    /// Version to roll out; `nil` means the latest candidate.
    public var version: String?

    /// Creates a rollout action.
    public init(operation: Operation, version: String? = nil) {
        self.operation = operation
        self.version = version
    }

    /// Rollout operations.
    public enum Operation: String, Hashable, Sendable, CaseIterable {
        case start, rollback
    }
}
