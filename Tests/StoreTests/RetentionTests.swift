import BallastCore
import Testing

/// Old decisions and events are pruned per policy so the file stops growing; ids are never reused.
struct RetentionTests {
    @Test(arguments: StoreKind.allCases)
    func decisionsBeyondTheLimitArePrunedPerPolicy(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory, decisionsPerPolicy: 3)
            // Policies in the order a a b a a a b: ids 1…7.
            for (index, policy) in ["a", "a", "b", "a", "a", "a", "b"].enumerated() {
                try await store.commit(try Samples.tick(policy: policy, time: Samples.start + .seconds(Int64(index))))
            }
            #expect(try await store.decisions(limit: 100, policy: "a", beforeID: nil).map(\.id) == [6, 5, 4])
            #expect(try await store.decisions(limit: 100, policy: "b", beforeID: nil).map(\.id) == [7, 3])
            #expect(try await store.decision(id: 2) == nil)
            #expect(try await store.decision(id: 4)?.deployment.policy == "a")

            // A tick with several decisions prunes inside the same commit, and ids go on from the highest ever used.
            let burst = TickCommit(
                state: Samples.state(policy: "a"),
                decisions: try (0..<4).map { _ in try Samples.decision(policy: "a") },
                actions: [Samples.action("burst", policy: "a", decisionIndex: 0)])
            let stored = try await store.commit(burst)
            #expect(stored.map(\.id) == [8, 9, 10, 11])
            #expect(try await store.decisions(limit: 100, policy: "a", beforeID: nil).map(\.id) == [11, 10, 9])
            // The action keeps its decision id even though retention deleted that decision.
            #expect(try await store.action(key: "burst")?.decisionID == 8)
            #expect(try await store.decisions(limit: 100, policy: "b", beforeID: nil).map(\.id) == [7, 3])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func eventsBeyondTheLimitArePrunedPerPolicy(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory, eventsPerPolicy: 2)
            let owners: [String?] = ["a", nil, "a", "b", nil, "a", nil, "a"]
            for (index, owner) in owners.enumerated() {
                try await store.record(
                    EventRecord(
                        time: Samples.start + .seconds(Int64(index)), level: "info",
                        deployment: owner.map { Samples.deployment($0) }, reason: "test", message: "event \(index + 1)")
                )
            }
            let kept = try await store.events(limit: 100)
            #expect(kept.map(\.id) == [8, 7, 6, 5, 4])
            #expect(kept.map { $0.deployment?.policy } == ["a", nil, "a", nil, "b"])
            let next = try await store.record(
                EventRecord(time: Samples.start, level: "info", reason: "test", message: "event 9"))
            #expect(next.id == 9)
        }
    }

    /// Limits below 1 count as 1, so a misconfigured limit never deletes what was just written.
    @Test(arguments: StoreKind.allCases, [0, -10])
    func limitsBelowOneKeepTheNewest(kind: StoreKind, limit: Int) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory, decisionsPerPolicy: limit, eventsPerPolicy: limit)
            try await store.commit(try Samples.tick())
            try await store.commit(try Samples.tick())
            try await store.record(EventRecord(time: Samples.start, level: "info", reason: "x", message: "1"))
            try await store.record(EventRecord(time: Samples.start, level: "info", reason: "x", message: "2"))
            #expect(try await store.decisions(limit: 10, policy: nil, beforeID: nil).map(\.id) == [2])
            #expect(try await store.events(limit: 10).map(\.message) == ["2"])
        }
    }
}
