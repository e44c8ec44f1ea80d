import BallastCore
import GRDB
import Store
import Testing

/// A hand-edited row is reported with its table, row and column, never a crash.
struct UnreadableRowTests {
    /// A read that touches the edited row.
    enum Read: Sendable {
        case deployments, decisions, decisionByID, actions, unfinishedActions, actionByKey, events
    }

    /// One edit of a valid file and the error the read must give afterwards.
    struct Edit: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        let read: Read
        let table: String
        let key: String
        let column: String
        /// Part of the reason the error must give.
        let reason: String
        var testDescription: String { name }
    }

    static let edits: [Edit] = [
        Edit(
            name: "evaluation JSON of the wrong shape", sql: #"UPDATE decisions SET evaluation = '{"policy": 1}'"#,
            read: .decisions, table: "decisions", key: "id 1", column: "evaluation", reason: "expected String at policy"
        ),
        Edit(
            name: "evaluation that is not JSON", sql: "UPDATE decisions SET evaluation = '{oops'",
            read: .decisionByID, table: "decisions", key: "id 1", column: "evaluation", reason: "invalid JSON"),
        Edit(
            name: "decision time as text", sql: "UPDATE decisions SET time = 'yesterday'",
            read: .decisions, table: "decisions", key: "id 1", column: "time", reason: "the text \"yesterday\""),
        Edit(
            name: "unknown action status", sql: "UPDATE actions SET status = 'exploded'",
            read: .actions, table: "actions", key: "key \"r1-7b/scale/1\"", column: "status",
            reason: "\"exploded\" is not a known ActionStatus"),
        Edit(
            name: "commands not a list", sql: #"UPDATE actions SET commands = '{"arguments": []}'"#,
            read: .unfinishedActions, table: "actions", key: "key \"r1-7b/scale/1\"", column: "commands",
            reason: "expected Array"),
        Edit(
            name: "desired missing a key", sql: #"UPDATE actions SET desired = '{"replicas": 3}'"#,
            read: .actionByKey, table: "actions", key: "key \"r1-7b/scale/1\"", column: "desired",
            reason: "the key \"deployment\" is missing"),
        Edit(
            name: "evaluator state of the wrong type", sql: "UPDATE deployments SET evaluator = '[]'",
            read: .deployments, table: "deployments", key: "policy \"r1-7b\"", column: "evaluator",
            reason: "expected Dictionary"),
        Edit(
            name: "updated_at as a blob", sql: "UPDATE deployments SET updated_at = x'00ff'",
            read: .deployments, table: "deployments", key: "policy \"r1-7b\"", column: "updated_at",
            reason: "a blob of 2 bytes"),
        Edit(
            name: "event with a policy but no model", sql: "UPDATE events SET model = NULL",
            read: .events, table: "events", key: "id 1", column: "model", reason: "found NULL"),
    ]

    @Test(arguments: edits)
    func editedRowIsNamedInTheError(edit: Edit) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let store = try SQLiteStateStore(path: path)
            try await store.commit(try Samples.tick(actions: [Samples.action("r1-7b/scale/1")]))
            try await store.record(
                EventRecord(
                    time: Samples.start, level: "info", deployment: Samples.deployment(), reason: "r", message: "m"))
            let editor = try DatabaseQueue(path: path)
            try await editor.write { db in try db.execute(sql: edit.sql) }
            try editor.close()

            let error = await #expect(throws: StoreError.self) {
                switch edit.read {
                case .deployments: _ = try await store.deploymentStates()
                case .decisions: _ = try await store.decisions(limit: 10, policy: nil, beforeID: nil)
                case .decisionByID: _ = try await store.decision(id: 1)
                case .actions: _ = try await store.actions(limit: 10)
                case .unfinishedActions: _ = try await store.unfinishedActions()
                case .actionByKey: _ = try await store.action(key: "r1-7b/scale/1")
                case .events: _ = try await store.events(limit: 10)
                }
            }

            guard case .unreadableRow(let errorPath, let table, let key, let column, let reason) = error else {
                Issue.record("Expected unreadableRow, got \(String(describing: error)).")
                return
            }
            #expect(errorPath == path)
            #expect(table == edit.table)
            #expect(key == edit.key)
            #expect(column == edit.column)
            #expect(reason.contains(edit.reason), "reason: \(reason)")
            let text = error.map { "\($0)" } ?? ""
            #expect(
                text.hasPrefix("\(path): table \(edit.table), row \(edit.key), column \(edit.column) cannot be read ("))
            #expect(
                text.hasSuffix("fix or delete that row with sqlite3, or move the file away to start from empty state."))
        }
    }

    @Test func otherRowsStayReadableAfterTheBadOneIsDeleted() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let store = try SQLiteStateStore(path: path)
            try await store.commit(try Samples.tick())
            try await store.commit(try Samples.tick())
            let editor = try DatabaseQueue(path: path)
            try await editor.write { db in try db.execute(sql: "UPDATE decisions SET evaluation = 'null' WHERE id = 1")
            }
            await #expect(throws: StoreError.self) { try await store.decisions(limit: 10, policy: nil, beforeID: nil) }
            #expect(try await store.decisions(limit: 1, policy: nil, beforeID: nil).map(\.id) == [2])
            try await editor.write { db in try db.execute(sql: "DELETE FROM decisions WHERE id = 1") }
            try editor.close()
            #expect(try await store.decisions(limit: 10, policy: nil, beforeID: nil).map(\.id) == [2])
        }
    }
}
