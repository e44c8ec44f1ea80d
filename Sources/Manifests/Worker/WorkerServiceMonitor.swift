import BallastCore

/// The Prometheus Operator `ServiceMonitor` that scrapes the workers' `/metrics` on port `http`.
enum WorkerServiceMonitor {
    /// Scrape interval. 15 s: the policy's shortest usual window is `rate(...[1m])`, which needs at least
    /// two samples, and four give it margin.
    static let interval = "15s"

    static func render(_ context: WorkerContext) -> YAMLNode {
        .map([
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": context.metadata,
            "spec": .map([
                "selector": .map(["matchLabels": .mapping(context.selectorLabels)]),
                "namespaceSelector": .map(["matchNames": [.string(context.namespace)]]),
                "endpoints": [.map(["port": "http", "path": "/metrics", "interval": .string(interval)])],
            ]),
        ])
    }
}
