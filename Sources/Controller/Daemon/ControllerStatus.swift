public import BallastCore

/// Why the fleet looks the way it does, as `/api/v1/status` serves it and `ballast status` prints it.
public struct ControllerStatus: Codable, Hashable, Sendable {
    /// One deployment's state.
    public struct Deployment: Codable, Hashable, Sendable {
        /// The deployment.
        public var deployment: DeploymentKey
        /// The URL clients should call, when the runtime has one.
        public var endpoint: String?
        /// Replicas the controller wants.
        public var desiredReplicas: Int
        /// Replicas serving now.
        public var readyReplicas: Int
        /// Replicas starting (loading the model).
        public var startingReplicas: Int
        /// Shards per replica.
        public var shards: Int
        /// Whether scale and shard decisions are paused.
        public var paused: Bool
        /// Signal readings of the last tick.
        public var signals: [SignalValue]
        /// Rule statuses of the last tick.
        public var rules: [RuleEvaluation]
        /// The newest decisions, newest first.
        public var recentDecisions: [DecisionSummary]
    }

    /// A decision without its full evaluation.
    public struct DecisionSummary: Codable, Hashable, Sendable {
        /// Store id; `ballast explain ID` shows it whole.
        public var id: Int64?
        /// When it was made.
        public var time: Timestamp
        /// `scale`, `shard`, `quantize`, `alert`, `rollout` or `hold`.
        public var kind: String
        /// The rule behind it.
        public var rule: String?
        /// One line for people.
        public var summary: String

        /// The summary of `record`.
        public init(_ record: DecisionRecord) {
            id = record.id
            time = record.time
            kind = record.kind
            rule = record.rule
            summary = record.summary
        }
    }

    /// When the status was taken.
    public var time: Timestamp
    /// Ticks run since start.
    public var ticks: UInt64
    /// Every deployment, in policy order.
    public var deployments: [Deployment]
    /// Every scrape target or Prometheus server, with its health.
    public var targets: [TargetHealth]
}

extension ControllerDaemon {
    /// The status at `now`.
    public func status(now: Timestamp) async -> ControllerStatus {
        var deployments: [ControllerStatus.Deployment] = []
        for policy in order {
            guard let entry = managed[policy] else { continue }
            let fleet = entry.lastFleet
            deployments.append(
                ControllerStatus.Deployment(
                    deployment: entry.deployment.key,
                    endpoint: await actuator.endpoint(of: entry.deployment.key),
                    desiredReplicas: entry.desired.replicas,
                    readyReplicas: fleet?.readyReplicas ?? 0,
                    startingReplicas: fleet?.startingSince.count ?? 0,
                    shards: entry.desired.shards,
                    paused: entry.paused,
                    signals: entry.lastEvaluation?.signals ?? [],
                    rules: entry.lastEvaluation?.rules ?? [],
                    recentDecisions: entry.recent.map(ControllerStatus.DecisionSummary.init)))
        }
        return ControllerStatus(time: now, ticks: counters.ticks, deployments: deployments, targets: await source.health())
    }
}
