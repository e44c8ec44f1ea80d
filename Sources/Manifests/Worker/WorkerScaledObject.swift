import BallastCore

/// A KEDA `ScaledObject` (keda.sh/v1alpha1), rendered instead of the HPA when KEDA is chosen: KEDA then owns
/// the HPA, reads queue time straight from Prometheus and needs no custom-metrics adapter.
enum WorkerScaledObject {
    static func render(_ context: WorkerContext) throws(ManifestError) -> YAMLNode {
        let deployment = context.policy.deployment
        var triggers: [YAMLNode] = []
        if let queue = try QueueScaleRule.find(in: context) {
            triggers.append(
                .commented(
                    "Queue time is a fleet-wide p95, not a per-pod amount: `Value` compares it with the threshold as is.",
                    .map([
                        "type": "prometheus",
                        "metricType": "Value",
                        "metadata": .map([
                            "serverAddress": .string(context.options.prometheusAddress),
                            "query": .string(queue.query),
                            "threshold": .string(AlertExpressions.number(queue.targetSeconds)),
                        ]),
                    ])
                ))
        }
        triggers.append(
            .map([
                "type": "cpu",
                "metricType": "Utilization",
                "metadata": .map(["value": .string(String(deployment.cpuUtilizationTarget))]),
            ]))
        if let gpuMetric = deployment.gpuUtilizationMetric {
            triggers.append(
                .map([
                    "type": "prometheus",
                    "metricType": "Value",
                    "metadata": .map([
                        "serverAddress": .string(context.options.prometheusAddress),
                        "query": .string(
                            "avg(\(gpuMetric){namespace=\"\(context.namespace)\", pod=~\"\(context.name)-.*\"})"),
                        "threshold": .string(String(deployment.gpuUtilizationTarget)),
                    ]),
                ]))
        }
        return .map([
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": context.metadata,
            "spec": .map([
                "scaleTargetRef": .map(["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(context.name)]),
                "minReplicaCount": .int(context.policy.target.minReplicas),
                "maxReplicaCount": .int(context.policy.target.maxReplicas),
                "advanced": .map([
                    "horizontalPodAutoscalerConfig": .map([
                        "behavior": WorkerAutoscaler.behavior(context.policy.behavior)
                    ])
                ]),
                "triggers": .sequence(triggers),
            ]),
        ])
    }
}
