public import BallastCore
import Foundation
import GRDB

/// The controller's durable memory in one SQLite file: desired state and evaluator timers per deployment,
/// decisions with their evaluations, actions with their outcomes, events, and opaque runtime blobs.
///
/// The file is opened in WAL mode with `synchronous = FULL`, so a committed tick survives `kill -9` and power
/// loss alike, and readers (`ballast explain`, the status API) never wait for the writer. Every write is one
/// transaction; a crash leaves either all of a ``BallastCore/TickCommit`` or none of it.
public final class SQLiteStateStore: StateStore {
    /// How much history the file keeps.
    public struct Configuration: Hashable, Sendable {
        /// Decisions kept per policy; older ones are deleted inside each commit, so the file stops growing.
        /// Default 10 000: about 14 hours of history at one tick every 5 s. Values below 1 count as 1.
        public var decisionsPerPolicy: Int
        /// Events kept per policy (events without a deployment count as one more policy); older ones are deleted
        /// when an event is recorded. Default 10 000. Values below 1 count as 1.
        public var eventsPerPolicy: Int

        /// Creates a configuration; the defaults keep 10 000 decisions and 10 000 events per policy.
        public init(decisionsPerPolicy: Int = 10_000, eventsPerPolicy: Int = 10_000) {
            self.decisionsPerPolicy = decisionsPerPolicy
            self.eventsPerPolicy = eventsPerPolicy
        }
    }

    /// The state file as given to ``init(path:configuration:)``.
    public let path: String
    /// The retention limits in force.
    public let configuration: Configuration
    private let pool: DatabasePool

