/// The replica count the evaluator wants, and every step that led there.
public struct ScalingDecision: Hashable, Sendable, Codable {
    /// Replicas the runtime was asked for before this decision.
    public var currentReplicas: Int
    /// Replicas the runtime should run now; equal to ``currentReplicas`` when nothing changes.
    public var desiredReplicas: Int
    /// One entry per scale rule, in policy order.
    public var recommendations: [ScaleRecommendation]
    /// The steps that changed the count after the rules recommended, in the order applied.
    public var steps: [ScalingStep]
    /// Panic mode as seen by this evaluation; `nil` when the policy disables it.
    public var panic: PanicReport?
    /// One line for people: `scale 2 → 4: queue-time: ceil(2 × 0.84 / 0.5) = 4`.
    public var summary: String

    /// Whether the decision changes the replica count.
    public var changes: Bool { desiredReplicas != currentReplicas }
}

/// What one scale rule recommended and how.
public struct ScaleRecommendation: Hashable, Sendable, Codable {
    /// The rule's name.
    public var rule: String
    /// The rule's status at this evaluation.
    public var status: RuleStatus
    /// The rule's condition with values substituted, thresholds included: `queue_p95 (0.84) > 0.5`.
    public var condition: String
    /// The signal that drives the formula.
    public var signal: String
    /// Its reading.
    public var reading: SignalReading
    /// The value the fleet should settle at, when usable.
    public var target: Double?
    /// The formula with numbers substituted: `ceil(2 × 0.84 / 0.5) = 4`.
    public var formula: String
    /// Replicas this rule asks for after its status is applied (pending, held and cooling rules ask for no growth).
    public var replicas: Int
    /// Why the status changed the formula's answer, when it did.
    public var note: String?
}

/// One step that changed (or pinned) the replica count after the rules recommended.
public struct ScalingStep: Hashable, Sendable, Codable {
    /// What kind of step it was.
    public var kind: Kind
    /// Replicas before the step.
    public var from: Int
    /// Replicas after the step.
    public var to: Int
    /// A sentence saying why.
    public var detail: String

    /// Kinds of steps, in the order they can apply.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The current count is outside `minReplicas…maxReplicas` and is brought inside first.
        case outOfBounds
        /// The largest recommendation of all scale rules was taken.
        case highestRecommendation
        /// A scale rule's reading is unavailable, so no scale-down happens (scale-up still may).
        case heldReading
        /// The stabilization window replaced the recommendation.
        case stabilization
        /// A rate policy (Pods / Percent per period) limited the change.
        case rateLimit
        /// `minReplicas` or `maxReplicas` bounded the change.
        case bounds
        /// The fleet had no replicas; the first ones start at once (rate policies cannot grow from 0).
        case fromZero
        /// Panic mode raised the count to the short-window recommendation or blocked a scale-down.
        case panic
        /// Scale-down safety kept enough replicas for every scale signal to stay within its limit.
        case safety
    }
}

/// Panic mode's state at one evaluation.
public struct PanicReport: Hashable, Sendable, Codable {
    /// Whether the fleet is panicking after this evaluation.
    public var active: Bool
    /// Whether this evaluation triggered (or re-triggered) panic.
    public var triggered: Bool
    /// Replicas the short-window readings call for, when any scale signal had one.
    public var shortWindowReplicas: Int?
    /// Short-window replicas at or above which panic triggers: threshold × ready replicas (at least 1).
    public var triggerAt: Double
    /// When panic ends unless triggered again; `nil` when not panicking.
    public var until: Timestamp?
}
