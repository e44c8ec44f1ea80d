import BallastCore
import BallastTestSupport
import Controller
import Foundation
import Testing

/// The controller end to end with the real model: local workers scaled by queue time under a load ramp,
/// a crashed worker replaced, a controller killed with SIGKILL resuming without repeating itself, and a
/// scale-down after the stabilisation window, every step in the decision log.
@Suite(.serialized, .enabled(if: TestModelFile.required))
struct ControllerEndToEndTests {
    /// policies/demo.yaml: the default queue-time rule with windows of seconds, as `ballast demo` runs it.
    static var policy: String {
        get throws {
            try String(
                contentsOf: BallastBinary.packageRoot.appendingPathComponent("policies/demo.yaml"), encoding: .utf8)
        }
    }

    @Test func scalesOutUnderLoadSurvivesCrashesAndScalesBackDown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let controller = try ControllerProcess(
            directory: directory, policy: try Self.policy,
            extra: [
                "--model", TestModelFile.path, "--interval", "1s",
                "--worker-arg=--threads", "--worker-arg=1", "--worker-arg=--max-batch", "--worker-arg=2", "--worker-arg=--min-batch",
                "--worker-arg=1",
                "--worker-arg=--max-queue", "--worker-arg=64",
            ])
        try controller.start()
        defer { controller.terminate() }

        // One worker comes up and the front door answers.
        _ = try await controller.wait("one ready worker", seconds: 180) {
            await controller.get("/api/v1/status", as: ControllerStatus.self)
                .flatMap { $0.deployments.first?.readyReplicas == 1 ? true : nil }
        }
        let load = LoadGenerator(url: controller.frontDoor, maxTokens: 48)
        #expect(await load.request(0), "a request through the front door must succeed")

        // Ramp: eight streams against a batch of two push queue p95 over 500 ms; the controller scales out.
        let ramp = Task { await load.run(streams: 8) }
        let scaleOut = try await controller.wait("a scale-out decision", seconds: 240) {
            await controller.get("/api/v1/decisions?limit=100", as: [DecisionRecord].self)?
                .first { $0.kind == "scale" && $0.evaluation.scaling.desiredReplicas == 2 }
        }
        #expect(scaleOut.rule == "queue-time")
        #expect(scaleOut.summary.hasPrefix("scale 1 → 2: queue-time: ceil(1 × "))
        let firstRun = controller.process?.processIdentifier

        // Kill -9 a worker: the runtime replaces it.
        _ = try await controller.wait("two worker processes", seconds: 180) {
            let children = controller.workerChildren()
            return children.count == 2 ? children : nil
        }
        let victim = try #require(controller.workerChildren().first)
        kill(victim, SIGKILL)
        _ = try await controller.wait("the killed worker replaced", seconds: 180) {
            let children = controller.workerChildren()
            return children.count == 2 && !children.contains(victim) ? true : nil
        }

        // Kill -9 the controller mid-ramp; the restarted one adopts the workers and repeats no action.
        let actionsBefore = try #require(await controller.get("/api/v1/actions?limit=1000", as: [ActionRecord].self))
        let workersBefore = Set(controller.workerChildren())
        controller.kill9()
        try controller.start()
        #expect(controller.process?.processIdentifier != firstRun)
        let resumed = try await controller.wait("the restarted controller's status", seconds: 120) {
            await controller.get("/api/v1/status", as: ControllerStatus.self)
        }
        #expect(resumed.deployments.first?.desiredReplicas == 2)
        let actionsAfter = try #require(await controller.get("/api/v1/actions?limit=1000", as: [ActionRecord].self))
        let keys = actionsAfter.map(\.key)
        #expect(Set(keys).count == keys.count, "no action may be stored twice")
        for action in actionsBefore where action.status.isFinal {
            #expect(actionsAfter.first { $0.key == action.key } == action, "a finished action must stay as it was")
        }
        let events = try await controller.wait("adoption events", seconds: 60) {
            await controller.get("/api/v1/events?limit=200", as: [EventRecord].self)
                .flatMap { events in events.filter { $0.reason == "adopted" }.count >= 2 ? events : nil }
        }
        #expect(events.contains { $0.reason == "exited" }, "the worker crash must be on record")
        #expect(!workersBefore.isEmpty)

