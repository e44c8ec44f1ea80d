/// What the fleet looks like at one evaluation: counts from the runtime, not from metrics.
public struct FleetState: Hashable, Sendable, Codable {
    /// Replicas the runtime was last asked to run (a Deployment's `spec.replicas`).
    public var desiredReplicas: Int
    /// Replicas serving traffic now.
    public var readyReplicas: Int
    /// Start times of replicas that exist but are not ready yet (loading weights, warming up).
    public var startingSince: [Timestamp]
    /// Shards (processes or GPUs) each replica runs the model on. Default 1.
    public var shards: Int

    /// Creates a fleet state.
    public init(desiredReplicas: Int, readyReplicas: Int, startingSince: [Timestamp] = [], shards: Int = 1) {
        self.desiredReplicas = desiredReplicas
        self.readyReplicas = readyReplicas
        self.startingSince = startingSince
        self.shards = shards
    }

    /// A steady fleet of `replicas` ready replicas and nothing starting.
    public static func steady(_ replicas: Int, shards: Int = 1) -> FleetState {
        FleetState(desiredReplicas: replicas, readyReplicas: replicas, shards: shards)
    }

    /// Starting replicas that began no longer than `grace` before `now`; older ones are presumed stuck.
    public func startingWithinGrace(_ grace: Duration, now: Timestamp) -> Int {
        startingSince.filter { now - $0 <= grace }.count
    }

    /// Replicas that serve now or will soon: ready plus starting within `grace` (never negative).
    public func capacity(grace: Duration, now: Timestamp) -> Int {
        max(0, readyReplicas) + startingWithinGrace(grace, now: now)
    }
}

/// Fleet-wide throughput, the denominators of the cost signals.
public struct Throughput: Hashable, Sendable, Codable {
    /// Completed requests per second over the whole fleet.
    public var requestsPerSecond: SignalReading
    /// Generated tokens per second over the whole fleet.
    public var tokensPerSecond: SignalReading

    /// Creates a throughput observation; both default to missing, which disables cost signals.
    public init(
        requestsPerSecond: SignalReading = .missing(reason: "request throughput was not observed"),
        tokensPerSecond: SignalReading = .missing(reason: "token throughput was not observed")
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.tokensPerSecond = tokensPerSecond
    }
}