    /// Opens the state file at `path`, creating it and its parent directories when missing, and brings its
    /// schema up to this build's.
    ///
    /// - Throws: ``StoreError`` when the path is a directory, cannot be created or opened, is not a Ballast
    ///   state file, or was written by a newer build.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = Configuration(
            decisionsPerPolicy: max(1, configuration.decisionsPerPolicy),
            eventsPerPolicy: max(1, configuration.eventsPerPolicy))
        if try Self.prepareDirectory(for: path) {
            try Self.inspect(path: path)
        }

        var options = GRDB.Configuration()
        // A second process (an operator's sqlite3 shell) may hold the write lock briefly; wait instead of failing.
        options.busyMode = .timeout(5)
        options.prepareDatabase { db in
            // FULL: in WAL mode, NORMAL may lose the last commits on power loss, and a lost commit would make a
            // restarted controller repeat an action it already performed.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: options)
        } catch let error as DatabaseError {
            throw Self.openError(error, path: path)
        }
        do {
            try StateSchema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw Self.openError(error, path: path)
        }
    }

    // MARK: Deployments and ticks

    /// Every deployment's stored state, by policy name.
    public func deploymentStates() async throws -> [String: DeploymentState] {
        let path = self.path
        return try await read("read deployments from") { db in
            var states: [String: DeploymentState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM deployments") {
                let policy = try row.decode(String.self, forColumn: "policy")
                let stored = StoredRow(row: row, path: path, table: "deployments", key: "policy \"\(policy)\"")
                states[policy] = DeploymentState(
                    desired: try stored.json(DesiredState.self, "desired"),
                    evaluator: try stored.json(PolicyEvaluator.State.self, "evaluator"),
                    updatedAt: Timestamp(millisecondsSinceEpoch: try stored.value(Int64.self, "updated_at")))
            }
            return states
        }
    }

    /// Writes the tick's deployment state, decisions and actions in one transaction and prunes old decisions.
    ///
    /// An action's `decisionID` is read as an index into `tick.decisions` and replaced by that decision's stored
    /// id. An action whose key is already stored is left as it is, status included.
    ///
    /// - Returns: The tick's decisions with their stored ids, in order.
    /// - Throws: ``StoreError/decisionIndexOutOfRange(actionKey:index:decisionCount:)`` before writing anything
    ///   when an action names a decision the tick does not hold.
    @discardableResult
    public func commit(_ tick: TickCommit) async throws -> [DecisionRecord] {
        for action in tick.actions {
            if let index = action.decisionID, index < 0 || index >= Int64(tick.decisions.count) {
                throw StoreError.decisionIndexOutOfRange(
                    actionKey: action.key, index: index, decisionCount: tick.decisions.count)
            }
        }
        // Encode before taking the write lock: JSON work does not need to block readers' checkpoints or writers.
        let state = tick.state
        let desiredJSON = try JSONColumn.encode(state.desired)
        let evaluatorJSON = try JSONColumn.encode(state.evaluator)
        let evaluations = try tick.decisions.map { try JSONColumn.encode($0.evaluation) }
        let actionJSON = try tick.actions.map { action in
            (
                desired: try action.desired.map { try JSONColumn.encode($0) },
                commands: try JSONColumn.encode(action.commands)
            )
        }
        let decisions = tick.decisions
        let actions = tick.actions
        let keep = configuration.decisionsPerPolicy

        return try await write("record a tick in") { db in
            try db.execute(
                sql: """
                    INSERT INTO deployments (policy, desired, evaluator, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(policy) DO UPDATE SET
                        desired = excluded.desired, evaluator = excluded.evaluator, updated_at = excluded.updated_at
                    """,
                arguments: [
                    state.desired.deployment.policy, desiredJSON, evaluatorJSON, state.updatedAt.millisecondsSinceEpoch,
                ])

            var stored: [DecisionRecord] = []
            stored.reserveCapacity(decisions.count)
            for (decision, evaluation) in zip(decisions, evaluations) {
                try db.execute(
                    sql: """
                        INSERT INTO decisions (time, policy, model, version, kind, rule, summary, evaluation)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        decision.time.millisecondsSinceEpoch, decision.deployment.policy, decision.deployment.model,
                        decision.deployment.version, decision.kind, decision.rule, decision.summary, evaluation,
                    ])
                var record = decision
                record.id = db.lastInsertedRowID
                stored.append(record)
            }

            for (action, json) in zip(actions, actionJSON) {
                let decisionID = action.decisionID.flatMap { stored[Int($0)].id }
                try db.execute(
                    sql: """
                        INSERT INTO actions (key, decision_id, policy, model, version, kind, request, desired, status,
                                             detail, commands, result, created_at, finished_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(key) DO NOTHING
                        """,
                    arguments: [
                        action.key, decisionID, action.deployment.policy, action.deployment.model,
                        action.deployment.version, action.kind, action.request, json.desired, action.status.rawValue,
                        action.detail, json.commands, action.result, action.createdAt.millisecondsSinceEpoch,
                        action.finishedAt?.millisecondsSinceEpoch,
                    ])
            }

            for policy in Set(decisions.map(\.deployment.policy)) {
                try db.execute(
                    sql: """
                        DELETE FROM decisions WHERE policy = ?1 AND id <= (
                            SELECT id FROM decisions WHERE policy = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                        """,
                    arguments: [policy, keep])
            }
            return stored
        }
    }

    // MARK: Actions

    /// Moves the action with `key` to `status`, replacing its detail, commands and result. A final status sets
    /// `finishedAt` to `time`; any other status clears it.
    ///
    /// - Throws: ``StoreError/unknownAction(path:key:)`` when no action has `key`.
    public func updateAction(
        key: String, status: ActionStatus, detail: String?, commands: [CommandRecord], result: String?,
        at time: Timestamp
    ) async throws {
        let commandsJSON = try JSONColumn.encode(commands)
        let finishedAt = status.isFinal ? time.millisecondsSinceEpoch : nil
        let path = self.path
        try await write("update an action in") { db in
            try db.execute(
                sql: """
                    UPDATE actions SET status = ?, detail = ?, commands = ?, result = ?, finished_at = ?
                    WHERE key = ?
                    """,
                arguments: [status.rawValue, detail, commandsJSON, result, finishedAt, key])
            if db.changesCount == 0 {
                throw StoreError.unknownAction(path: path, key: key)
            }
        }
    }

    /// Actions not in a final status, oldest first (by `createdAt`, then by the order they were stored).
    public func unfinishedActions() async throws -> [ActionRecord] {
        let open = ActionStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
        let placeholders = Array(repeating: "?", count: open.count).joined(separator: ", ")
        return try await fetchActions(
            sql: "SELECT * FROM actions WHERE status IN (\(placeholders)) ORDER BY created_at, rowid",
            arguments: StatementArguments(open))
    }

    /// The action with `key`, if stored.
    public func action(key: String) async throws -> ActionRecord? {
        try await fetchActions(sql: "SELECT * FROM actions WHERE key = ?", arguments: [key]).first
    }

    /// Newest actions first (by `createdAt`, then by the order they were stored), at most `limit`.
    public func actions(limit: Int) async throws -> [ActionRecord] {
        guard limit > 0 else { return [] }
        return try await fetchActions(
            sql: "SELECT * FROM actions ORDER BY created_at DESC, rowid DESC LIMIT ?", arguments: [limit])
    }

    private func fetchActions(sql: String, arguments: StatementArguments) async throws -> [ActionRecord] {
        let path = self.path
        return try await read("read actions from") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let key = try row.decode(String.self, forColumn: "key")
                return try Self.action(from: StoredRow(row: row, path: path, table: "actions", key: "key \"\(key)\""))
            }
        }
    }

    private static func action(from row: StoredRow) throws -> ActionRecord {
        ActionRecord(
            key: try row.value(String.self, "key"),
            decisionID: try row.optional(Int64.self, "decision_id"),
            deployment: DeploymentKey(
                policy: try row.value(String.self, "policy"), model: try row.value(String.self, "model"),
                version: try row.optional(String.self, "version")),
            kind: try row.value(String.self, "kind"),
            request: try row.value(String.self, "request"),
            desired: try row.optionalJSON(DesiredState.self, "desired"),
            status: try row.raw(ActionStatus.self, "status"),
            detail: try row.optional(String.self, "detail"),
            commands: try row.json([CommandRecord].self, "commands"),
            result: try row.optional(String.self, "result"),
            createdAt: Timestamp(millisecondsSinceEpoch: try row.value(Int64.self, "created_at")),
            finishedAt: try row.optional(Int64.self, "finished_at").map(Timestamp.init(millisecondsSinceEpoch:)))
    }

    // MARK: Events

    /// Appends `event` and prunes the oldest events of its policy beyond the retention limit.
    ///
    /// - Returns: The event with its stored id.
    @discardableResult
    public func record(_ event: EventRecord) async throws -> EventRecord {
        let keep = configuration.eventsPerPolicy
        return try await write("record an event in") { db in
            try db.execute(
                sql: """
                    INSERT INTO events (time, level, policy, model, version, reason, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.time.millisecondsSinceEpoch, event.level, event.deployment?.policy, event.deployment?.model,
                    event.deployment?.version, event.reason, event.message,
                ])
            var stored = event
            stored.id = db.lastInsertedRowID
            try db.execute(
                sql: """
                    DELETE FROM events WHERE policy IS ?1 AND id <= (
                        SELECT id FROM events WHERE policy IS ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                    """,
                arguments: [event.deployment?.policy, keep])
            return stored
        }
    }

    /// Newest events first, at most `limit`.
    public func events(limit: Int) async throws -> [EventRecord] {
        guard limit > 0 else { return [] }
        let path = self.path
        return try await read("read events from") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                let id = try row.decode(Int64.self, forColumn: "id")
                let stored = StoredRow(row: row, path: path, table: "events", key: "id \(id)")
                var deployment: DeploymentKey?
                if let policy = try stored.optional(String.self, "policy") {
                    deployment = DeploymentKey(
                        policy: policy, model: try stored.value(String.self, "model"),
                        version: try stored.optional(String.self, "version"))
                }
                return EventRecord(
                    id: id,
                    time: Timestamp(millisecondsSinceEpoch: try stored.value(Int64.self, "time")),
                    level: try stored.value(String.self, "level"),
                    deployment: deployment,
                    reason: try stored.value(String.self, "reason"),
                    message: try stored.value(String.self, "message"))
            }
        }
    }

    // MARK: Decisions

    /// Newest decisions first, at most `limit`, optionally of one `policy` and with ids below `beforeID`.
    public func decisions(limit: Int, policy: String?, beforeID: Int64?) async throws -> [DecisionRecord] {
        guard limit > 0 else { return [] }
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let policy {
            conditions.append("policy = ?")
            arguments += [policy]
        }
        if let beforeID {
            conditions.append("id < ?")
            arguments += [beforeID]
        }
        arguments += [limit]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await fetchDecisions(
            sql: "SELECT * FROM decisions \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
    }

    /// The decision with `id`, if stored (retention may have deleted it).
    public func decision(id: Int64) async throws -> DecisionRecord? {
        try await fetchDecisions(sql: "SELECT * FROM decisions WHERE id = ?", arguments: [id]).first
    }

    private func fetchDecisions(sql: String, arguments: StatementArguments) async throws -> [DecisionRecord] {
        let path = self.path
        return try await read("read decisions from") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let id = try row.decode(Int64.self, forColumn: "id")
                let stored = StoredRow(row: row, path: path, table: "decisions", key: "id \(id)")
                return DecisionRecord(
                    id: id,
                    time: Timestamp(millisecondsSinceEpoch: try stored.value(Int64.self, "time")),
                    deployment: DeploymentKey(
                        policy: try stored.value(String.self, "policy"), model: try stored.value(String.self, "model"),
                        version: try stored.optional(String.self, "version")),
                    kind: try stored.value(String.self, "kind"),
                    rule: try stored.optional(String.self, "rule"),
                    summary: try stored.value(String.self, "summary"),
                    evaluation: try stored.json(Evaluation.self, "evaluation"))
            }
        }
    }

    // MARK: Blobs

    /// The bytes stored under `key`, or `nil`.
    public func blob(forKey key: String) async throws -> [UInt8]? {
        let path = self.path
        return try await read("read a blob from") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT value FROM blobs WHERE key = ?", arguments: [key]) else {
                return nil
            }
            let stored = StoredRow(row: row, path: path, table: "blobs", key: "key \"\(key)\"")
            return [UInt8](try stored.value(Data.self, "value"))
        }
    }

    /// Stores `value` under `key`, replacing what was there; `nil` deletes the key.
    public func setBlob(_ value: [UInt8]?, forKey key: String) async throws {
        try await write("write a blob to") { db in
            if let value {
                try db.execute(
                    sql:
                        "INSERT INTO blobs (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, Data(value)])
            } else {
                try db.execute(sql: "DELETE FROM blobs WHERE key = ?", arguments: [key])
            }
        }
    }

    // MARK: Plumbing

    private func read<T: Sendable>(_ operation: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, operation: operation, sqliteMessage: Self.message(of: error))
        }
    }

    private func write<T: Sendable>(_ operation: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, operation: operation, sqliteMessage: Self.message(of: error))
        }
    }

    private static func message(of error: DatabaseError) -> String {
        error.message ?? "\(error.resultCode)"
    }
}
