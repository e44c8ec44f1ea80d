import BallastCore
import BallastTesting
import Controller
import Foundation
import Testing

/// The daemon's loop over fakes: when it acts, what it records, and how it resumes.
struct ControllerDaemonTests {
    @Test func scalesOutOnlyAfterTheForDurationAndRecordsWhy() async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        let runtime = fixture.runtime
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        #expect(await runtime.applied.map(\.replicas) == [1])
        await runtime.markReady("chat")

        await fixture.source.set(values: ["queue_p95": 1.0, "memory_ratio": 0.5])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        #expect(await runtime.applied.count == 1, "a pending rule must not act")
        await fixture.daemon.tick(now: DaemonFixture.at(30))
        #expect(await runtime.applied.map(\.replicas) == [1, 2])

        let decisions = try await fixture.store.decisions(limit: 10, policy: "chat", beforeID: nil)
        let scale = try #require(decisions.first { $0.kind == "scale" })
        #expect(scale.rule == "queue-time")
        #expect(scale.summary == "scale 1 → 2: queue-time: ceil(1 × 1 / 0.5) = 2")
        let actions = try await fixture.store.actions(limit: 10)
        #expect(actions.map(\.status) == [.succeeded])
        #expect(actions.first?.decisionID == scale.id)
    }

    @Test func aFailedReadingIsNeverZeroAndHolds() async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        await fixture.runtime.markReady("chat")
        await fixture.source.set(values: ["queue_p95": 1.0, "memory_ratio": 0.5])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        await fixture.source.set("queue_p95", .failed(reason: "target 127.0.0.1:1 refused the connection"))
        await fixture.daemon.tick(now: DaemonFixture.at(40))
        #expect(await fixture.runtime.applied.count == 1)
        let status = await fixture.daemon.status(now: DaemonFixture.at(40))
        let rule = try #require(status.deployments.first?.rules.first { $0.rule == "queue-time" })
        guard case .held(let reason) = rule.status else {
            Issue.record("expected the rule to hold, got \(rule.status)")
            return
        }
        #expect(reason.contains("refused the connection"))
    }

    @Test func shardAndAlertShareTheTickAndAreRecorded() async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        await fixture.runtime.markReady("chat")
        await fixture.source.set(values: ["queue_p95": 0.5, "memory_ratio": 0.95])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        #expect(await fixture.runtime.applied.last?.shards == 2)
        let actions = try await fixture.store.actions(limit: 10)
        #expect(Set(actions.map(\.kind)) == ["shard", "alert"])
        #expect(actions.allSatisfy { $0.status == .succeeded })
        let events = try await fixture.store.events(limit: 10)
        #expect(events.contains { $0.reason == "alert" && $0.message.contains("memory high") })
    }

    @Test func aRuntimeThatCannotShardRecordsTheShardAsARecommendationOnly() async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        await fixture.runtime.setCanShard(false)
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        await fixture.runtime.markReady("chat")
        await fixture.source.set(values: ["queue_p95": 1.0, "memory_ratio": 0.88])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        let shard = try #require(try await fixture.store.actions(limit: 10).first { $0.kind == "shard" })
        #expect(shard.status == .failed)
        #expect(shard.detail?.hasPrefix("Sharding into 2 is recommended, but the runtime runs 1 shard(s)") == true)
        // A later scale is not dragged down by the shard the runtime could not do.
        await fixture.daemon.tick(now: DaemonFixture.at(30))
        let scale = try #require(try await fixture.store.actions(limit: 10).first { $0.kind == "scale" })
        #expect(scale.status == .succeeded)
    }

    @Test func aFailingRuntimeIsRecordedAndTheLoopGoesOn() async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        await fixture.runtime.markReady("chat")
        await fixture.runtime.setFailure("kubectl: the server has asked for the client to provide credentials")
        await fixture.source.set(values: ["queue_p95": 1.0, "memory_ratio": 0.5])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        await fixture.daemon.tick(now: DaemonFixture.at(30))
        let failed = try #require(try await fixture.store.actions(limit: 10).first)
        #expect(failed.status == .failed)
        #expect(failed.detail?.contains("provide credentials") == true)
        #expect(failed.commands.first?.exitCode == 1)
        let events = try await fixture.store.events(limit: 10)
        #expect(events.contains { $0.reason == "actuation-failed" })
        await fixture.daemon.tick(now: DaemonFixture.at(35))
        #expect(await fixture.daemon.status(now: DaemonFixture.at(35)).ticks == 3)
    }

    @Test func aRestartResumesTimersAndDesiredStateWithoutRepeating() async throws {
        let store: any StateStore = InMemoryStateStore()
        let first = DaemonFixture(store: store)
        try await first.daemon.start(now: DaemonFixture.at(0))
        await first.runtime.markReady("chat")
        await first.source.set(values: ["queue_p95": 1.0, "memory_ratio": 0.5])
        await first.daemon.tick(now: DaemonFixture.at(0))
        await first.daemon.tick(now: DaemonFixture.at(30))
        #expect(await first.runtime.applied.map(\.replicas) == [1, 2])
        // A second pending episode starts at 40 s, then the controller dies.
        await first.source.set(values: ["queue_p95": 0.5, "memory_ratio": 0.5])
        await first.daemon.tick(now: DaemonFixture.at(35))
        await first.source.set(values: ["queue_p95": 2.0, "memory_ratio": 0.5])
        await first.daemon.tick(now: DaemonFixture.at(40))
        let actionsBefore = try await store.actions(limit: 100)

        let second = DaemonFixture(store: store)
        try await second.daemon.start(now: DaemonFixture.at(50))
        #expect(await second.runtime.applied.map(\.replicas) == [2], "the restart reconciles the stored desired state")
        #expect(try await store.actions(limit: 100) == actionsBefore, "no completed action runs again")
        await second.runtime.markReady("chat")
        await second.source.set(values: ["queue_p95": 2.0, "memory_ratio": 0.5])
        // The for: timer started at 40 s before the restart, so at 70 s the rule fires.
        await second.daemon.tick(now: DaemonFixture.at(70))
        #expect(await second.runtime.applied.map(\.replicas) == [2, 6])
    }

    @Test func aPlannedActionLeftByACrashIsFinishedExactlyOnce() async throws {
        let store: any StateStore = InMemoryStateStore()
        let desired = DesiredState(deployment: DaemonFixture.key, replicas: 3)
        let evaluation = PolicyEvaluator.explain(
            policy: DaemonFixture.policy(),
            observed: Observation(values: ["queue_p95": 1.5, "memory_ratio": 0.5], fleet: .steady(1)),
            now: DaemonFixture.at(0))
        try await store.commit(
            TickCommit(
                state: DeploymentState(desired: desired, evaluator: PolicyEvaluator.State(), updatedAt: DaemonFixture.at(0)),
                decisions: [
                    DecisionRecord(
                        time: DaemonFixture.at(0), deployment: DaemonFixture.key, kind: "scale", rule: "queue-time",
                        summary: "scale 1 → 3", evaluation: evaluation)
                ],
                actions: [
                    ActionRecord(
                        key: "chat/scale/queue-time/0", decisionID: 0, deployment: DaemonFixture.key, kind: "scale",
                        request: "scale to 3 replicas", desired: desired, createdAt: DaemonFixture.at(0))
                ]))
        let first = DaemonFixture(store: store)
        try await first.daemon.start(now: DaemonFixture.at(5))
        #expect(await first.runtime.applied.map(\.replicas) == [3])
        #expect(try await store.unfinishedActions().isEmpty)
        let finished = try #require(try await store.action(key: "chat/scale/queue-time/0"))
        #expect(finished.status == .succeeded)

        let second = DaemonFixture(store: store)
        try await second.daemon.start(now: DaemonFixture.at(10))
        #expect(try await store.action(key: "chat/scale/queue-time/0") == finished)
    }

    @Test func pausedDeploymentsRecordButDoNotMove() async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        await fixture.runtime.markReady("chat")
        #expect(await fixture.daemon.setPaused(true, policy: "chat", now: DaemonFixture.at(0)))
        #expect(await fixture.daemon.setPaused(true, policy: "nope", now: DaemonFixture.at(0)) == false)
        await fixture.source.set(values: ["queue_p95": 0.5, "memory_ratio": 0.88])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        #expect(await fixture.runtime.applied.count == 1)
        let decisions = try await fixture.store.decisions(limit: 10, policy: nil, beforeID: nil)
        #expect(decisions.contains { $0.kind == "shard" })
    }
}
