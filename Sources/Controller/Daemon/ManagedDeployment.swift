public import BallastCore

/// One deployment the controller steers: its policy, the queries a tick reads, and how their
/// readings become an ``Observation``.
public struct ManagedDeployment: Sendable {
    /// Which deployment.
    public var key: DeploymentKey
    /// The policy that steers it.
    public var policy: Policy
    /// Every query a tick evaluates (signals, short-window variants, throughput), engine names resolved.
    public var queries: [NamedQuery]
    /// Builds the evaluator's observation from the readings of ``queries`` and the runtime's fleet.
    public var observe: @Sendable (_ readings: [String: SignalReading], _ fleet: FleetState) -> Observation

    /// Creates a managed deployment.
    public init(
        key: DeploymentKey, policy: Policy, queries: [NamedQuery],
        observe: @escaping @Sendable (_ readings: [String: SignalReading], _ fleet: FleetState) -> Observation
    ) {
        self.key = key
        self.policy = policy
        self.queries = queries
        self.observe = observe
    }

    /// The desired state of a deployment the controller has never seen: `minReplicas`, one shard.
    public var initialDesiredState: DesiredState {
        DesiredState(deployment: key, replicas: max(policy.target.minReplicas, 1), shards: 1)
    }
}
