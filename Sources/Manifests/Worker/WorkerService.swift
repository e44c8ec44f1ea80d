import BallastCore

/// The worker fleet's ClusterIP Service, whose port `http` the router and the ServiceMonitor use.
enum WorkerService {
    static func render(_ context: WorkerContext) -> YAMLNode {
        .map([
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": context.metadata,
            "spec": .map([
                "type": "ClusterIP",
                "selector": .mapping(context.selectorLabels),
                "ports": [
                    .map([
                        "name": "http",
                        "port": .int(context.policy.deployment.port),
                        "targetPort": "http",
                        "protocol": "TCP",
                    ])
                ],
            ]),
        ])
    }
}
