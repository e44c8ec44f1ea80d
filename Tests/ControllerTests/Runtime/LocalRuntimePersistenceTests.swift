import BallastCore
import Foundation
import Testing

@testable import Controller

/// A state store that keeps only blobs, the part of ``StateStore`` the local runtime uses.
actor BlobStore: StateStore {
    private var blobs: [String: [UInt8]] = [:]

    func deploymentStates() async throws -> [String: DeploymentState] { [:] }
    func commit(_ tick: TickCommit) async throws -> [DecisionRecord] { tick.decisions }
    func updateAction(
        key: String, status: ActionStatus, detail: String?, commands: [CommandRecord], result: String?,
        at time: Timestamp
    ) async throws {}
    func unfinishedActions() async throws -> [ActionRecord] { [] }
    func action(key: String) async throws -> ActionRecord? { nil }
    func actions(limit: Int) async throws -> [ActionRecord] { [] }
    func record(_ event: EventRecord) async throws -> EventRecord { event }
    func events(limit: Int) async throws -> [EventRecord] { [] }
    func decisions(limit: Int, policy: String?, beforeID: Int64?) async throws -> [DecisionRecord] { [] }
    func decision(id: Int64) async throws -> DecisionRecord? { nil }
    func blob(forKey key: String) async throws -> [UInt8]? { blobs[key] }
    func setBlob(_ value: [UInt8]?, forKey key: String) async throws { blobs[key] = value }
}

struct LocalRuntimePersistenceTests {
    @Test func aFileRoundTripsAndStartsEmpty() async throws {
        let folder = try TemporaryFolder("persistence")
        let persistence = LocalRuntimePersistence.file(folder.file("nested/state.json"))
        #expect(try await persistence.load() == nil)
        try await persistence.save(Array("{\"a\":1}".utf8))
        #expect(try await persistence.load() == Array("{\"a\":1}".utf8))
    }

    @Test func theStateStoreKeepsItUnderItsKey() async throws {
        let store = BlobStore()
        let persistence = LocalRuntimePersistence.stateStore(store)
        #expect(try await persistence.load() == nil)
        try await persistence.save([1, 2, 3])
        #expect(try await store.blob(forKey: "runtime/local/workers") == [1, 2, 3])
        #expect(try await persistence.load() == [1, 2, 3])
    }

    /// A runtime saves its desired state through the store, and a new runtime over the same store reads it back.
    @Test func aRuntimeSavesDesiredStateThroughTheStore() async throws {
        let folder = try TemporaryFolder("persistence-runtime")
        let store = BlobStore()
        let key = DeploymentKey(policy: "p", model: "m")
        let configuration = LocalRuntime.Configuration(
            workerCommand: ["/nonexistent/ballast", "worker"], logDirectory: folder.path)
        let first = LocalRuntime(configuration: configuration, persistence: .stateStore(store))
        _ = await first.apply(DesiredState(deployment: key, replicas: 2), now: .epoch)
        let bytes = try #require(try await store.blob(forKey: "runtime/local/workers"))
        let record = try JSONDecoder().decode(LocalRuntimeRecord.self, from: Data(bytes))
        #expect(record.desired == [DesiredState(deployment: key, replicas: 2)])
        #expect(record.workers.isEmpty)
        let second = LocalRuntime(configuration: configuration, persistence: .stateStore(store))
        #expect(await second.fleet(of: key, now: .epoch).desiredReplicas == 2)
    }

    @Test func unreadableStateIsReportedAndIgnored() async throws {
        let folder = try TemporaryFolder("persistence-bad")
        try "not json".write(toFile: folder.file("state.json"), atomically: true, encoding: .utf8)
        let runtime = LocalRuntime(
            configuration: LocalRuntime.Configuration(logDirectory: folder.path),
            persistence: .file(folder.file("state.json")))
        #expect(await runtime.fleet(of: DeploymentKey(policy: "p", model: "m"), now: .epoch).desiredReplicas == 0)
        var events = runtime.events.makeAsyncIterator()
        let event = await events.next()
        #expect(event?.kind == .failed)
        #expect(event?.message.contains("The stored worker list could not be read") == true)
    }
}

struct RuntimeEventTests {
    @Test(arguments: [
        (RuntimeEvent.Kind.started, "info", "worker-started"),
        (.ready, "info", "worker-ready"),
        (.exited, "warning", "worker-exited"),
        (.forgotten, "warning", "worker-forgotten"),
        (.failed, "error", "worker-failed"),
        (.kubectlFailed, "error", "kubectl-failed"),
    ])
    func mapsToStoredEvents(kind: RuntimeEvent.Kind, level: String, reason: String) {
        let key = DeploymentKey(policy: "p", model: "m")
        let record = RuntimeEvent(time: .epoch, deployment: key, kind: kind, message: "Something happened.").eventRecord
        #expect(record.level == level)
        #expect(record.reason == reason)
        #expect(record.deployment == key)
        #expect(record.message == "Something happened.")
    }
}