        // Load falls to one light stream; after the stabilisation window the fleet scales back to one.
        ramp.cancel()
        let light = LoadGenerator(url: controller.frontDoor, maxTokens: 8)
        let trickle = Task { await light.run(streams: 1) }
        defer { trickle.cancel() }
        let scaleIn = try await controller.wait("a scale-in decision", seconds: 300) {
            await controller.get("/api/v1/decisions?limit=200", as: [DecisionRecord].self)?
                .first { $0.kind == "scale" && $0.evaluation.scaling.desiredReplicas == 1 }
        }
        #expect(scaleIn.summary.hasPrefix("scale 2 → 1"))
        #expect(try #require(scaleIn.id) > (scaleOut.id ?? 0))

        // Every step is in `ballast explain`.
        let explained = try await BallastBinary.run(["explain", "--controller", controller.api, "--limit", "200"])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("scale 1 → 2"))
        #expect(explained.stdout.contains("scale 2 → 1"))
        let one = try await BallastBinary.run(["explain", String(try #require(scaleOut.id)), "--controller", controller.api])
        #expect(one.stdout.contains("queue_p95 = "))
        #expect(one.stdout.contains("queue-time (scale): "))
    }
}

extension ControllerEndToEndTests {
    /// The same ramp with the controller reading every signal from a real Prometheus server that scrapes the
    /// workers through the file_sd file the controller publishes: the same decisions, by the same rule.
    @Test func prometheusModeReachesTheSameDecisions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fileSD = directory.appendingPathComponent("workers.json").path
        try Data("[]".utf8).write(to: URL(fileURLWithPath: fileSD))
        let prometheus = try PrometheusServer(fileSD: fileSD)
        defer { prometheus.stop() }
        let controller = try ControllerProcess(
            directory: directory, policy: try Self.policy,
            extra: [
                "--model", TestModelFile.path, "--interval", "1s", "--prometheus", prometheus.baseURL,
                "--file-sd-out", fileSD,
                "--worker-arg=--threads", "--worker-arg=1", "--worker-arg=--max-batch", "--worker-arg=2",
                "--worker-arg=--min-batch", "--worker-arg=1", "--worker-arg=--max-queue", "--worker-arg=64",
            ])
        try controller.start()
        defer { controller.terminate() }

        // Prometheus has scraped the first worker: the controller's only target is Prometheus itself.
        _ = try await controller.wait("a ready worker and a healthy Prometheus", seconds: 180) {
            await controller.get("/api/v1/status", as: ControllerStatus.self).flatMap {
                $0.deployments.first?.readyReplicas == 1 && $0.targets.allSatisfy(\.up) && !$0.targets.isEmpty
                    ? true : nil
            }
        }
        let load = LoadGenerator(url: controller.frontDoor, maxTokens: 48)
        let ramp = Task { await load.run(streams: 8) }
        let scaleOut = try await controller.wait("a scale-out decision from Prometheus readings", seconds: 240) {
            await controller.get("/api/v1/decisions?limit=100", as: [DecisionRecord].self)?
                .first { $0.kind == "scale" && $0.evaluation.scaling.desiredReplicas == 2 }
        }
        ramp.cancel()
        #expect(scaleOut.rule == "queue-time")
        #expect(scaleOut.summary.hasPrefix("scale 1 → 2: queue-time: ceil(1 × "))
        let light = LoadGenerator(url: controller.frontDoor, maxTokens: 8)
        let trickle = Task { await light.run(streams: 1) }
        defer { trickle.cancel() }
        let scaleIn = try await controller.wait("a scale-in decision from Prometheus readings", seconds: 300) {
            await controller.get("/api/v1/decisions?limit=200", as: [DecisionRecord].self)?
                .first { $0.kind == "scale" && $0.evaluation.scaling.desiredReplicas == 1 }
        }
        #expect(scaleIn.summary.hasPrefix("scale 2 → 1"))
        let status = try #require(await controller.get("/api/v1/status", as: ControllerStatus.self))
        #expect(status.targets.map(\.target.url).allSatisfy { $0.hasPrefix(prometheus.baseURL) })
    }
}

/// The real SmolLM2 file for end-to-end tests, located as the engine tests do.
enum TestModelFile {
    static let path: String = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BALLAST_SMOLLM2_GGUF"], !path.isEmpty { return path }
        let cache = environment["BALLAST_MODEL_CACHE"]
            ?? ((environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/ballast/models")
        return cache + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }()

    /// Present, or CI (where a missing model must fail, not skip).
    static let required: Bool =
        FileManager.default.fileExists(atPath: path) || ProcessInfo.processInfo.environment["CI"] == "true"
}
