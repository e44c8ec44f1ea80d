public import BallastCore
import Foundation
public import Manifests

/// Runs a policy's fleet in Kubernetes: renders its manifests with the decided replicas and GPUs into a folder
/// and applies them with `kubectl` (server-side apply); reads the Deployment back for the fleet state.
///
/// Every `kubectl` call goes through a ``CommandRunning``, and each call's argument vector, exit code and output
/// are in the outcome, so a person can repeat or explain what was done.
public actor KubernetesRuntime: Actuator {
    /// Where and how to run `kubectl`.
    public struct Configuration: Sendable {
        /// The `kubectl` program: a name looked up in `PATH`, or a path. Default `kubectl`.
        public var kubectl: String
        /// Folder the manifests are rendered into, one subfolder per policy (`<folder>/<policy>/`), one file per
        /// object. Default `<temporary directory>/ballast-manifests`.
        public var manifestDirectory: String
        /// Show the changes with `kubectl diff` instead of applying them. Default false.
        public var dryRun: Bool
        /// Namespace for every policy; `nil` (the default) uses each policy's `deployment.namespace`.
        public var namespace: String?
        /// Field manager name for server-side apply. Default `ballast`.
        public var fieldManager: String
        /// Longest one `kubectl` call may take. Default 60 s.
        public var commandTimeout: Duration
        /// Render options other than replicas, GPUs and tensor parallelism (image, version, ServiceMonitor).
        /// Default: the policy's own settings. The autoscaler is never rendered: the controller sets replicas.
        public var renderOptions: RenderOptions

        /// Creates a configuration with the defaults above.
        public init(
            kubectl: String = "kubectl",
            manifestDirectory: String = Configuration.defaultManifestDirectory,
            dryRun: Bool = false, namespace: String? = nil, fieldManager: String = "ballast",
            commandTimeout: Duration = .seconds(60), renderOptions: RenderOptions = RenderOptions()
        ) {
            self.kubectl = kubectl
            self.manifestDirectory = manifestDirectory
            self.dryRun = dryRun
            self.namespace = namespace
            self.fieldManager = fieldManager
            self.commandTimeout = commandTimeout
            self.renderOptions = renderOptions
        }

        /// `<temporary directory>/ballast-manifests`.
        public static var defaultManifestDirectory: String {
            FileManager.default.temporaryDirectory.appendingPathComponent("ballast-manifests").path
        }
    }

    /// The settings.
    public let configuration: Configuration
    /// Events (`kubectl-failed`) for the daemon to record; buffered up to the newest 1000.
    public nonisolated let events: AsyncStream<RuntimeEvent>
    private let eventSink: AsyncStream<RuntimeEvent>.Continuation
    private let runner: any CommandRunning
    private var policies: [String: Policy]
    private var lastFleet: [DeploymentKey: FleetState] = [:]
    private var lastApplied: [DeploymentKey: DesiredState] = [:]
    /// When this runtime first saw each starting replica, oldest first: Kubernetes does not say per pod here.
    private var startingSeen: [DeploymentKey: [Timestamp]] = [:]

    /// A runtime for `policies` (by `metadata.name`) that runs `kubectl` through `runner`.
    public init(configuration: Configuration = Configuration(), policies: [Policy], runner: any CommandRunning) {
        self.configuration = configuration
        self.runner = runner
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    /// Replaces the policies, after the policy files changed.
    public func update(policies: [Policy]) {
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The folder `deployment`'s manifests are rendered into: `<manifestDirectory>/<policy>`.
    public nonisolated func manifestFolder(of deployment: DeploymentKey) -> String {
        URL(fileURLWithPath: configuration.manifestDirectory).appendingPathComponent(deployment.policy).path
    }

    /// Renders the manifests with `desired`'s replicas and `shards × gpusPerReplica` GPUs (tensor parallel
    /// `shards`) and applies them with `kubectl apply --server-side`; with ``Configuration/dryRun``, runs
    /// `kubectl diff` instead and puts the differences in the summary.
    public func apply(_ desired: DesiredState, now: Timestamp) async -> ActuationOutcome {
        let key = desired.deployment
        guard let policy = policies[key.policy] else {
            return ActuationOutcome(
                succeeded: false,
                summary: "No policy named \(key.policy) is loaded, so \(key) cannot be applied; load its policy file.")
        }
        guard desired.replicas >= 0, desired.shards >= 1 else {
            return ActuationOutcome(
                succeeded: false,
                summary: "\(key): replicas (\(desired.replicas)) must be at least 0 and shards (\(desired.shards)) at "
                    + "least 1; the desired state was not applied.")
        }
        let folder = manifestFolder(of: key)
        do {
            try write(policy: policy, desired: desired, into: folder)
        } catch {
            return ActuationOutcome(
                succeeded: false, summary: "\(key): the manifests were not written to \(folder): \(error)")
        }
        let namespace = configuration.namespace ?? policy.deployment.namespace
        let common = [
            "--server-side", "--field-manager=\(configuration.fieldManager)", "--force-conflicts", "-n", namespace,
            "-f", folder,
        ]
        if configuration.dryRun {
            let record = await runner.run(
                [configuration.kubectl, "diff"] + common, input: nil, timeout: configuration.commandTimeout)
            switch record.exitCode {
            case 0?:
                return ActuationOutcome(
                    succeeded: true, summary: "\(key): dry run, the cluster already matches \(folder).",
                    commands: [record])
            case 1?:
                return ActuationOutcome(
                    succeeded: true, summary: "\(key): dry run, applying \(folder) would change:\n\(record.stdout)",
                    commands: [record])
            default:
                return failed(record, key: key, now: now, doing: "kubectl diff")
            }
        }
        let record = await runner.run(
            [configuration.kubectl, "apply"] + common, input: nil, timeout: configuration.commandTimeout)
        guard record.exitCode == 0 else { return failed(record, key: key, now: now, doing: "kubectl apply") }
        lastApplied[key] = desired
        let gpus = desired.shards * policy.deployment.gpusPerReplica
        return ActuationOutcome(
            succeeded: true,
            summary: "\(key): applied \(desired.replicas) replicas × \(desired.shards) shards (\(gpus) GPUs per pod) "
                + "in namespace \(namespace).",
            commands: [record])
    }

    /// Reads the Deployment with `kubectl get deployment -o json`: `spec.replicas` wanted, `status.readyReplicas`
    /// ready, the rest starting since this runtime first saw them starting (`now` for ones first seen now: the
    /// Deployment does not say when each pod started). When `kubectl` fails, the last
    /// fleet read is returned and a ``RuntimeEvent/Kind/kubectlFailed`` event says why.
    public func fleet(of deployment: DeploymentKey, now: Timestamp) async -> FleetState {
        let namespace = configuration.namespace ?? policies[deployment.policy]?.deployment.namespace ?? "default"
        let record = await runner.run(
            [configuration.kubectl, "get", "deployment", deployment.policy, "-n", namespace, "-o", "json"], input: nil,
            timeout: configuration.commandTimeout)
        let shards = lastApplied[deployment]?.shards ?? 1
        guard record.exitCode == 0, let counts = DeploymentCounts(json: record.stdout) else {
            let reason =
                record.exitCode == 0
                ? "its output is not a Deployment as JSON"
                : "it exited with \(record.exitCode.map(String.init) ?? "no status"): \(record.stderr)"
            emit(
                RuntimeEvent(
                    time: now, deployment: deployment, kind: .kubectlFailed,
                    message: "kubectl get deployment \(deployment.policy) -n \(namespace) failed, so the last known "
                        + "fleet is kept: \(reason)"))
            return lastFleet[deployment]
                ?? FleetState(desiredReplicas: lastApplied[deployment]?.replicas ?? 0, readyReplicas: 0, shards: shards)
        }
        let starting = max(0, counts.replicas - counts.ready)
        var seen = startingSeen[deployment] ?? []
        // The oldest pods are the likeliest to have become ready, so their sightings go first.
        if seen.count > starting { seen.removeFirst(seen.count - starting) }
        seen += Array(repeating: now, count: starting - seen.count)
        startingSeen[deployment] = seen
        let state = FleetState(
            desiredReplicas: counts.replicas, readyReplicas: counts.ready, startingSince: seen, shards: shards)
        lastFleet[deployment] = state
        return state
    }

    /// The Service in front of the fleet: `http://<policy>.<namespace>.svc:<port>`; `nil` for an unknown policy.
    public func endpoint(of deployment: DeploymentKey) async -> String? {
        guard let policy = policies[deployment.policy] else { return nil }
        let namespace = configuration.namespace ?? policy.deployment.namespace
        return "http://\(policy.name).\(namespace).svc:\(policy.deployment.port)"
    }

    // MARK: Helpers

    private func failed(_ record: CommandRecord, key: DeploymentKey, now: Timestamp, doing: String)
        -> ActuationOutcome
    {
        let status = record.exitCode.map { "exited with \($0)" } ?? "could not be started"
        let summary = "\(key): \(doing) \(status): \(record.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        emit(RuntimeEvent(time: now, deployment: key, kind: .kubectlFailed, message: summary))
        return ActuationOutcome(succeeded: false, summary: summary, commands: [record])
    }

    private func emit(_ event: RuntimeEvent) {
        eventSink.yield(event)
    }

    /// Writes one file per Kubernetes object, in render order, and removes files of objects no longer rendered,
    /// so `kubectl apply -f` on the folder sees exactly this render.
    private func write(policy: Policy, desired: DesiredState, into folder: String) throws {
        var options = configuration.renderOptions
        options.replicas = desired.replicas
        options.gpusPerReplica = desired.shards * policy.deployment.gpusPerReplica
        options.tensorParallel = desired.shards
        options.includeHorizontalPodAutoscaler = false
        let manifests = try ManifestSet.render(policy: policy, options: options)
            .filter { !ManifestSet.fileKinds.contains($0.kind) && !$0.fileName.contains("/") }
        let files = FileManager.default
        try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let wanted = Set(manifests.map(\.fileName))
        for name in try files.contentsOfDirectory(atPath: folder)
        where name.hasSuffix(".yaml") && !wanted.contains(name) {
            try files.removeItem(atPath: folder + "/" + name)
        }
        for manifest in manifests {
            try Data(manifest.yaml.utf8).write(
                to: URL(fileURLWithPath: folder).appendingPathComponent(manifest.fileName), options: .atomic)
        }
    }
}
