import BallastCore

/// Policies built in code for the manifest tests (the YAML loader is tested on its own).
enum TestPolicies {
    /// A small CPU fleet: document 001's queue-time scale rule, a memory shard rule and two alert rules.
    static var small: Policy {
        Policy(
            name: "r1-7b",
            target: Target(model: "r1-7b", version: "v1", minReplicas: 1, maxReplicas: 10),
            price: Price(perReplicaHour: 4.0, currency: "USD"),
            signals: [
                Signal(
                    name: "queue_p95",
                    source: .query("histogram_quantile(0.95, sum by (le) (rate(${queue_wait_seconds}_bucket[1m])))")),
                Signal(
                    name: "memory_ratio",
                    source: .query(
                        "max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)")),
                Signal(name: "kv_cache", source: .query("max(${kv_cache_usage_ratio})")),
                Signal(name: "cost_per_inference", source: .cost(.costPerInference)),
            ],
            rules: [
                Rule(
                    name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                    forDuration: .seconds(30), action: .scale(ScaleAction(target: 0.5))),
                Rule(
                    name: "memory", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.85),
                    action: .shard(ShardAction(factor: 2))),
                Rule(
                    name: "kv-cache-full",
                    condition: .all([
                        .compare(signal: "kv_cache", op: .greaterOrEqual, threshold: 0.95),
                        .compare(signal: "queue_p95", op: .greater, threshold: 1),
                    ]), forDuration: .seconds(120),
                    action: .alert(AlertAction(severity: .critical, summary: "KV cache is full and requests queue."))),
                Rule(
                    name: "inference-cost",
                    condition: .compare(signal: "cost_per_inference", op: .greater, threshold: 0.03),
                    forDuration: .seconds(900), action: .alert(AlertAction())),
            ],
            behavior: ScalingBehavior(
                scaleDown: ScalingRules(
                    stabilizationWindow: .seconds(300),
                    policies: [ScalingPolicy(type: .pods, value: 1, period: .seconds(60))],
                    selectPolicy: .min
                ))
        )
    }

    /// ``small`` on GPUs, with DCGM's utilisation metric and KEDA.
    static var gpu: Policy {
        var policy = small
        policy.name = "r1-32b"
        policy.target.model = "r1-32b"
        policy.deployment = DeploymentSettings(
            namespace: "inference", image: "deepseek/r1-32b:2025.01", gpusPerReplica: 2, cpu: "8", memory: "64Gi",
            gpuUtilizationMetric: "DCGM_FI_DEV_GPU_UTIL", gpuUtilizationTarget: 70, keda: true
        )
        return policy
    }
}
