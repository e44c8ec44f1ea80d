/// A scaling policy for one model deployment: what to watch, when to act, and how.
///
/// A policy is a plain value. ``PolicyFile`` reads it from YAML; the decision core evaluates it
/// against observations and a `now` passed in; ``Manifests`` renders Kubernetes objects from it.
public struct Policy: Hashable, Sendable {
    /// Policy name (`metadata.name`); also the name of rendered Kubernetes objects.
    public var name: String
    /// The deployment the policy steers.
    public var target: Target
    /// Price of one replica, for cost signals; `nil` disables cost signals.
    public var price: Price?
    /// Named signals in file order.
    public var signals: [Signal]
    /// Rules in file order; decisions are reported in this order.
    public var rules: [Rule]
    /// How replica counts may change over time (HPA v2 `behavior` plus panic mode).
    public var behavior: ScalingBehavior
    /// Canary rollout settings for new model versions.
    public var rollout: RolloutSettings
    /// Where and how the deployment runs in Kubernetes.
    public var deployment: DeploymentSettings
    /// Static scrape targets and the scrape cadence (`spec.scrape`). Default: no static targets, every 5 s.
    public var scrape: ScrapeSettings

    /// Creates a policy.
    public init(
        name: String,
        target: Target,
        price: Price? = nil,
        signals: [Signal] = [],
        rules: [Rule] = [],
        behavior: ScalingBehavior = ScalingBehavior(),
        rollout: RolloutSettings = RolloutSettings(),
        deployment: DeploymentSettings = DeploymentSettings(),
        scrape: ScrapeSettings = ScrapeSettings()
    ) {
        self.name = name
        self.target = target
        self.price = price
        self.signals = signals
        self.rules = rules
        self.behavior = behavior
        self.rollout = rollout
        self.deployment = deployment
        self.scrape = scrape
    }

    /// The signal called `name`, or `nil`.
    public func signal(named name: String) -> Signal? {
        signals.first { $0.name == name }
    }
}

/// The model deployment a policy steers and its replica bounds.
public struct Target: Hashable, Sendable {
    /// Model name as the workers label it (`model` label).
    public var model: String
    /// Model version the policy applies to; `nil` means every version.
    public var version: String?
    /// The serving engine whose metric names the workers expose. Default ``MetricsEngine/ballast``.
    public var engine: MetricsEngine
    /// Fewest replicas; the HPA example in document 001 uses 1.
    public var minReplicas: Int
    /// Most replicas; the HPA example in document 001 uses 10.
    public var maxReplicas: Int

    /// Creates a target.
    public init(model: String, version: String? = nil, engine: MetricsEngine = .ballast, minReplicas: Int = 1, maxReplicas: Int = 10) {
        self.model = model
        self.version = version
        self.engine = engine
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }
}

/// The price of running one replica, used by the built-in cost signals.
public struct Price: Hashable, Sendable {
    /// Price of one replica for one hour, in ``currency``.
    public var perReplicaHour: Double
    /// ISO 4217 code such as `CNY` or `USD`; thresholds in rules are in this currency.
    public var currency: String

    /// Creates a price.
    public init(perReplicaHour: Double, currency: String) {
        self.perReplicaHour = perReplicaHour
        self.currency = currency
    }
}
