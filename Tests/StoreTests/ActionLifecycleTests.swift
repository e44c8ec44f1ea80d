import BallastCore
import Testing

/// Actions move through statuses; final ones get `finishedAt`, and restarts see the unfinished ones in order.
struct ActionLifecycleTests {
    /// One status move per row, run against both stores.
    struct Move: Sendable, CustomTestStringConvertible {
        let kind: StoreKind
        let status: ActionStatus
        var testDescription: String { "\(kind): planned → \(status)" }
    }

    static let moves: [Move] = StoreKind.allCases.flatMap { kind in
        ActionStatus.allCases.map { Move(kind: kind, status: $0) }
    }

    @Test(arguments: moves)
    func updateSetsStatusAndFinishedAtForFinalStatuses(move: Move) async throws {
        try await withTemporaryDirectory { directory in
            let store = try move.kind.make(in: directory)
            let action = Samples.action("r1-7b/quantize/1")
            try await store.commit(try Samples.tick(actions: [action]))
            let commands = [
                CommandRecord(arguments: ["ballast", "quantize", "--to", "q4_0"], exitCode: 1, stderr: "out of memory")
            ]
            let time = Samples.start + .seconds(90)

            try await store.updateAction(
                key: action.key, status: move.status, detail: "because \(move.status)", commands: commands,
                result: #"{"kl":0.01}"#, at: time)

            let updated = try #require(try await store.action(key: action.key))
            #expect(updated.status == move.status)
            #expect(updated.detail == "because \(move.status)")
            #expect(updated.commands == commands)
            #expect(updated.result == #"{"kl":0.01}"#)
            #expect(updated.finishedAt == (move.status.isFinal ? time : nil))
            #expect(updated.createdAt == action.createdAt)
            let unfinished = try await store.unfinishedActions().map(\.key)
            #expect(unfinished == (move.status.isFinal ? [] : [action.key]))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func unfinishedActionsAreOldestFirst(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let t0 = Samples.start
            // Stored out of time order, with two actions at the same instant (stored order breaks the tie).
            try await store.commit(
                try Samples.tick(time: t0 + .seconds(10), actions: [Samples.action("c", createdAt: t0 + .seconds(10))]))
            try await store.commit(
                try Samples.tick(
                    time: t0,
                    actions: [
                        Samples.action("a1", createdAt: t0), Samples.action("a2", createdAt: t0),
                        Samples.action("done", status: .succeeded, createdAt: t0),
                    ]))
            try await store.commit(
                try Samples.tick(
                    time: t0 + .seconds(5),
                    actions: [
                        Samples.action("b", status: .running, createdAt: t0 + .seconds(5)),
                        Samples.action("gone", status: .superseded, createdAt: t0 + .seconds(5)),
                    ]))
            try await store.updateAction(key: "a1", status: .failed, detail: "no", commands: [], result: nil, at: t0)

            #expect(try await store.unfinishedActions().map(\.key) == ["a2", "b", "c"])
            #expect(try await store.actions(limit: 10).map(\.key) == ["c", "gone", "b", "done", "a2", "a1"])
            #expect(try await store.actions(limit: 2).map(\.key) == ["c", "gone"])
            #expect(try await store.actions(limit: 0).isEmpty)
            #expect(try await store.actions(limit: -1).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func updatingAnUnknownActionFails(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            try await store.commit(try Samples.tick(actions: [Samples.action("known")]))

            let error = await #expect(throws: (any Error).self) {
                try await store.updateAction(
                    key: "unknown/scale/1", status: .succeeded, detail: nil, commands: [], result: nil,
                    at: Samples.start)
            }

            let text = error.map { "\($0)" } ?? ""
            #expect(text.hasPrefix("No action with key \"unknown/scale/1\" is stored in "))
            #expect(text.hasSuffix("; update only actions that a commit stored."))
            #expect(try await store.action(key: "known")?.status == .planned)
            #expect(try await store.action(key: "unknown/scale/1") == nil)
        }
    }
}
