public import AsyncHTTPClient
public import BallastCore
import Foundation
public import Logging
import Manifests
public import PolicyFile
public import ServiceLifecycle

/// Builds a whole controller from loaded policies and options: metrics source, runtime, daemon and the
/// services that run them. `ballast controller` is this plus its HTTP API; tests build the same thing.
public struct ControllerAssembly: Sendable {
    /// Options of `ballast controller` that shape the assembly.
    public struct Options: Sendable {
        /// `local` or `kubernetes`.
        public var kubernetes: Bool
        /// Model for local workers and quantization: a GGUF path or a cached name; `nil` uses each policy's model.
        public var model: String?
        /// Prometheus base URL; `nil` scrapes the targets itself.
        public var prometheus: String?
        /// Time between ticks (and embedded scrapes).
        public var interval: Duration
        /// Port of the local front door; 0 picks one.
        public var frontDoorPort: Int
        /// Extra arguments for every local worker.
        public var workerArguments: [String]
        /// Program and leading arguments that start a local worker; `nil` is this executable's `worker`.
        public var workerCommand: [String]?
        /// Prometheus file_sd files with more scrape targets.
        public var fileSD: [String]
        /// Where to publish the local workers as a file_sd file for a Prometheus server; `nil` publishes nothing.
        public var fileSDOut: String?
        /// kubectl program.
        public var kubectl: String
        /// Where manifests are rendered for kubectl.
        public var manifestsDirectory: String
        /// `kubectl diff` instead of apply.
        public var dryRun: Bool
        /// Folder for worker logs and quantization candidates.
        public var stateDirectory: String
        /// The `ballast` executable quantization runs; `nil` is this executable.
        public var executable: String?
        /// Model file per policy name, for quantization; a policy without one cannot be quantized.
        public var modelFiles: [String: String]

        /// Creates options.
        public init(
            kubernetes: Bool = false, model: String? = nil, prometheus: String? = nil, interval: Duration = .seconds(5),
            frontDoorPort: Int = 8000, workerArguments: [String] = [], workerCommand: [String]? = nil,
            fileSD: [String] = [], fileSDOut: String? = nil, kubectl: String = "kubectl", manifestsDirectory: String, dryRun: Bool = false,
            stateDirectory: String, executable: String? = nil, modelFiles: [String: String] = [:]
        ) {
            self.kubernetes = kubernetes
            self.model = model
            self.prometheus = prometheus
            self.interval = interval
            self.frontDoorPort = frontDoorPort
            self.workerArguments = workerArguments
            self.workerCommand = workerCommand
            self.fileSD = fileSD
            self.fileSDOut = fileSDOut
            self.kubectl = kubectl
            self.manifestsDirectory = manifestsDirectory
            self.dryRun = dryRun
            self.stateDirectory = stateDirectory
            self.executable = executable
            self.modelFiles = modelFiles
        }
    }

    /// The daemon.
    public let daemon: ControllerDaemon
    /// Services to run in one group, in start order (shut down in reverse: the runtime drains last).
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    /// The HTTP client every part shares; shut it down after the group ends.
    public let client: HTTPClient
    /// The local front door, when the runtime is local.
    public let frontDoor: FrontDoor?
    private let loadSource: (LocalRuntime, FrontDoor)?

    /// Assembles a controller.
    public init(documents: [PolicyDocument], options: Options, store: any StateStore, logger: Logger) throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        self.client = client
        let policies = documents.map(\.policy)
        let runner = SubprocessCommandRunner()
        let executable = options.executable ?? LocalRuntime.Configuration.currentExecutable
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let events: AsyncStream<RuntimeEvent>
        let actuator: any Actuator
        var runtimeTargets: (any TargetProvider)?
        var frontDoor: FrontDoor?
        var loadSource: (LocalRuntime, FrontDoor)?

        if options.kubernetes {
            let runtime = KubernetesRuntime(
                configuration: KubernetesRuntime.Configuration(
                    kubectl: options.kubectl, manifestDirectory: options.manifestsDirectory, dryRun: options.dryRun),
                policies: policies, runner: runner)
            actuator = runtime
            events = runtime.events
        } else {
            var models: [String: String] = [:]
            for policy in policies { models[policy.name] = options.model ?? policy.target.model }
            let frontDoorURL = "http://127.0.0.1:\(options.frontDoorPort)"
            let runtime = LocalRuntime(
                configuration: LocalRuntime.Configuration(
                    workerCommand: options.workerCommand ?? [executable, "worker"], models: models,
                    workerArguments: options.workerArguments,
                    logDirectory: (options.stateDirectory as NSString).appendingPathComponent("workers"),
                    frontDoorURL: options.frontDoorPort == 0 ? nil : frontDoorURL),
                persistence: .stateStore(store), httpClient: client)
            let door = FrontDoor(
                configuration: FrontDoor.Configuration(port: options.frontDoorPort), directory: runtime, logger: logger)
            frontDoor = door
            actuator = runtime
            events = runtime.events
            runtimeTargets = LocalRuntimeTargets(runtime: runtime)
            loadSource = (runtime, door)
            services.append(.init(service: runtime))
            services.append(.init(service: door))
            if let path = options.fileSDOut {
                services.append(
                    .init(
                        service: FileSDWriter(path: path, interval: .milliseconds(500), logger: logger) {
                            await runtime.targets()
                        }))
            }
        }

