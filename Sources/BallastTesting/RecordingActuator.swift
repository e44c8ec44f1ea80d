public import BallastCore

/// An ``Actuator`` fake that records every desired state applied and reports a fleet that follows it.
///
/// New replicas are starting until ``markReady(_:)``; a test can make `apply` fail to check the
/// controller's handling of a runtime that refuses.
public actor RecordingActuator: Actuator {
    /// Desired states applied, in order.
    public private(set) var applied: [DesiredState] = []
    private var ready: [String: Int] = [:]
    private var starting: [String: [Timestamp]] = [:]
    private var desired: [String: Int] = [:]
    private var failure: String?
    private var shards: [String: Int] = [:]
    private var canShard = true

    /// Creates an actuator with no deployments.
    public init() {}

    /// Makes later `apply` calls fail with `reason`, or succeed again with `nil`.
    public func setFailure(_ reason: String?) {
        failure = reason
    }

    /// Makes the fake a runtime that runs one shard whatever it is asked (as local workers do), or one that shards.
    public func setCanShard(_ canShard: Bool) {
        self.canShard = canShard
    }

    /// Marks every starting replica of `policy` ready.
    public func markReady(_ policy: String) {
        ready[policy, default: 0] += starting[policy]?.count ?? 0
        starting[policy] = []
    }

    /// Records `desired` and moves the fleet toward it: new replicas start, removed ones vanish at once.
    public func apply(_ desired: DesiredState, now: Timestamp) async -> ActuationOutcome {
        applied.append(desired)
        if let failure {
            return ActuationOutcome(
                succeeded: false, summary: failure,
                commands: [CommandRecord(arguments: ["fake-runtime"], exitCode: 1, stderr: failure)])
        }
        let policy = desired.deployment.policy
        self.desired[policy] = desired.replicas
        shards[policy] = canShard ? desired.shards : 1
        let current = (ready[policy] ?? 0) + (starting[policy]?.count ?? 0)
        if desired.replicas > current {
            starting[policy, default: []] += Array(repeating: now, count: desired.replicas - current)
        } else {
            var excess = current - desired.replicas
            while excess > 0, !(starting[policy] ?? []).isEmpty {
                starting[policy]?.removeLast()
                excess -= 1
            }
            ready[policy] = max(0, (ready[policy] ?? 0) - excess)
        }
        return ActuationOutcome(succeeded: true, summary: "now \(desired.replicas) replicas")
    }

    /// The recorded fleet.
    public func fleet(of deployment: DeploymentKey, now: Timestamp) async -> FleetState {
        let policy = deployment.policy
        return FleetState(
            desiredReplicas: desired[policy] ?? 0, readyReplicas: ready[policy] ?? 0,
            startingSince: starting[policy] ?? [], shards: shards[policy] ?? 1)
    }

    /// A fixed fake endpoint.
    public func endpoint(of deployment: DeploymentKey) async -> String? {
        "http://fake/\(deployment.policy)"
    }
}
