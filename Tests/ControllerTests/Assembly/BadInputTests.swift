import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import Logging
import PolicyFile
import Store
import Testing

/// The assembled controller fed bad input at once — an unreachable target, a garbage metrics page, a signal
/// whose metric exists nowhere, a `kubectl` that fails — keeps ticking, and says why for each.
struct BadInputTests {
    static func policy(garbagePort: Int) -> String {
        """
        apiVersion: ballast/v1
        kind: Policy
        metadata: {name: broken}
        spec:
          target: {model: chat, minReplicas: 1, maxReplicas: 4}
          scrape: {targets: ["127.0.0.1:1", "127.0.0.1:\(garbagePort)"], interval: 1s, timeout: 1s}
          signals:
            queue_p95: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))
            ghost: max(no_such_metric_total)
          rules:
            - {name: queue-time, when: queue_p95 > 500ms, action: {scale: {target: 500ms}}}
            - {name: ghost-alert, when: ghost > 1, action: {alert: {severity: warning}}}
          deployment: {image: "ghcr.io/example/worker:1"}
        """
    }

    @Test func everyProblemIsReportedAndTheLoopGoesOn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubectl = directory.appendingPathComponent("kubectl")
        try Data("#!/bin/sh\necho 'error: You must be logged in to the server (Unauthorized)' >&2\nexit 1\n".utf8)
            .write(to: kubectl)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: kubectl.path)

        try await MetricsPageServer.withServer(handler: { _ in
            MetricsPageServer.Page(text: "ballast_queue_depth{model=\"chat\" 3\n")
        }) { port in
            let document = try PolicyLoader.parseDocument(Self.policy(garbagePort: port), file: "broken.yaml")
            let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
            let assembly = try ControllerAssembly(
                documents: [document],
                options: ControllerAssembly.Options(
                    kubernetes: true, interval: .seconds(1), kubectl: kubectl.path,
                    manifestsDirectory: directory.appendingPathComponent("manifests").path,
                    stateDirectory: directory.path),
                store: store, logger: Logger(label: "test.bad-input"))
            let daemon = assembly.daemon
            try await daemon.start(now: ControllerClock.now())
            for _ in 0..<3 { await daemon.tick(now: ControllerClock.now()) }

            let status = await daemon.status(now: ControllerClock.now())
            #expect(status.ticks == 3, "the loop keeps running")
            let targets = Dictionary(uniqueKeysWithValues: status.targets.map { ($0.target.instance, $0) })
            let unreachable = try #require(targets["127.0.0.1:1"])
            #expect(!unreachable.up)
            #expect(unreachable.lastError?.isEmpty == false)
            let garbage = try #require(targets["127.0.0.1:\(port)"])
            #expect(!garbage.up)
            #expect(garbage.lastError?.contains("line 1") == true, "\(garbage.lastError ?? "")")

            let deployment = try #require(status.deployments.first)
            let ghost = try #require(deployment.signals.first { $0.name == "ghost" })
            #expect(ghost.reading.number == nil, "a metric that exists nowhere is never a number")
            let rules = Dictionary(uniqueKeysWithValues: deployment.rules.map { ($0.rule, $0) })
            #expect(rules["ghost-alert"]?.status.name == "held")
            #expect(rules["queue-time"]?.status.name == "held")

            let events = try await store.events(limit: 50)
            let failure = try #require(events.first { $0.reason == "actuation-failed" })
            #expect(failure.message.contains("Unauthorized"), "\(failure.message)")
            #expect(deployment.desiredReplicas == 1)
            try await assembly.client.shutdown()
        }
    }
}
