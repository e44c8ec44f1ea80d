/// Choices made at render time rather than in the policy: what the controller decided, and which optional
/// objects the cluster can take.
public struct RenderOptions: Hashable, Sendable {
    /// Replicas written into the Deployment; `nil` writes the policy's `minReplicas`. The controller passes the
    /// replica count it decided; it must lie within the policy's bounds.
    public var replicas: Int?
    /// `nvidia.com/gpu` per pod; `nil` uses ``DeploymentSettings/gpusPerReplica``. The controller raises it
    /// when a shard action splits the model over more GPUs.
    public var gpusPerReplica: Int?
    /// Tensor-parallel degree passed to the worker as `--tensor-parallel N`; `nil` passes nothing (the
    /// worker then uses one shard). Usually equal to the GPUs per pod.
    public var tensorParallel: Int?
    /// Container image; `nil` uses ``DeploymentSettings/image``.
    public var image: String?
    /// Model version for the `app.kubernetes.io/version` label and the worker's `--version`; `nil` uses
    /// ``Target/version``, and `latest` when that is unset too.
    public var version: String?
    /// Render a KEDA `ScaledObject` in place of the HorizontalPodAutoscaler; `nil` follows
    /// ``DeploymentSettings/keda``. KEDA owns an HPA of its own, and two autoscalers on one Deployment fight,
    /// so the two are never rendered together.
    public var includeKEDA: Bool?
    /// Render the autoscaler: the HorizontalPodAutoscaler, or the KEDA `ScaledObject` in its place, with the
    /// prometheus-adapter rules it reads. Default true. Turn it off when the Ballast controller sets the
    /// Deployment's replicas itself: two autoscalers on one Deployment fight.
    public var includeHorizontalPodAutoscaler: Bool
    /// Render a Prometheus Operator `ServiceMonitor`. Default true; turn off where the operator's CRDs are missing.
    public var includeServiceMonitor: Bool
    /// Render a Prometheus Operator `PrometheusRule` with the alert rules. Default true; the plain rules
    /// file `alerts.rules.yaml` is rendered either way.
    public var includePrometheusRule: Bool
    /// Prometheus server KEDA queries. Default `http://prometheus-operated.monitoring.svc:9090`, the Service
    /// the Prometheus Operator creates in a `monitoring` namespace.
    public var prometheusAddress: String
    /// Name under which prometheus-adapter serves the per-pod p95 queue wait, in seconds, to the HPA. Default
    /// `ballast_queue_wait_p95_seconds`; the rendered adapter rule (``ManifestSet/adapterRulesFileName(policy:)``)
    /// serves it under this name, so change it only to match an adapter configured by hand.
    public var queueWaitMetric: String

    /// Creates render options; every parameter defaults to what the policy says.
    public init(
        replicas: Int? = nil,
        gpusPerReplica: Int? = nil,
        tensorParallel: Int? = nil,
        image: String? = nil,
        version: String? = nil,
        includeKEDA: Bool? = nil,
        includeHorizontalPodAutoscaler: Bool = true,
        includeServiceMonitor: Bool = true,
        includePrometheusRule: Bool = true,
        prometheusAddress: String = "http://prometheus-operated.monitoring.svc:9090",
        queueWaitMetric: String = "ballast_queue_wait_p95_seconds"
    ) {
        self.replicas = replicas
        self.gpusPerReplica = gpusPerReplica
        self.tensorParallel = tensorParallel
        self.image = image
        self.version = version
        self.includeKEDA = includeKEDA
        self.includeHorizontalPodAutoscaler = includeHorizontalPodAutoscaler
        self.includeServiceMonitor = includeServiceMonitor
        self.includePrometheusRule = includePrometheusRule
        self.prometheusAddress = prometheusAddress
        self.queueWaitMetric = queueWaitMetric
    }
}
