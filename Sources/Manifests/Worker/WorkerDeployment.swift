import BallastCore

/// The worker fleet's `apps/v1` Deployment.
enum WorkerDeployment {
    /// Seconds a pod gets to finish in-flight requests after SIGTERM. A long answer of a few thousand tokens at
    /// document 000's alert floor of 50 tokens/s takes about a minute; twice that lets it finish.
    static let terminationGraceSeconds = 120

    /// The worker's memory budget: 90 % of the container's memory limit, in bytes. The engine counts weights
    /// and KV cache against it; the rest is left for the process itself so the kernel never OOM-kills it.
    static func memoryBudgetBytes(memory: String) -> Int {
        Int(((Quantity(memory)?.value ?? 0) * 0.9).rounded(.down))
    }

    /// Arguments for Ballast's own worker (the image's entrypoint is `ballast`).
    static func defaultArgs(_ context: WorkerContext) -> [String] {
        let deployment = context.policy.deployment
        var args = [
            "worker",
            "--model", context.model,
            "--version", context.version,
            "--port", String(deployment.port),
            "--memory-budget", String(memoryBudgetBytes(memory: deployment.memory)),
        ]
        if let parallel = context.options.tensorParallel {
            args += ["--tensor-parallel", String(parallel)]
        }
        return args
    }

    static func render(_ context: WorkerContext) -> YAMLNode {
        let deployment = context.policy.deployment
        var args = deployment.args ?? defaultArgs(context)
        if deployment.args != nil, let parallel = context.options.tensorParallel {
            args += ["--tensor-parallel", String(parallel)]
        }
        var limits: [YAMLEntry] = [YAMLEntry("memory", .string(deployment.memory))]
        if context.gpusPerReplica > 0 {
            limits.append(YAMLEntry("nvidia.com/gpu", .string(String(context.gpusPerReplica))))
        }
        let startupSeconds = max(wholeSeconds(context.policy.behavior.startupGrace), 60)
        let container: YAMLNode = .map([
            "name": "worker",
            "image": .string(context.image),
            "args": .sequence(args.map { .string($0) }),
            "ports": [.map(["name": "http", "containerPort": .int(deployment.port), "protocol": "TCP"])],
            "resources": .mapping([
                YAMLEntry("requests", .map(["cpu": .string(deployment.cpu), "memory": .string(deployment.memory)])),
                YAMLEntry(
                    "limits", .mapping(limits),
                    comment: "No CPU limit: CFS throttling stalls decode steps and shows up as latency."
                ),
            ]),
            "startupProbe": .commented(
                "Loading weights takes minutes; liveness starts only after this succeeds (policy startupGrace).",
                probe(path: "/health", period: 10, failures: (startupSeconds + 9) / 10)
            ),
            "livenessProbe": probe(path: "/health", period: 10, failures: 3),
            "readinessProbe": probe(path: "/ready", period: 5, failures: 3),
        ])
        var podSpec: [YAMLEntry] = [
            YAMLEntry(
                "terminationGracePeriodSeconds", .int(terminationGraceSeconds),
                comment: "Long enough to drain in-flight generations."),
            YAMLEntry("containers", [container]),
        ]
        if context.gpusPerReplica > 0 {
            podSpec.append(
                YAMLEntry(
                    "tolerations",
                    [.map(["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"])],
                    comment: "GPU nodes are usually tainted so that only GPU workloads land on them."
                ))
        }
        return .map([
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": context.metadata,
            "spec": .map([
                "replicas": .int(context.replicas),
                "revisionHistoryLimit": 5,
                "selector": .map(["matchLabels": .mapping(context.selectorLabels)]),
                "strategy": .commented(
                    "Add a replica before removing one: capacity never drops during a rollout.",
                    .map(["type": "RollingUpdate", "rollingUpdate": .map(["maxSurge": 1, "maxUnavailable": 0])])
                ),
                "template": .map([
                    "metadata": .map([
                        "labels": .mapping(context.labels),
                        "annotations": .mapping(
                            context.annotations + [
                                YAMLEntry("prometheus.io/scrape", "true"),
                                YAMLEntry("prometheus.io/port", .string(String(deployment.port))),
                                YAMLEntry("prometheus.io/path", "/metrics"),
                            ]),
                    ]),
                    "spec": .mapping(podSpec),
                ]),
            ]),
        ])
    }

    /// An HTTP GET probe on the named port.
    static func probe(path: String, period: Int, failures: Int) -> YAMLNode {
        .map([
            "httpGet": .map(["path": .string(path), "port": "http"]),
            "periodSeconds": .int(period),
            "timeoutSeconds": 5,
            "failureThreshold": .int(failures),
        ])
    }
}
