import BallastTestSupport
import BallastCore
import Foundation
import GRDB
import GRDBSQLite
import Store
import Testing

/// A writer killed mid-way leaves a consistent file holding only whole commits.
struct CrashSafetyTests {
    /// The `sqlite3` command-line shell, when installed: a second process that writes the state file.
    static let sqlite3: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/sqlite3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let policy = "crash"
    static let commitCount = 1_000

    @Test(.enabled(if: sqlite3 != nil, "needs the sqlite3 shell"))
    func writerKilledMidLoopLeavesWholeCommits() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            do {
                let store = try SQLiteStateStore(path: path)
                try await store.commit(
                    try Samples.tick(
                        policy: Self.policy, actions: [Samples.action("crash/scale/0", policy: Self.policy)]))
            }
            let scriptPath = directory + "/loop.sql"
            try Data(try Self.loopScript().utf8).write(to: URL(fileURLWithPath: scriptPath))

            let child = Process()
            child.executableURL = URL(fileURLWithPath: try #require(Self.sqlite3))
            child.arguments = ["-bail", path]
            let input = Pipe()
            let errors = Pipe()
            child.standardInput = input
            child.standardOutput = FileHandle.nullDevice
            child.standardError = errors
            try child.run()
            defer {
                if child.isRunning { kill(child.processIdentifier, SIGKILL) }
                try? input.fileHandleForWriting.close()
            }
            // The loop of whole commits, then one transaction left open: the shell then waits on its input,
            // which stays open until the kill.
            try input.fileHandleForWriting.write(
                contentsOf: Data(
                    """
                    .timeout 5000
                    .read \(scriptPath)
                    BEGIN IMMEDIATE;
                    INSERT INTO decisions (time, policy, model, kind, summary, evaluation)
                        VALUES (0, '\(Self.policy)', 'm', 'scale', 'partial', '{}');
                    INSERT INTO actions (key, policy, model, kind, request, status, commands, created_at)
                        VALUES ('crash/partial', '\(Self.policy)', 'm', 'scale', 'partial', 'planned', '[]', 0);

                    """.utf8))

            var readOnly = GRDB.Configuration()
            readOnly.readonly = true
            let observer = try DatabaseQueue(path: path, configuration: readOnly)
            try await waitUntil("the sqlite3 shell to commit 20 ticks") {
                guard child.isRunning else {
                    let stderr = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
                    throw WaitTimeout(
                        description: "The sqlite3 shell exited early (status \(child.terminationStatus)): \(stderr)")
                }
                return try await observer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions") ?? 0
                } > 20
            }
            try observer.close()

            kill(child.processIdentifier, SIGKILL)
            try await waitUntil("the killed sqlite3 shell to exit") { !child.isRunning }
            #expect(child.terminationReason == .uncaughtSignal)
            #expect(child.terminationStatus == SIGKILL)

            let checker = try DatabaseQueue(path: path)
            let integrity = try await checker.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try checker.close()
            #expect(integrity == ["ok"])

            let store = try SQLiteStateStore(path: path)
            let decisions = try await store.decisions(limit: 100_000, policy: Self.policy, beforeID: nil)
            let actions = try await store.actions(limit: 100_000)
            #expect(decisions.count > 20)
            #expect(decisions.count <= Self.commitCount + 1)
            #expect(actions.count == decisions.count)
            #expect(!decisions.contains { $0.summary == "partial" })
            #expect(try await store.action(key: "crash/partial") == nil)
            let decisionsByID = Dictionary(uniqueKeysWithValues: decisions.compactMap { d in d.id.map { ($0, d) } })
            for action in actions {
                let decisionID = try #require(action.decisionID, "action \(action.key)")
                let decision = try #require(decisionsByID[decisionID], "action \(action.key)")
                #expect(decision.time == action.createdAt, "action \(action.key)")
            }
            let newest = try #require(decisions.first)
            let state = try #require(try await store.deploymentStates()[Self.policy])
            #expect(state.updatedAt == newest.time)
            let tickIndex = Int((newest.time - Samples.start).wholeMilliseconds)
            let firstSummary = try Samples.decision().summary
            #expect(newest.summary == (tickIndex == 0 ? firstSummary : "tick \(tickIndex)"))
            #expect(state.desired.replicas == (tickIndex == 0 ? 3 : tickIndex))

