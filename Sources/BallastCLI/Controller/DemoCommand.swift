import ArgumentParser
import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PolicyFile
import ServiceLifecycle
import Store

/// `ballast demo`: the whole loop on this machine — a controller with local workers, a load ramp that
/// pushes queue time over 500 ms, a scale-out, the load falling away, a scale-in, and the decision log.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the controller on local workers under a load ramp and show every decision it makes.",
        discussion: """
            Starts a controller with the policy in policies/demo.yaml (the default policy's queue-time rule with \
            windows shortened to seconds), one `ballast worker` serving the model, and a front door. Eight \
            concurrent chat streams then push queue time p95 over 500 ms until the controller adds a worker; \
            the load drops to one light stream until the scale-down stabilisation window lets it remove one. \
            Prints progress while it runs and the decision log at the end. Takes one to three minutes.
            """
    )

    @Option(help: "A cached model name or a GGUF file.")
    var model: String = "smollm2-135m"

    @Option(help: "Policy to run (default: the built-in copy of policies/demo.yaml).")
    var policy: String?

    @Option(help: "Folder for the demo's state file and worker logs; emptied first.")
    var state: String = ".ballast/demo"

    @Option(help: "Threads per worker (default 1, so two workers share a two-core machine).")
    var threads: Int = 1

    @Option(help: "Longest wait for each phase, in seconds.")
    var timeout: Int = 300

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1; \(threads) was given.") }
        guard timeout >= 10 else { throw ValidationError("--timeout must be at least 10 seconds; \(timeout) was given.") }
    }

    func run() async throws {
        let modelPath: String
        do {
            modelPath = try ModelArgument.path(model)
        } catch {
            throw ValidationError("--model \(model): \(error)")
        }
        let document: PolicyDocument
        do {
            document = try policy.map { try PolicyLoader.loadDocument(contentsOf: $0) }
                ?? PolicyLoader.parseDocument(Self.builtInPolicy, file: "policies/demo.yaml")
        } catch {
            throw ValidationError("\(error)")
        }
        try? FileManager.default.removeItem(atPath: state)
        let store: SQLiteStateStore
        do {
            store = try SQLiteStateStore(path: (state as NSString).appendingPathComponent("controller.sqlite"))
        } catch {
            throw ValidationError("\(error)")
        }
        var quiet = Logger(label: "ballast.demo")
        quiet.logLevel = .warning
        let assembly = try ControllerAssembly(
            documents: [document],
            options: ControllerAssembly.Options(
                model: modelPath, interval: .seconds(1), frontDoorPort: 0,
                workerArguments: ["--threads", String(threads), "--max-batch", "2", "--min-batch", "1"],
                manifestsDirectory: (state as NSString).appendingPathComponent("manifests"), stateDirectory: state,
                modelFiles: [document.policy.name: modelPath]),
            store: store, logger: quiet)
        await assembly.connect()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: assembly.services, logger: quiet))
        guard let frontDoor = assembly.frontDoor else {
            throw DemoFailure("The local runtime started no front door.")
        }
        let script = DemoScript(
            daemon: assembly.daemon, store: store, frontDoor: frontDoor,
            phaseTimeout: .seconds(timeout), policy: document.policy)
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) { tasks in
            tasks.addTask {
                do { try await group.run() } catch { return .failure(error) }
                return nil
            }
            tasks.addTask {
                let result: Result<Void, any Error>
                do {
                    try await script.run()
                    result = .success(())
                } catch {
                    result = .failure(error)
                }
                await group.triggerGracefulShutdown()
                return result
            }
            var first: Result<Void, any Error> = .success(())
            for await result in tasks {
                if let result, case .failure = result { first = result }
            }
            return first
        }
        try? await assembly.client.shutdown()
        try outcome.get()
    }

    /// policies/demo.yaml, built in so `ballast demo` runs from any folder.
    static let builtInPolicy = """
        apiVersion: ballast/v1
        kind: Policy
        metadata:
          name: smollm2-135m
        spec:
          target:
            model: smollm2-135m
            minReplicas: 1
            maxReplicas: 2
          signals:
            queue_p95: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[15s])))
          rules:
            - name: queue-time
              when: queue_p95 > 500ms
              for: 2s
              action: {scale: {target: 500ms}}
          behavior:
            scaleDown: {stabilizationWindow: 20s}
            panic: false
        """
}
