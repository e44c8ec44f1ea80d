/// The memory the HPA `behavior` needs: past recommendations and past scale events.
///
/// Mirrors the Kubernetes HPA controller's per-autoscaler `recommendations`, `scaleUpEvents` and
/// `scaleDownEvents`. Entries older than every window that could read them are dropped, so the
/// history stays small and `Codable` for restarts.
public struct ScalingHistory: Hashable, Sendable, Codable {
    /// An unstabilized recommendation and when it was made.
    public struct Recommendation: Hashable, Sendable, Codable {
        /// Recommended replicas.
        public var replicas: Int
        /// When it was made.
        public var time: Timestamp

        /// Creates a record.
        public init(replicas: Int, time: Timestamp) {
            self.replicas = replicas
            self.time = time
        }
    }

    /// A change of the replica count and when it was made; `change` is positive in both directions.
    public struct ScaleEvent: Hashable, Sendable, Codable {
        /// Replicas added (in ``ScalingHistory/scaleUpEvents``) or removed (in ``ScalingHistory/scaleDownEvents``).
        public var change: Int
        /// When the change was decided.
        public var time: Timestamp

        /// Creates a record.
        public init(change: Int, time: Timestamp) {
            self.change = change
            self.time = time
        }
    }

    /// Recent unstabilized recommendations, oldest first.
    public var recommendations: [Recommendation]
    /// Recent scale-ups, oldest first.
    public var scaleUpEvents: [ScaleEvent]
    /// Recent scale-downs, oldest first.
    public var scaleDownEvents: [ScaleEvent]

    /// An empty history.
    public init(
        recommendations: [Recommendation] = [], scaleUpEvents: [ScaleEvent] = [], scaleDownEvents: [ScaleEvent] = []
    ) {
        self.recommendations = recommendations
        self.scaleUpEvents = scaleUpEvents
        self.scaleDownEvents = scaleDownEvents
    }

    /// Replicas changed by `events` strictly after `now - period` (Kubernetes' `getReplicasChangePerPeriod`).
    public static func change(in events: [ScaleEvent], period: Duration, now: Timestamp) -> Int {
        let cutoff = now - period
        return events.reduce(0) { $1.time > cutoff ? $0 + $1.change : $0 }
    }

    /// Records a rescale from `previous` to `new` replicas at `now` (Kubernetes' `storeScaleEvent`),
    /// dropping events older than the longest rate period of that direction.
    public mutating func recordScale(from previous: Int, to new: Int, now: Timestamp, behavior: ScalingBehavior) {
        guard new != previous else { return }
        if new > previous {
            let longest = behavior.scaleUp.policies.map(\.period).max() ?? .zero
            scaleUpEvents.removeAll { $0.time < now - longest }
            scaleUpEvents.append(ScaleEvent(change: new - previous, time: now))
        } else {
            let longest = behavior.scaleDown.policies.map(\.period).max() ?? .zero
            scaleDownEvents.removeAll { $0.time < now - longest }
            scaleDownEvents.append(ScaleEvent(change: previous - new, time: now))
        }
    }
}
