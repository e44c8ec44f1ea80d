import BallastCore

/// The worker fleet's `autoscaling/v2` HorizontalPodAutoscaler.
enum WorkerAutoscaler {
    /// Explains why GPU utilisation is a Pods metric.
    static let gpuComment = """
        GPU utilisation comes from a metrics adapter as a Pods metric. Document 003 writes `type: Resource,
        name: gpu`, which Kubernetes rejects: resource metrics are only cpu and memory.
        """

    static func render(_ context: WorkerContext) throws(ManifestError) -> YAMLNode {
        let deployment = context.policy.deployment
        var metrics: [YAMLNode] = [
            .map([
                "type": "Resource",
                "resource": .map([
                    "name": "cpu",
                    "target": .map(["type": "Utilization", "averageUtilization": .int(deployment.cpuUtilizationTarget)]
                    ),
                ]),
            ])
        ]
        if let queue = try QueueScaleRule.find(in: context), let value = Quantity.text(forValue: queue.targetSeconds) {
            metrics.append(
                .commented(
                    "p95 queue wait per pod in seconds (rule \(queue.ruleName)), served by a custom-metrics adapter.",
                    podsMetric(name: context.options.queueWaitMetric, averageValue: value)
                ))
        }
        if let gpuMetric = deployment.gpuUtilizationMetric {
            metrics.append(
                .commented(
                    gpuComment, podsMetric(name: gpuMetric, averageValue: String(deployment.gpuUtilizationTarget))))
        }
        return .map([
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": context.metadata,
            "spec": .map([
                "scaleTargetRef": .map(["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(context.name)]),
                "minReplicas": .int(context.policy.target.minReplicas),
                "maxReplicas": .int(context.policy.target.maxReplicas),
                "metrics": .sequence(metrics),
                "behavior": behavior(context.policy.behavior),
            ]),
        ])
    }

    static func podsMetric(name: String, averageValue: String) -> YAMLNode {
        .map([
            "type": "Pods",
            "pods": .map([
                "metric": .map(["name": .string(name)]),
                "target": .map(["type": "AverageValue", "averageValue": .string(averageValue)]),
            ]),
        ])
    }

    /// The HPA `behavior` block; shared with KEDA's `advanced.horizontalPodAutoscalerConfig`.
    static func behavior(_ behavior: ScalingBehavior) -> YAMLNode {
        .map(["scaleUp": rules(behavior.scaleUp), "scaleDown": rules(behavior.scaleDown)])
    }

    private static func rules(_ rules: ScalingRules) -> YAMLNode {
        .map([
            "stabilizationWindowSeconds": .int(wholeSeconds(rules.stabilizationWindow)),
            "selectPolicy": .string(rules.selectPolicy.rawValue),
            "policies": rules.policies.isEmpty
                ? nil
                : .sequence(
                    rules.policies.map { policy in
                        .map([
                            "type": .string(policy.type.rawValue),
                            "value": .int(policy.value),
                            "periodSeconds": .int(wholeSeconds(policy.period)),
                        ])
                    }),
        ])
    }
}
