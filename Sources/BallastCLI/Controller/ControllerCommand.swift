import ArgumentParser
import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import Hummingbird
import Logging
import PolicyFile
import ServiceLifecycle
import Store
import UnixSignals

/// `ballast controller`: the daemon that watches the fleet, applies the policies and acts.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Watch workers, apply policies and act: local worker processes or Kubernetes through kubectl.",
        discussion: """
            Every --interval the controller reads each policy's signals (scraping the workers itself, or asking \
            --prometheus), evaluates the rules (a fleet of more than 350 scrape targets is scraped in slices over \
            the interval, with an evaluation after each), records each decision with its reasons in the --state file, and \
            acts. With --runtime local (the default) it runs `ballast worker` processes on loopback and a front \
            door that spreads requests over them; with --runtime kubernetes it renders manifests with the decided \
            replicas and GPUs into --manifests-dir and runs `kubectl apply` (or `kubectl diff` with --dry-run). \
            SIGTERM or SIGINT stops it gracefully; local workers are drained. After kill -9 a restarted controller \
            adopts the running workers and resumes from the state file.
            """
    )

    /// Where the fleet runs.
    enum Runtime: String, ExpressibleByArgument, CaseIterable {
        case local, kubernetes
    }

    @Option(name: .customLong("policy"), parsing: .singleValue, help: "Policy file; repeat for several deployments.")
    var policies: [String] = []

    @Option(help: "Where the fleet runs: local (worker processes on this machine) or kubernetes.")
    var runtime: Runtime = .local

    @Option(help: "Model for local workers and quantization: a GGUF file or a cached name (default: the policy's model).")
    var model: String?

    @Option(help: "Ask this Prometheus server (http://host:9090) instead of scraping the workers.")
    var prometheus: String?

    @Option(help: "Port of the status API and /metrics.")
    var port: Int = 9400

    @Option(help: "Address of the status API (0.0.0.0 in a container).")
    var host: String = "127.0.0.1"

    @Option(help: "SQLite file for desired state, decisions, actions and events.")
    var state: String = ".ballast/controller.sqlite"

    @Option(help: "Time between two scrapes of a target and between evaluations, such as 5s or 500ms.")
    var interval: String = "5s"

    @Option(name: .customLong("front-door-port"), help: "Port of the local runtime's client endpoint (0 picks one).")
    var frontDoorPort: Int = 8000

    @Option(name: .customLong("worker-arg"), parsing: .singleValue, help: "Extra argument for every local worker (repeat), such as --worker-arg=--threads --worker-arg=1.")
    var workerArguments: [String] = []

    @Option(name: .customLong("token-file"), help: "File holding the bearer token that enables pause and resume.")
    var tokenFile: String?

    @Option(name: .customLong("file-sd"), parsing: .singleValue, help: "Prometheus file_sd JSON file of more targets to scrape (repeatable).")
    var fileSD: [String] = []

    @Option(name: .customLong("file-sd-out"), help: "Publish the local workers as a Prometheus file_sd JSON file here, for a Prometheus server to scrape.")
    var fileSDOut: String?

    @Option(help: "kubectl program for --runtime kubernetes.")
    var kubectl: String = "kubectl"

    @Option(name: .customLong("manifests-dir"), help: "Where --runtime kubernetes renders the manifests it applies (default: next to --state).")
    var manifestsDirectory: String?

    @Flag(name: .customLong("dry-run"), help: "With --runtime kubernetes, print `kubectl diff` instead of applying.")
    var dryRun = false

    func validate() throws {
        guard !policies.isEmpty else {
            throw ValidationError("Give at least one --policy FILE, such as --policy policies/default.yaml.")
        }
        guard let duration = parseDuration(interval), duration >= .milliseconds(100) else {
            throw ValidationError("--interval \(interval) is not a duration of at least 100ms; write it like 5s.")
        }
        for (name, value) in [("--port", port), ("--front-door-port", frontDoorPort)] where !(0...65_535).contains(value) {
            throw ValidationError("\(name) \(value) must be between 0 and 65535.")
        }
        if dryRun && runtime != .kubernetes {
            throw ValidationError("--dry-run applies to --runtime kubernetes only.")
        }
        if let prometheus, URL(string: prometheus)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--prometheus \(prometheus) is not an http:// URL; write it like http://127.0.0.1:9090.")
        }
    }

    func run() async throws {
        var configured = Logger(label: "ballast.controller")
        configured.logLevel = .info
        let logger = configured
        let documents: [PolicyDocument]
        do {
            documents = try PolicyLoader.loadAll(contentsOf: policies)
        } catch {
            throw ValidationError("\(error)")
        }
        let names = documents.map(\.policy.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ValidationError("Two policies are named \(duplicate); give each deployment its own metadata.name.")
        }
        let token = try tokenFile.map { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("Cannot read --token-file \(path); check the path and permissions.")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let store: SQLiteStateStore
        do {
            store = try SQLiteStateStore(path: state)
        } catch {
            throw ValidationError("\(error)")
        }
        let stateDirectory = (state as NSString).deletingLastPathComponent.isEmpty
            ? "." : (state as NSString).deletingLastPathComponent
        let tick = parseDuration(interval) ?? .seconds(5)
        let modelPath = model.flatMap { try? ModelArgument.path($0) }
        if let model, modelPath == nil, runtime == .local {
            throw ValidationError(
                "--model \(model) is neither a file nor a cached model; run `ballast model pull smollm2-135m` or pass a GGUF path.")
        }
        var modelFiles: [String: String] = [:]
        for document in documents {
            // Quantization needs a file; a policy whose model is not cached simply cannot be quantized.
            if let path = modelPath ?? (try? ModelArgument.path(document.policy.target.model)) {
                modelFiles[document.policy.name] = path
            }
        }
        let plan: ControllerAssembly
        do {
            plan = try ControllerAssembly(
                documents: documents,
                options: ControllerAssembly.Options(
                    kubernetes: runtime == .kubernetes, model: modelPath,
                    prometheus: prometheus, interval: tick, frontDoorPort: frontDoorPort,
                    workerArguments: workerArguments, fileSD: fileSD, fileSDOut: fileSDOut, kubectl: kubectl,
                    manifestsDirectory: manifestsDirectory
                        ?? (stateDirectory as NSString).appendingPathComponent("manifests"),
                    dryRun: dryRun, stateDirectory: stateDirectory, modelFiles: modelFiles),
                store: store, logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }
        await plan.connect()
        let api = ControllerAPI(daemon: plan.daemon, store: store, token: token)
        let application = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ballast-controller"),
            onServerRunning: { channel in
                logger.info("controller API listening", metadata: ["address": "http://\(host):\(channel.localAddress?.port ?? 0)"])
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: plan.services + [.init(service: application)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try await plan.client.shutdown()
    }
}
