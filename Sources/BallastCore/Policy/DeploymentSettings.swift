/// How replicas run in Kubernetes; read only by manifest rendering and the Kubernetes runtime.
public struct DeploymentSettings: Hashable, Sendable {
    /// Namespace of every rendered object. Default `default`.
    public var namespace: String
    /// Container image of a worker. Default `ballast/worker:latest`.
    public var image: String
    /// Container arguments; `nil` means `worker --model … --version … --port …` for Ballast's own worker.
    public var args: [String]?
    /// Port the worker serves HTTP and `/metrics` on. Default 8080.
    public var port: Int
    /// `nvidia.com/gpu` limit per replica; 0 for CPU-only workers. Default 0.
    public var gpusPerReplica: Int
    /// CPU request per replica in Kubernetes quantity syntax. Default `2`.
    public var cpu: String
    /// Memory request and limit per replica in Kubernetes quantity syntax. Default `4Gi`.
    public var memory: String
    /// CPU utilisation the HPA aims at, in percent. Default 70, as in documents 001 and 003.
    public var cpuUtilizationTarget: Int
    /// Name of a per-pod GPU utilisation metric served by a metrics adapter (for example DCGM's
    /// `DCGM_FI_DEV_GPU_UTIL`); `nil` leaves GPU utilisation out of the HPA.
    public var gpuUtilizationMetric: String?
    /// GPU utilisation target in percent when ``gpuUtilizationMetric`` is set. Default 70 (document 004).
    public var gpuUtilizationTarget: Int
    /// Also render a KEDA `ScaledObject` (instead of relying on the HPA alone). Default false.
    public var keda: Bool

    /// Creates deployment settings.
    public init(
        namespace: String = "default",
        image: String = "ballast/worker:latest",
        args: [String]? = nil,
        port: Int = 8080,
        gpusPerReplica: Int = 0,
        cpu: String = "2",
        memory: String = "4Gi",
        cpuUtilizationTarget: Int = 70,
        gpuUtilizationMetric: String? = nil,
        gpuUtilizationTarget: Int = 70,
        keda: Bool = false
    ) {
        self.namespace = namespace
        self.image = image
        self.args = args
        self.port = port
        self.gpusPerReplica = gpusPerReplica
        self.cpu = cpu
        self.memory = memory
        self.cpuUtilizationTarget = cpuUtilizationTarget
        self.gpuUtilizationMetric = gpuUtilizationMetric
        self.gpuUtilizationTarget = gpuUtilizationTarget
        self.keda = keda
    }
}
