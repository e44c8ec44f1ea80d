/// Which deployment a decision is about: one policy's model (and version, when it pins one).
public struct DeploymentKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Policy name (`metadata.name`), also the name of rendered Kubernetes objects.
    public var policy: String
    /// Model name as workers label it.
    public var model: String
    /// Model version; `nil` when the policy covers every version.
    public var version: String?

    /// Creates a key.
    public init(policy: String, model: String, version: String? = nil) {
        self.policy = policy
        self.model = model
        self.version = version
    }

    /// `policy/model@version`, for logs.
    public var description: String {
        "\(policy)/\(model)" + (version.map { "@\($0)" } ?? "")
    }
}

/// What the controller wants a deployment to look like. Runtimes reconcile toward it, level-based:
/// applying the same desired state twice does nothing the second time.
public struct DesiredState: Hashable, Sendable, Codable {
    /// The deployment.
    public var deployment: DeploymentKey
    /// Replicas to run.
    public var replicas: Int
    /// Shards (processes or GPUs) per replica. Default 1.
    public var shards: Int
    /// Model file a local runtime starts workers with; `nil` keeps the runtime's default.
    public var modelPath: String?

    /// Creates a desired state.
    public init(deployment: DeploymentKey, replicas: Int, shards: Int = 1, modelPath: String? = nil) {
        self.deployment = deployment
        self.replicas = replicas
        self.shards = shards
        self.modelPath = modelPath
    }
}

/// One external command a runtime ran, as it ran: argument vector, exit status and output.
public struct CommandRecord: Hashable, Sendable, Codable {
    /// The argument vector, program first; never a shell string.
    public var arguments: [String]
    /// Exit status; `nil` when the command could not be started.
    public var exitCode: Int32?
    /// Standard output, cut to a bounded length.
    public var stdout: String
    /// Standard error, cut to a bounded length.
    public var stderr: String
    /// Wall time in seconds.
    public var durationSeconds: Double

    /// Creates a record.
    public init(arguments: [String], exitCode: Int32?, stdout: String = "", stderr: String = "", durationSeconds: Double = 0) {
        self.arguments = arguments
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.durationSeconds = durationSeconds
    }
}

/// What applying a desired state did.
public struct ActuationOutcome: Hashable, Sendable, Codable {
    /// Whether the runtime now runs (or has been asked to run) the desired state.
    public var succeeded: Bool
    /// One line for people: `started worker 3 on 127.0.0.1:41234` or `kubectl apply failed: …`.
    public var summary: String
    /// Commands run on the way, in order.
    public var commands: [CommandRecord]

    /// Creates an outcome.
    public init(succeeded: Bool, summary: String, commands: [CommandRecord] = []) {
        self.succeeded = succeeded
        self.summary = summary
        self.commands = commands
    }
}

/// Where the fleet runs: local worker processes, or Kubernetes through manifests and `kubectl`.
///
/// The controller reads the fleet before each evaluation and applies the desired state after it.
public protocol Actuator: Sendable {
    /// The deployment as the runtime sees it at `now`: desired, ready and starting replicas, shards.
    func fleet(of deployment: DeploymentKey, now: Timestamp) async -> FleetState
    /// Moves the deployment toward `desired`. Idempotent; failures are reported in the outcome, not thrown.
    func apply(_ desired: DesiredState, now: Timestamp) async -> ActuationOutcome
    /// The URL clients should call for `deployment` (the front door, or the Service), when there is one.
    func endpoint(of deployment: DeploymentKey) async -> String?
}
