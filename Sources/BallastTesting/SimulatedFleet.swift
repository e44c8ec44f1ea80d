public import BallastCore

/// An in-memory fleet that carries out scaling decisions the way a slow runtime would: new replicas
/// start at once and become ready after ``startupTime``; removed replicas go at once, starting ones first.
///
/// Tests feed its ``state`` to the evaluator, apply the decision, and move time on, so a whole
/// control loop runs without processes or a cluster.
public struct SimulatedFleet: Sendable {
    /// How long a new replica loads before it serves. Default 120 s, a model loading its weights.
    public var startupTime: Duration
    /// Replicas serving now.
    public private(set) var ready: Int
    /// Start times of replicas still loading.
    public private(set) var starting: [Timestamp]
    /// The count last asked for.
    public private(set) var desired: Int
    /// Shards per replica.
    public var shards: Int

    /// A fleet of `replicas` ready replicas.
    public init(replicas: Int, startupTime: Duration = .seconds(120), shards: Int = 1) {
        self.startupTime = startupTime
        self.ready = max(0, replicas)
        self.starting = []
        self.desired = max(0, replicas)
        self.shards = shards
    }

    /// The fleet as the runtime reports it.
    public var state: FleetState {
        FleetState(desiredReplicas: desired, readyReplicas: ready, startingSince: starting, shards: shards)
    }

    /// Asks for `replicas` at `now`: starts the missing ones or removes the surplus (starting ones first).
    public mutating func apply(desired replicas: Int, now: Timestamp) {
        let replicas = max(0, replicas)
        let existing = ready + starting.count
        if replicas > existing {
            starting.append(contentsOf: Array(repeating: now, count: replicas - existing))
        } else if replicas < existing {
            var surplus = existing - replicas
            let fromStarting = min(surplus, starting.count)
            starting.removeLast(fromStarting)
            surplus -= fromStarting
            ready -= surplus
        }
        desired = replicas
    }

    /// Promotes replicas that have loaded for ``startupTime`` by `now`.
    public mutating func advance(to now: Timestamp) {
        let loaded = starting.filter { now - $0 >= startupTime }.count
        starting.removeAll { now - $0 >= startupTime }
        ready += loaded
    }
}
