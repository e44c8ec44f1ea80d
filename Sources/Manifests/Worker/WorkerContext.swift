import BallastCore

/// A policy and render options checked and resolved into the values every worker object shares.
///
/// All validation happens here, once, so each object renderer can assume good input and stays a plain
/// mapping from values to YAML.
struct WorkerContext: Sendable {
    let policy: Policy
    let options: RenderOptions
    let name: String
    let namespace: String
    let model: String
    /// ``model`` as a label value; differs from it when the name has characters labels cannot hold.
    let modelLabel: String
    let version: String
    let replicas: Int
    let gpusPerReplica: Int
    let image: String
    let metrics: MetricNames

    /// Labels that pick this fleet's pods; never include the version, because a Deployment's selector is
    /// immutable and a new version must roll through the same Deployment.
    var selectorLabels: [YAMLEntry] {
        [
            YAMLEntry("app.kubernetes.io/name", .string("ballast-worker")),
            YAMLEntry("app.kubernetes.io/instance", .string(name)),
        ]
    }

    /// Every label of the fleet's objects and pods.
    var labels: [YAMLEntry] {
        selectorLabels + [
            YAMLEntry("app.kubernetes.io/version", .string(version)),
            YAMLEntry("app.kubernetes.io/component", "worker"),
            YAMLEntry("app.kubernetes.io/managed-by", "ballast"),
            YAMLEntry("ballast.dev/model", .string(modelLabel)),
        ]
    }

    /// Annotations of the fleet's objects: the exact model name, which a label may not be able to hold.
    var annotations: [YAMLEntry] {
        [YAMLEntry("ballast.dev/model-name", .string(model))]
    }

    /// `metadata` of a namespaced object named after the policy.
    var metadata: YAMLNode {
        .map([
            "name": .string(name), "namespace": .string(namespace), "labels": .mapping(labels),
            "annotations": .mapping(annotations),
        ])
    }

