import BallastCore
import Testing

/// Every record type comes back as it was stored, in both stores.
struct RoundTripTests {
    @Test(arguments: StoreKind.allCases)
    func tickComesBackWhole(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            var unicodeAction = Samples.action("r1-7b/scale/1767225600000")
            unicodeAction.request = "scale to 3 replicas — «r1» 模型 🚀"
            unicodeAction.detail = "line one\nline two\t\"quoted\""
            unicodeAction.result = #"{"kl": 0.012, "file": "/tmp/ü.gguf"}"#
            unicodeAction.commands.append(
                CommandRecord(
                    arguments: ["sh", "-c", "exit 1"], exitCode: nil, stderr: "ⓧ", durationSeconds: .infinity))
            var noDesired = Samples.action("r1-7b/alert/1767225600000", decisionIndex: nil)
            noDesired.desired = nil
            noDesired.deployment = DeploymentKey(policy: "r1-7b", model: "model-of-r1-7b", version: "v2")
            let tick = try Samples.tick(actions: [unicodeAction, noDesired])

            let stored = try await store.commit(tick)

            #expect(stored.count == 1)
            let decision = try #require(stored.first)
            let id = try #require(decision.id)
            let readBack = try #require(try await store.decision(id: id))
            #expect(try Samples.canonical(readBack) == Samples.canonical(decision))
            #expect(readBack.deployment == tick.decisions[0].deployment)
            #expect(readBack.summary == tick.decisions[0].summary)

            let signals = Dictionary(uniqueKeysWithValues: readBack.evaluation.signals.map { ($0.name, $0.reading) })
            #expect(signals["overload"] == .value(.infinity))
            #expect(signals["underload"] == .value(-.infinity))
            #expect(signals["empty_histogram"]?.number?.isNaN == true)
            #expect(signals["tokens"] == .missing(reason: "no series matched; 模型 «r1» 🚀"))
            #expect(readBack.evaluation.scaling.panic?.triggerAt == .infinity)
            #expect(readBack.evaluation.actions.last?.readings.first?.threshold == -.infinity)

            #expect(try await store.deploymentStates() == ["r1-7b": tick.state])

            var expectedUnicode = unicodeAction
            expectedUnicode.decisionID = id
            let unicodeBack = try #require(try await store.action(key: unicodeAction.key))
            #expect(unicodeBack.commands.last?.durationSeconds == .infinity)
            #expect(try Samples.canonical(unicodeBack) == Samples.canonical(expectedUnicode))
            #expect(try await store.action(key: noDesired.key) == noDesired)
            #expect(try await store.action(key: "no/such/key") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func eventsComeBackWithIDs(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let events = [
                EventRecord(
                    time: Samples.start, level: "error", deployment: Samples.deployment(version: "v1"),
                    reason: "worker-exited", message: "Worker 3 (pid 4242) exited with status 137 — OOM? 💥"),
                EventRecord(time: Samples.start, level: "warning", reason: "scrape-failed", message: ""),
                EventRecord(
                    time: Timestamp(millisecondsSinceEpoch: -1), level: "info", deployment: Samples.deployment("b"),
                    reason: "alert", message: "before 1970"),
            ]
            var stored: [EventRecord] = []
            for event in events {
                stored.append(try await store.record(event))
            }

            #expect(stored.map(\.id) == [1, 2, 3])
            for (original, back) in zip(events, stored) {
                var expected = original
                expected.id = back.id
                #expect(back == expected)
            }
            #expect(try await store.events(limit: 10) == Array(stored.reversed()))
            #expect(try await store.events(limit: 2) == Array(stored.reversed().prefix(2)))
            #expect(try await store.events(limit: 0) == [])
            #expect(try await store.events(limit: -5) == [])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func emptyStoreAnswersEmpty(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            #expect(try await store.deploymentStates().isEmpty)
            #expect(try await store.unfinishedActions().isEmpty)
            #expect(try await store.actions(limit: 10).isEmpty)
            #expect(try await store.events(limit: 10).isEmpty)
            #expect(try await store.decisions(limit: 10, policy: nil, beforeID: nil).isEmpty)
            #expect(try await store.decision(id: 1) == nil)
            #expect(try await store.blob(forKey: "runtime/local") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func laterTickReplacesDeploymentState(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            try await store.commit(try Samples.tick(policy: "a", time: Samples.start))
            try await store.commit(try Samples.tick(policy: "b", time: Samples.start))
            let later = Samples.start + .seconds(5)
            let replacement = TickCommit(
                state: Samples.state(policy: "a", replicas: 7, time: later), decisions: [], actions: [])
            let stored = try await store.commit(replacement)

            #expect(stored.isEmpty)
            let states = try await store.deploymentStates()
            #expect(states.keys.sorted() == ["a", "b"])
            #expect(states["a"] == replacement.state)
            #expect(states["a"]?.desired.replicas == 7)
            #expect(states["b"]?.updatedAt == Samples.start)
        }
    }
}