        let signalQueries = documents.map { SignalQueries(document: $0) }
        let deployments = zip(documents, signalQueries).map { document, queries in
            let policy = document.policy
            return ManagedDeployment(
                key: DeploymentKey(policy: policy.name, model: policy.target.model, version: policy.target.version),
                policy: policy, queries: queries.queries,
                observe: { readings, fleet in queries.observation(from: readings, fleet: fleet) })
        }

        let source: any MetricsSource
        var refresh: (@Sendable (Timestamp) async -> Int)?
        if let prometheus = options.prometheus {
            source = PrometheusMetricsSource(baseURL: prometheus, httpClient: client)
        } else {
            var providers: [any TargetProvider] = runtimeTargets.map { [$0] } ?? []
            for policy in policies where !policy.scrape.targets.isEmpty {
                providers.append(StaticTargets(settings: policy.scrape, labels: ["policy": policy.name]))
            }
            for file in options.fileSD { providers.append(ResilientTargets(FileSDTargets(path: file), logger: logger)) }
            if options.kubernetes {
                // The pods behind each policy's rendered Service, which is named after the policy.
                for policy in policies {
                    let endpoints = KubernetesEndpointsTargets(
                        name: policy.name, namespace: policy.deployment.namespace,
                        kubectl: options.kubectl, runner: runner)
                    providers.append(ResilientTargets(endpoints, logger: logger))
                }
            }
            let longest = signalQueries.map(\.longestRangeMilliseconds).max() ?? 60_000
            let scraper = Scraper(
                configuration: Scraper.Configuration(interval: options.interval, longestRangeMilliseconds: longest),
                targets: CombinedTargets(providers), httpClient: client)
            source = EmbeddedMetricsSource(scraper: scraper)
            refresh = { now in await scraper.scrapeSlice(now: now) }
        }

        let quantization = QuantizationJobs(
            configuration: QuantizationJobs.Configuration(
                executable: executable,
                modelPath: { [files = options.modelFiles] key in files[key.policy] },
                workDirectory: options.stateDirectory),
            runner: runner, store: store, logger: logger)
        let daemon = ControllerDaemon(
            deployments: deployments, source: source, actuator: actuator, store: store,
            alerts: AlertNotifier(client: client, logger: logger), quantization: quantization,
            configuration: ControllerDaemon.Configuration(interval: options.interval), logger: logger,
            refresh: refresh)
        self.daemon = daemon
        self.frontDoor = frontDoor
        services.append(.init(service: QuantizationService(jobs: quantization)))
        services.append(.init(service: RuntimeEventRecorder(events: events, store: store, logger: logger)))
        services.append(.init(service: daemon))
        self.services = services
        self.loadSource = loadSource
    }

    /// Hands the front door's in-flight counts to the local runtime, so scale-down stops idle workers first.
    public func connect() async {
        guard let (runtime, door) = loadSource else { return }
        await runtime.setLoadSource { door.inFlight(of: $0) }
    }
}

/// The local runtime's workers as scrape targets.
struct LocalRuntimeTargets: TargetProvider {
    let runtime: LocalRuntime

    func targets() async throws -> [ScrapeTarget] {
        await runtime.targets()
    }
}

/// Runs the quantization queue as a service.
struct QuantizationService: Service {
    let jobs: QuantizationJobs

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await jobs.run()
        }
    }
}

/// Writes runtime events (workers started, crashed, replaced, adopted; kubectl failures) to the store.
struct RuntimeEventRecorder: Service {
    let events: AsyncStream<RuntimeEvent>
    let store: any StateStore
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in events {
                let level = [.exited, .failed, .kubectlFailed, .forgotten].contains(event.kind) ? "warning" : "info"
                logger.log(level: level == "warning" ? .warning : .info, "\(event.message)",
                    metadata: ["policy": "\(event.deployment.policy)", "event": "\(event.kind.rawValue)"])
                do {
                    try await store.record(
                        EventRecord(
                            time: event.time, level: level, deployment: event.deployment, reason: event.kind.rawValue,
                            message: event.message))
                } catch {
                    logger.error("Could not record a runtime event.", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
