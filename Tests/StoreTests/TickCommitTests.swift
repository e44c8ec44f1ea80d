import BallastCore
import Testing

/// `commit(_:)`: decision ids, the decisionID convention, idempotent action keys, bad input, concurrency.
struct TickCommitTests {
    @Test(arguments: StoreKind.allCases)
    func decisionIndexBecomesStoredID(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            try await store.commit(try Samples.tick(policy: "warm-up"))
            let tick = TickCommit(
                state: Samples.state(),
                decisions: [
                    try Samples.decision(kind: "scale"), try Samples.decision(kind: "shard", rule: "memory"),
                    try Samples.decision(kind: "hold", rule: nil),
                ],
                actions: [
                    Samples.action("second", decisionIndex: 1), Samples.action("first", decisionIndex: 0),
                    Samples.action("none", decisionIndex: nil), Samples.action("again-second", decisionIndex: 1),
                ])

            let stored = try await store.commit(tick)

            #expect(stored.map(\.id) == [2, 3, 4])
            #expect(stored.map(\.kind) == ["scale", "shard", "hold"])
            let expected: [String: Int64?] = ["second": 3, "first": 2, "none": nil, "again-second": 3]
            for (key, decisionID) in expected {
                #expect(try await store.action(key: key)?.decisionID == decisionID, "action \(key)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func actionKeyStoredTwiceKeepsTheFirst(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let first = Samples.action("r1-7b/scale/1767225600000")
            let firstIDs = try await store.commit(try Samples.tick(actions: [first]))
            try await store.updateAction(
                key: first.key, status: .succeeded, detail: "scaled to 3", commands: [], result: nil,
                at: Samples.start + .seconds(2))

            var replay = first
            replay.request = "scale to 9 replicas"
            replay.status = .planned
            let laterTime = Samples.start + .seconds(5)
            let secondIDs = try await store.commit(
                try Samples.tick(time: laterTime, actions: [replay, Samples.action("fresh", createdAt: laterTime)]))

            let kept = try #require(try await store.action(key: first.key))
            #expect(kept.request == "scale to 3 replicas")
            #expect(kept.status == .succeeded)
            #expect(kept.detail == "scaled to 3")
            #expect(kept.finishedAt == Samples.start + .seconds(2))
            #expect(kept.decisionID == firstIDs[0].id)
            #expect(try await store.action(key: "fresh")?.decisionID == secondIDs[0].id)
            #expect(try await store.actions(limit: 10).map(\.key) == ["fresh", first.key])
            #expect(try await store.unfinishedActions().map(\.key) == ["fresh"])
        }
    }

    /// A `decisionID` index that names no decision of a tick with `decisionCount` decisions.
    struct BadIndex: Sendable, CustomTestStringConvertible {
        let kind: StoreKind
        let index: Int64
        let decisionCount: Int
        var testDescription: String { "\(kind): index \(index) of \(decisionCount)" }
    }

    static let badIndexes: [BadIndex] = StoreKind.allCases.flatMap { kind in
        [(1, 1), (-1, 1), (0, 0), (Int64.max, 1)].map { BadIndex(kind: kind, index: $0.0, decisionCount: $0.1) }
    }

    @Test(arguments: badIndexes)
    func decisionIndexOutsideTheTickIsRefused(case bad: BadIndex) async throws {
        let (kind, index, decisionCount) = (bad.kind, bad.index, bad.decisionCount)
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let decisions = try (0..<decisionCount).map { _ in try Samples.decision() }
            let tick = TickCommit(
                state: Samples.state(), decisions: decisions,
                actions: [Samples.action("good", decisionIndex: nil), Samples.action("bad", decisionIndex: index)])

            let error = await #expect(throws: (any Error).self) { try await store.commit(tick) }

            #expect(
                "\(error.map { "\($0)" } ?? "")"
                    == "Action \"bad\" refers to decision index \(index), but the commit holds \(decisionCount) decisions; set decisionID to an index into TickCommit.decisions or to nil."
            )
            #expect(try await store.deploymentStates().isEmpty)
            #expect(try await store.decisions(limit: 10, policy: nil, beforeID: nil).isEmpty)
            #expect(try await store.action(key: "good") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentCommitsLoseNothing(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let tickCount = 48
            let ticks = try (0..<tickCount).map { index in
                let time = Samples.start + .milliseconds(Int64(index))
                return try Samples.tick(
                    policy: "policy-\(index % 4)", time: time,
                    actions: [
                        Samples.action(
                            "policy-\(index % 4)/scale/\(index)", policy: "policy-\(index % 4)", createdAt: time)
                    ])
            }

            let results = try await withThrowingTaskGroup(of: (Int, Int64?).self) { group in
                for (index, tick) in ticks.enumerated() {
                    group.addTask { (index, try await store.commit(tick).first?.id) }
                }
                var ids: [Int: Int64?] = [:]
                for try await (index, id) in group { ids[index] = id }
                return ids
            }

            let ids = results.values.compactMap { $0 }
            #expect(ids.count == tickCount)
            #expect(Set(ids) == Set(1...Int64(tickCount)))
            let decisions = try await store.decisions(limit: 1000, policy: nil, beforeID: nil)
            #expect(decisions.count == tickCount)
            let actions = try await store.actions(limit: 1000)
            #expect(actions.count == tickCount)
            for (index, id) in results {
                let action = try await store.action(key: "policy-\(index % 4)/scale/\(index)")
                #expect(action?.decisionID == id, "tick \(index)")
            }
            #expect(
                try await store.deploymentStates().keys.sorted() == ["policy-0", "policy-1", "policy-2", "policy-3"])
        }
    }
}