            // The recovered file takes new commits.
            let next = try await store.commit(try Samples.tick(policy: Self.policy, actions: [Samples.action("after")]))
            #expect(try await store.action(key: "after")?.decisionID == next.first?.id)
        }
    }

    /// `commitCount` transactions, each as the store writes a tick: decision, action and deployment state.
    /// Tick `i` is at `start + i ms` and desires `i` replicas, so a mixed-up row is visible.
    static func loopScript() throws -> String {
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let evaluation = quoted(try Samples.canonical(try Samples.evaluation(policy: policy)))
        let evaluator = quoted(try Samples.canonical(Samples.state(policy: policy).evaluator))
        var script = ""
        for index in 1...commitCount {
            let time = Samples.start.millisecondsSinceEpoch + Int64(index)
            let desired = quoted(try Samples.canonical(Samples.desired(policy: policy, replicas: index)))
            script += """
                BEGIN IMMEDIATE;
                INSERT INTO decisions (time, policy, model, version, kind, rule, summary, evaluation)
                    VALUES (\(time), '\(policy)', 'model-of-\(policy)', NULL, 'scale', 'queue-time', 'tick \(index)', \(evaluation));
                INSERT INTO actions (key, decision_id, policy, model, version, kind, request, desired, status, detail,
                                     commands, result, created_at, finished_at)
                    VALUES ('crash/scale/\(index)', last_insert_rowid(), '\(policy)', 'model-of-\(policy)', NULL, 'scale',
                            'scale to \(index) replicas', \(desired), 'planned', NULL, '[]', NULL, \(time), NULL);
                INSERT INTO deployments (policy, desired, evaluator, updated_at) VALUES ('\(policy)', \(desired), \(evaluator), \(time))
                    ON CONFLICT(policy) DO UPDATE SET
                        desired = excluded.desired, evaluator = excluded.evaluator, updated_at = excluded.updated_at;
                COMMIT;

                """
        }
        return script
    }

    /// A second connection that begins a write and goes away without committing leaves nothing behind, and
    /// releases the write lock.
    @Test func connectionDroppedMidTransactionLeavesNothing() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/state.sqlite"
            let store = try SQLiteStateStore(path: path)
            try await store.commit(try Samples.tick(actions: [Samples.action("whole")]))
            // Raw SQLite, not GRDB: GRDB refuses to leave a transaction open, which is exactly the point here.
            var intruder: OpaquePointer?
            #expect(sqlite3_open_v2(path, &intruder, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
            let partial = """
                BEGIN IMMEDIATE;
                INSERT INTO decisions (time, policy, model, kind, summary, evaluation)
                    VALUES (0, 'r1-7b', 'm', 'scale', 'partial', '{}');
                INSERT INTO actions (key, policy, model, kind, request, status, commands, created_at)
                    VALUES ('partial', 'r1-7b', 'm', 'scale', 'partial', 'planned', '[]', 0);
                UPDATE deployments SET updated_at = 0;
                """
            #expect(sqlite3_exec(intruder, partial, nil, nil, nil) == SQLITE_OK)
            #expect(sqlite3_get_autocommit(intruder) == 0, "the transaction is open")
            #expect(sqlite3_close_v2(intruder) == SQLITE_OK)

            let wholeSummary = try Samples.decision().summary
            #expect(try await store.decisions(limit: 10, policy: nil, beforeID: nil).map(\.summary) == [wholeSummary])
            #expect(try await store.action(key: "partial") == nil)
            #expect(try await store.deploymentStates()["r1-7b"]?.updatedAt == Samples.start)
            let next = try await store.commit(try Samples.tick(actions: [Samples.action("next")]))
            #expect(next.map(\.id) == [2])
            #expect(try await SQLiteStateStore(path: path).action(key: "partial") == nil)
        }
    }
}
