import BallastCore
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Controller

/// The local runtime over real `ballast worker` processes serving SmolLM2.
@Suite(
    .serialized, .enabled(if: RuntimeTestSupport.smolLM2Present, "SmolLM2 is not in the model cache; run .ci/setup."))
struct LocalRuntimeTests {
    let key = LocalHarness.deployment

    @Test func scalesOneToThreeToOne() async throws {
        let folder = try TemporaryFolder("local-scale")
        try await LocalHarness.with(try LocalHarness.runtime(folder)) { runtime, log in
            let clock = ContinuousClock()
            let begin = clock.now
            let one = await runtime.apply(DesiredState(deployment: key, replicas: 1), now: LocalHarness.now())
            #expect(one.succeeded, "\(one.summary)")
            #expect(one.summary.contains("started slot 1 pid"))
            try await LocalHarness.waitForReady(runtime, 1)
            print("local runtime: first worker ready \((clock.now - begin).secondsValue) s after apply")
            let first = await runtime.workerProcesses(of: key)

            _ = await runtime.apply(DesiredState(deployment: key, replicas: 3), now: LocalHarness.now())
            let fleet = await runtime.fleet(of: key, now: LocalHarness.now())
            #expect(fleet.desiredReplicas == 3)
            #expect(fleet.startingSince.count == 2)
            try await LocalHarness.waitForReady(runtime, 3)
            let targets = await runtime.targets()
            #expect(targets.count == 3)
            #expect(targets.allSatisfy { $0.labels == ["model": "smollm2", "version": "v-test", "policy": "smol"] })
            #expect(targets.allSatisfy { $0.instance.hasPrefix("127.0.0.1:") && $0.url.hasSuffix("/metrics") })
            let metrics = try await RuntimeTestSupport.get(try #require(targets.first).url)
            #expect(metrics.body.contains("ballast_model_info"))
            // Applying the same state again changes nothing.
            let again = await runtime.apply(DesiredState(deployment: key, replicas: 3), now: LocalHarness.now())
            #expect(again.summary == "smol/smollm2@v-test: 3 workers wanted, 3 running, 3 ready.")

            let all = await runtime.workerProcesses(of: key)
            let down = await runtime.apply(DesiredState(deployment: key, replicas: 1), now: LocalHarness.now())
            #expect(down.summary.contains("draining slot"), "\(down.summary)")
            // The oldest worker stays; the two newer ones drain and exit cleanly.
            #expect(await runtime.workerProcesses(of: key) == first)
            #expect(await runtime.fleet(of: key, now: LocalHarness.now()).readyReplicas == 1)
            try await RuntimeTestSupport.waitUntil("two workers stopped") { await log.count(.stopped) == 2 }
            #expect(await log.messages(.stopped).allSatisfy { $0.contains("exit status 0") })
            for pid in all where !first.contains(pid) { #expect(!RuntimeTestSupport.isAlive(pid)) }
            try await log.expect(.started, 3)
            try await log.expect(.ready, 3)
            for message in await log.messages(.ready) { print("local runtime: \(message)") }
            #expect(await log.count(.exited) == 0)
            #expect(FileManager.default.fileExists(atPath: folder.file("logs/smol-3.log")))
        }
    }

    @Test func scaleDownDrainsARequestInFlight() async throws {
        let folder = try TemporaryFolder("local-drain")
        try await LocalHarness.with(try LocalHarness.runtime(folder)) { runtime, log in
            _ = await runtime.apply(DesiredState(deployment: key, replicas: 1), now: LocalHarness.now())
            try await LocalHarness.waitForReady(runtime, 1)
            let target = try #require(await runtime.targets().first)
            var stream = try await Stream.completion("http://\(target.instance)/v1/completions", maxTokens: 150)
            #expect(stream.status == 200)
            let first = try #require(try await stream.next())
            #expect(first.hasPrefix("data: "))
            let down = await runtime.apply(DesiredState(deployment: key, replicas: 0), now: LocalHarness.now())
            #expect(down.summary.contains("draining slot 1"))
            // Out of the front door before SIGTERM.
            #expect(await runtime.readyBackends().isEmpty)
            let rest = try await stream.rest()
            #expect(rest.contains(#""finish_reason":"length""#), "the request was cut short: \(rest.suffix(300))")
            #expect(rest.hasSuffix("data: [DONE]\n\n"))
            try await RuntimeTestSupport.waitUntil("the worker stopped") { await log.count(.stopped) == 1 }
            #expect(await log.messages(.stopped).first?.contains("exit status 0") == true)
            #expect(await log.count(.exited) == 0)
        }
    }

    @Test func aKilledWorkerIsReplaced() async throws {
        let folder = try TemporaryFolder("local-kill")
        try await LocalHarness.with(try LocalHarness.runtime(folder)) { runtime, log in
            _ = await runtime.apply(DesiredState(deployment: key, replicas: 1), now: LocalHarness.now())
            try await LocalHarness.waitForReady(runtime, 1)
            let old = try #require(await runtime.workerProcesses(of: key).first)
            #expect(kill(old, SIGKILL) == 0)
            try await RuntimeTestSupport.waitUntil("a replacement worker") {
                let pids = await runtime.workerProcesses(of: key)
                return pids.count == 1 && pids != [old]
            }
            try await LocalHarness.waitForReady(runtime, 1)
            try await log.expect(.exited, 1)
            #expect(await log.messages(.exited).first?.contains("signal 9") == true)
            try await log.expect(.restarted, 1)
            try await log.expect(.ready, 2)
        }
    }

    @Test func aNewRuntimeAdoptsLiveWorkers() async throws {
        let folder = try TemporaryFolder("local-adopt")
        var pids: [Int32] = []
        // The first controller starts two workers and goes away without stopping them, as after SIGKILL.
        try await LocalHarness.with(try LocalHarness.runtime(folder)) { runtime, _ in
            _ = await runtime.apply(DesiredState(deployment: key, replicas: 2), now: LocalHarness.now())
            try await LocalHarness.waitForReady(runtime, 2)
            pids = await runtime.workerProcesses(of: key)
            await runtime.shutdown(drain: false)
        }
        #expect(pids.count == 2)
        #expect(pids.allSatisfy(RuntimeTestSupport.isAlive))

        try await LocalHarness.with(try LocalHarness.runtime(folder)) { runtime, log in
            #expect(await runtime.fleet(of: key, now: LocalHarness.now()).readyReplicas == 2)
            #expect(await runtime.workerProcesses(of: key) == pids)
            try await log.expect(.adopted, 2)
            #expect(await log.count(.started) == 0)
            let target = try #require(await runtime.targets().first)
            let answer = try await RuntimeTestSupport.post(
                "http://\(target.instance)/v1/completions",
                json: #"{"model":"smollm2","prompt":"Hello","max_tokens":4}"#)
            #expect(answer.status == 200)
            // An adopted worker that dies is replaced like any other.
            #expect(kill(pids[0], SIGKILL) == 0)
            try await RuntimeTestSupport.waitUntil("the adopted worker replaced") {
                let now = await runtime.workerProcesses(of: key)
                return now.count == 2 && !now.contains(pids[0])
            }
            try await LocalHarness.waitForReady(runtime, 2)
        }
        #expect(!pids.contains(where: RuntimeTestSupport.isAlive))
    }

    @Test func recordedWorkersThatAreGoneAreForgottenAndReplaced() async throws {
        let folder = try TemporaryFolder("local-forget")
        let record = LocalRuntimeRecord(
            desired: [DesiredState(deployment: key, replicas: 1)],
            workers: [
                LocalWorker(
                    deployment: key, slot: 1, pid: Int32.max, port: closedPort(), modelPath: "x",
                    logPath: folder.file("logs/smol-1.log"), logOffset: 0, startedAt: .epoch, readyAt: .epoch)
            ])
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: folder.file("state.json")))
        try await LocalHarness.with(try LocalHarness.runtime(folder)) { runtime, log in
            // The stored desired state is reconciled before any controller applies one.
            try await LocalHarness.waitForReady(runtime, 1)
            try await log.expect(.forgotten, 1)
            #expect(await log.messages(.forgotten).first?.contains("is no longer running") == true)
            #expect(await runtime.workerProcesses(of: key) != [Int32.max])
        }
    }

    /// Graceful shutdown of the controller's service group drains and stops every worker.
    @Test func gracefulShutdownStopsEveryWorker() async throws {
        let folder = try TemporaryFolder("local-graceful")
        let runtime = try LocalHarness.runtime(folder)
        let log = EventLog()
        var logger = Logger(label: "local-runtime-test")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [runtime], logger: logger))
        var pids: [Int32] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { for await event in runtime.events { await log.append(event) } }
            _ = await runtime.apply(DesiredState(deployment: key, replicas: 2), now: LocalHarness.now())
            try await LocalHarness.waitForReady(runtime, 2)
            pids = await runtime.workerProcesses(of: key)
            await group.triggerGracefulShutdown()
            try await RuntimeTestSupport.waitUntil("both workers stopped") { await log.count(.stopped) == 2 }
            tasks.cancelAll()
        }
        #expect(pids.count == 2)
        #expect(!pids.contains(where: RuntimeTestSupport.isAlive))
        #expect(await log.messages(.stopped).allSatisfy { $0.contains("exit status 0") })
        let stored = try JSONDecoder().decode(
            LocalRuntimeRecord.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("state.json"))))
        #expect(stored.workers.isEmpty)
    }

    @Test func badInputFailsTheOutcome() async throws {
        let folder = try TemporaryFolder("local-bad")
        let missing = LocalRuntime(
            configuration: try LocalHarness.configuration(folder, command: ["/nonexistent/ballast", "worker"]))
        try await LocalHarness.with(missing) { runtime, log in
            let negative = await runtime.apply(DesiredState(deployment: key, replicas: -1), now: LocalHarness.now())
            #expect(!negative.succeeded)
            #expect(negative.summary.contains("replicas (-1) must be at least 0"))
            let outcome = await runtime.apply(DesiredState(deployment: key, replicas: 1), now: LocalHarness.now())
            #expect(!outcome.succeeded)
            #expect(outcome.summary.contains("A worker could not be started"), "\(outcome.summary)")
            #expect(outcome.summary.contains("/nonexistent/ballast could not be started"))
            try await RuntimeTestSupport.waitUntil("a failed event") { await log.count(.failed) >= 1 }
        }
    }

    @Test func aWorkerThatExitsAtOnceIsRestartedWithBackoff() async throws {
        let folder = try TemporaryFolder("local-crash")
        let runtime = LocalRuntime(configuration: try LocalHarness.configuration(folder))
        try await LocalHarness.with(runtime) { runtime, log in
            let outcome = await runtime.apply(
                DesiredState(deployment: key, replicas: 1, shards: 2, modelPath: "no-such-model"),
                now: LocalHarness.now())
            #expect(await runtime.fleet(of: key, now: LocalHarness.now()).shards == 1)
            #expect(outcome.summary.contains("Sharding into 2 is recommended but not available for local workers"))
            #expect(outcome.summary.contains("started slot 1"))
            try await RuntimeTestSupport.waitUntil("three exits") { await log.count(.exited) >= 3 }
            let exits = await log.messages(.exited)
            #expect(exits.allSatisfy { $0.contains("exit status 64") }, "\(exits)")
            #expect(exits.first?.contains("No model file") == true, "\(exits)")
            #expect(await log.count(.restarted) >= 2)
            let times = await log.events.filter { $0.kind == .exited }.map(\.time)
            // Backoff doubles: the gap before the third exit is at least the second delay (200 ms).
            #expect(times[2] - times[1] >= .milliseconds(200))
        }
    }
}