    init(policy: Policy, options: RenderOptions) throws(ManifestError) {
        self.policy = policy
        self.options = options
        let deployment = policy.deployment
        try KubernetesNames.checkLabel(policy.name, field: "metadata.name")
        try KubernetesNames.checkLabel(deployment.namespace, field: "spec.deployment.namespace")
        guard let modelLabel = KubernetesNames.labelValue(from: policy.target.model) else {
            throw ManifestError(
                field: "spec.target.model",
                message:
                    "\"\(policy.target.model)\" has no letters or digits to name the model by; write the model's name, such as r1-7b."
            )
        }
        let version = options.version ?? policy.target.version ?? "latest"
        try KubernetesNames.checkLabelValue(
            version, field: options.version == nil ? "spec.target.version" : "options.version")

        let target = policy.target
        guard target.minReplicas >= 1 else {
            throw ManifestError(
                field: "spec.target.minReplicas",
                message:
                    "minReplicas is \(target.minReplicas), but a HorizontalPodAutoscaler needs at least 1; write minReplicas: 1 or more."
            )
        }
        guard target.maxReplicas >= target.minReplicas else {
            throw ManifestError(
                field: "spec.target.maxReplicas",
                message:
                    "maxReplicas (\(target.maxReplicas)) is below minReplicas (\(target.minReplicas)); raise maxReplicas to at least \(target.minReplicas)."
            )
        }
        let replicas = options.replicas ?? target.minReplicas
        guard (target.minReplicas...target.maxReplicas).contains(replicas) else {
            throw ManifestError(
                field: "options.replicas",
                message:
                    "\(replicas) replicas lies outside the policy's bounds \(target.minReplicas)...\(target.maxReplicas); render a count within them or change minReplicas/maxReplicas."
            )
        }

        let gpus = options.gpusPerReplica ?? deployment.gpusPerReplica
        let gpuField = options.gpusPerReplica == nil ? "spec.deployment.gpusPerReplica" : "options.gpusPerReplica"
        guard gpus >= 0 else {
            throw ManifestError(
                field: gpuField, message: "GPUs per replica is \(gpus); write 0 for CPU workers or a positive count.")
        }
        if gpus > 0, deployment.gpuUtilizationMetric == nil {
            throw ManifestError(
                field: "spec.deployment.gpuUtilizationMetric",
                message:
                    "the workers get \(gpus) GPU(s) each but no GPU utilisation metric is named, so the autoscaler would be blind to GPU load; "
                    + "set gpuUtilizationMetric to the per-pod metric your metrics adapter serves, such as DCGM_FI_DEV_GPU_UTIL."
            )
        }
        if let metric = deployment.gpuUtilizationMetric, !Self.isMetricName(metric) {
            throw ManifestError(
                field: "spec.deployment.gpuUtilizationMetric",
                message:
                    "\"\(metric)\" is not a metric name; use letters, digits and '_' not starting with a digit, such as DCGM_FI_DEV_GPU_UTIL."
            )
        }
        guard (1...100).contains(deployment.gpuUtilizationTarget) else {
            throw ManifestError(
                field: "spec.deployment.gpuUtilizationTarget",
                message:
                    "GPU utilisation target \(deployment.gpuUtilizationTarget) % is outside 1...100; write a percentage such as 70."
            )
        }
        guard deployment.cpuUtilizationTarget >= 1 else {
            throw ManifestError(
                field: "spec.deployment.cpuUtilizationTarget",
                message:
                    "CPU utilisation target \(deployment.cpuUtilizationTarget) % must be positive; write a percentage such as 70."
            )
        }
        if let parallel = options.tensorParallel, parallel < 1 {
            throw ManifestError(
                field: "options.tensorParallel",
                message: "tensor-parallel degree \(parallel) must be at least 1; leave it unset for one shard.")
        }
        let image = options.image ?? deployment.image
        if image.isEmpty || image.contains(where: \.isWhitespace) {
            throw ManifestError(
                field: options.image == nil ? "spec.deployment.image" : "options.image",
                message: "\"\(image)\" is not a container image reference; write one such as ballast/worker:latest."
            )
        }
        guard (1...65535).contains(deployment.port) else {
            throw ManifestError(
                field: "spec.deployment.port",
                message: "port \(deployment.port) is outside 1...65535; write a TCP port such as 8080.")
        }
        try KubernetesNames.checkQuantity(deployment.cpu, field: "spec.deployment.cpu")
        try KubernetesNames.checkQuantity(deployment.memory, field: "spec.deployment.memory")
        try Self.checkBehavior(policy.behavior)

        self.name = policy.name
        self.namespace = deployment.namespace
        self.model = target.model
        self.modelLabel = modelLabel
        self.version = version
        self.replicas = replicas
        self.gpusPerReplica = gpus
        self.image = image
        self.metrics = MetricNames(engine: target.engine, model: target.model)
    }

    /// Whether `text` is a Prometheus metric name.
    static func isMetricName(_ text: String) -> Bool {
        guard let first = text.first, !first.isNumber else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// Kubernetes limits: windows 0...3600 s, periods 1...1800 s, positive values.
    private static func checkBehavior(_ behavior: ScalingBehavior) throws(ManifestError) {
        for (direction, rules) in [("scaleUp", behavior.scaleUp), ("scaleDown", behavior.scaleDown)] {
            let window = wholeSeconds(rules.stabilizationWindow)
            guard (0...3600).contains(window) else {
                throw ManifestError(
                    field: "spec.behavior.\(direction).stabilizationWindow",
                    message:
                        "a stabilisation window of \(window) s is outside Kubernetes' 0...3600 s; write one such as 300s."
                )
            }
            for (index, policy) in rules.policies.enumerated() {
                let period = wholeSeconds(policy.period)
                guard (1...1800).contains(period) else {
                    throw ManifestError(
                        field: "spec.behavior.\(direction).policies[\(index)].period",
                        message: "a period of \(period) s is outside Kubernetes' 1...1800 s; write one such as 15s."
                    )
                }
                guard policy.value > 0 else {
                    throw ManifestError(
                        field: "spec.behavior.\(direction).policies[\(index)].value",
                        message:
                            "a rate of \(policy.value) \(policy.type.rawValue) per period allows no change; write a positive value, or selectPolicy: Disabled."
                    )
                }
            }
        }
    }
}

/// A duration in whole seconds, rounded up so a fractional window never shrinks.
func wholeSeconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    return Int(seconds) + (attoseconds > 0 ? 1 : 0)
}
