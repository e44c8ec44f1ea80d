import BallastCore

/// The worker fleet's `policy/v1` PodDisruptionBudget.
enum WorkerDisruptionBudget {
    /// `maxUnavailable: 1` rather than `minAvailable: 1`: with one replica, `minAvailable: 1` would block every
    /// node drain forever, and with many it would let all but one go at once.
    static func render(_ context: WorkerContext) -> YAMLNode {
        .map([
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": context.metadata,
            "spec": .map([
                "maxUnavailable": 1,
                "selector": .map(["matchLabels": .mapping(context.selectorLabels)]),
            ]),
        ])
    }
}
