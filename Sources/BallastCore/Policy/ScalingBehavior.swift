/// How fast replica counts may move: the HPA v2 `behavior` block plus Ballast's panic mode.
///
/// Defaults are Kubernetes' own: scale up without stabilisation by 100 % or 4 pods per 15 s
/// (whichever is more), scale down after a 300 s stabilisation window by up to 100 % per 15 s.
public struct ScalingBehavior: Hashable, Sendable {
    /// Rules for growing the fleet.
    public var scaleUp: ScalingRules
    /// Rules for shrinking the fleet.
    public var scaleDown: ScalingRules
    /// Ratio band around 1.0 inside which the HPA formula does nothing. Default 0.1, Kubernetes' default.
    public var tolerance: Double
    /// Burst handling; `nil` disables panic mode.
    public var panic: PanicSettings?
    /// How long a new replica may take to become ready before it stops counting as capacity.
    /// Default 10 minutes: an LLM replica loads weights for minutes, and counting it avoids 2 → 4 → 8 → 16.
    public var startupGrace: Duration

    /// Creates a behavior.
    public init(
        scaleUp: ScalingRules = .defaultScaleUp,
        scaleDown: ScalingRules = .defaultScaleDown,
        tolerance: Double = 0.1,
        panic: PanicSettings? = PanicSettings(),
        startupGrace: Duration = .seconds(600)
    ) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
        self.tolerance = tolerance
        self.panic = panic
        self.startupGrace = startupGrace
    }
}

/// One direction of ``ScalingBehavior``: stabilisation window, rate policies and how to pick among them.
public struct ScalingRules: Hashable, Sendable {
    /// Recommendations from this window back are considered; up takes the lowest, down the highest.
    public var stabilizationWindow: Duration
    /// Rate limits; which one applies is chosen by ``selectPolicy``.
    public var policies: [ScalingPolicy]
    /// How to choose among ``policies``.
    public var selectPolicy: SelectPolicy

    /// Creates scaling rules.
    public init(stabilizationWindow: Duration, policies: [ScalingPolicy], selectPolicy: SelectPolicy = .max) {
        self.stabilizationWindow = stabilizationWindow
        self.policies = policies
        self.selectPolicy = selectPolicy
    }

    /// Kubernetes' default for scale-up: no window; max of 100 % and 4 pods per 15 s.
    public static let defaultScaleUp = ScalingRules(
        stabilizationWindow: .zero,
        policies: [
            ScalingPolicy(type: .percent, value: 100, period: .seconds(15)),
            ScalingPolicy(type: .pods, value: 4, period: .seconds(15)),
        ],
        selectPolicy: .max
    )

    /// Kubernetes' default for scale-down: 300 s window; 100 % per 15 s.
    public static let defaultScaleDown = ScalingRules(
        stabilizationWindow: .seconds(300),
        policies: [ScalingPolicy(type: .percent, value: 100, period: .seconds(15))],
        selectPolicy: .max
    )
}

/// A rate limit on replica changes: at most `value` pods or percent per `period`.
public struct ScalingPolicy: Hashable, Sendable {
    /// Whether ``value`` counts pods or percent of the replicas at the start of the period.
    public var type: Kind
    /// Amount allowed per period; positive.
    public var value: Int
    /// Length of the period; Kubernetes allows up to 1800 s.
    public var period: Duration

    /// Creates a rate policy.
    public init(type: Kind, value: Int, period: Duration) {
        self.type = type
        self.value = value
        self.period = period
    }

    /// Units of a ``ScalingPolicy``; spelled as in Kubernetes (`Pods`, `Percent`).
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case pods = "Pods"
        case percent = "Percent"
    }
}

/// How to choose among several ``ScalingPolicy`` values; spelled as in Kubernetes.
public enum SelectPolicy: String, Hashable, Sendable, CaseIterable {
    /// The policy allowing the largest change.
    case max = "Max"
    /// The policy allowing the smallest change.
    case min = "Min"
    /// No change in this direction.
    case disabled = "Disabled"
}

/// Knative-style panic mode: a short window catches bursts the stable window would smooth away.
public struct PanicSettings: Hashable, Sendable {
    /// Short window over which demand is averaged. Default 6 s (Knative: 10 % of its 60 s stable window).
    public var window: Duration
    /// Enter panic when short-window demand is at least this multiple of ready capacity. Default 2.0.
    public var threshold: Double
    /// Stay in panic at least this long after the last trigger; no scale-down meanwhile. Default 60 s.
    public var hold: Duration

    /// Creates panic settings.
    public init(window: Duration = .seconds(6), threshold: Double = 2.0, hold: Duration = .seconds(60)) {
        self.window = window
        self.threshold = threshold
        self.hold = hold
    }
}
