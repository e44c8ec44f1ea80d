public import BallastCore

/// A ``BallastCore/StateStore`` in memory, for tests of the controller that need no file.
///
/// It keeps the semantics of the SQLite store exactly, and `StoreTests` runs one behavioural table against both:
/// ids start at 1 and are never reused, an action key stored twice keeps the first, `decisionID` maps from an
/// index into the tick's decisions to the stored id, orders and retention are the same. Records are copied in and
/// out, so they round-trip bit for bit (the SQLite store goes through JSON, which keeps every value too).
public actor InMemoryStateStore: StateStore {
    /// How much history the store keeps; the same limits and defaults as the SQLite store's.
    public struct Configuration: Hashable, Sendable {
        /// Decisions kept per policy; older ones are dropped inside each commit. Default 10 000. Values below 1
        /// count as 1.
        public var decisionsPerPolicy: Int
        /// Events kept per policy (events without a deployment count as one more policy). Default 10 000.
        /// Values below 1 count as 1.
        public var eventsPerPolicy: Int

        /// Creates a configuration; the defaults keep 10 000 decisions and 10 000 events per policy.
        public init(decisionsPerPolicy: Int = 10_000, eventsPerPolicy: Int = 10_000) {
            self.decisionsPerPolicy = decisionsPerPolicy
            self.eventsPerPolicy = eventsPerPolicy
        }
    }

    /// Why a call was refused; the same cases and sentences as the SQLite store's errors for the same input.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// ``updateAction(key:status:detail:commands:result:at:)`` named a key that is not stored.
        case unknownAction(key: String)
        /// An action of a ``BallastCore/TickCommit`` names a decision index outside the commit's decisions.
        case decisionIndexOutOfRange(actionKey: String, index: Int64, decisionCount: Int)

        /// A sentence naming the problem and what to do.
        public var description: String {
            switch self {
            case .unknownAction(let key):
                return "No action with key \"\(key)\" is stored in memory; update only actions that a commit stored."
            case .decisionIndexOutOfRange(let actionKey, let index, let decisionCount):
                return
                    "Action \"\(actionKey)\" refers to decision index \(index), but the commit holds \(decisionCount) decisions; set decisionID to an index into TickCommit.decisions or to nil."
            }
        }
    }

    /// The retention limits in force.
    public let configuration: Configuration
    private var deployments: [String: DeploymentState] = [:]
    /// Ascending by id.
    private var storedDecisions: [DecisionRecord] = []
    private var nextDecisionID: Int64 = 1
    /// Ascending by id.
    private var storedEvents: [EventRecord] = []
    private var nextEventID: Int64 = 1
    /// Actions with the order they were stored in, which breaks ties between equal `createdAt`.
    private var storedActions: [String: (sequence: Int, record: ActionRecord)] = [:]
    private var nextActionSequence = 0
    private var blobs: [String: [UInt8]] = [:]

    /// Creates an empty store.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = Configuration(
            decisionsPerPolicy: max(1, configuration.decisionsPerPolicy),
            eventsPerPolicy: max(1, configuration.eventsPerPolicy))
    }

    /// Every deployment's stored state, by policy name.
    public func deploymentStates() -> [String: DeploymentState] {
        deployments
    }

    /// Stores the tick's state, decisions and actions at once; see ``BallastCore/StateStore/commit(_:)``.
    ///
    /// - Throws: ``Failure/decisionIndexOutOfRange(actionKey:index:decisionCount:)`` before changing anything.
    @discardableResult
    public func commit(_ tick: TickCommit) throws -> [DecisionRecord] {
        for action in tick.actions {
            if let index = action.decisionID, index < 0 || index >= Int64(tick.decisions.count) {
                throw Failure.decisionIndexOutOfRange(
                    actionKey: action.key, index: index, decisionCount: tick.decisions.count)
            }
        }
        deployments[tick.state.desired.deployment.policy] = tick.state
        let stored = tick.decisions.map { decision in
            var record = decision
            record.id = nextDecisionID
            nextDecisionID += 1
            return record
        }
        storedDecisions += stored
        for action in tick.actions where storedActions[action.key] == nil {
            var record = action
            record.decisionID = action.decisionID.flatMap { stored[Int($0)].id }
            storedActions[action.key] = (nextActionSequence, record)
            nextActionSequence += 1
        }
        for policy in Set(tick.decisions.map(\.deployment.policy)) {
            storedDecisions = Self.pruned(storedDecisions, keep: configuration.decisionsPerPolicy) {
                $0.deployment.policy == policy
            }
        }
        return stored
    }

    /// Moves an action to `status`; a final status sets `finishedAt` to `time`, any other clears it.
    ///
    /// - Throws: ``Failure/unknownAction(key:)`` when no action has `key`.
    public func updateAction(
        key: String, status: ActionStatus, detail: String?, commands: [CommandRecord], result: String?,
        at time: Timestamp
    ) throws {
        guard var entry = storedActions[key] else { throw Failure.unknownAction(key: key) }
        entry.record.status = status
        entry.record.detail = detail
        entry.record.commands = commands
        entry.record.result = result
        entry.record.finishedAt = status.isFinal ? time : nil
        storedActions[key] = entry
    }

    /// Actions not in a final status, oldest first (by `createdAt`, then by the order they were stored).
    public func unfinishedActions() -> [ActionRecord] {
        orderedActions().filter { !$0.status.isFinal }
    }

    /// The action with `key`, if stored.
    public func action(key: String) -> ActionRecord? {
        storedActions[key]?.record
    }

    /// Newest actions first (by `createdAt`, then by the order they were stored), at most `limit`.
    public func actions(limit: Int) -> [ActionRecord] {
        Array(orderedActions().reversed().prefix(max(0, limit)))
    }

    /// Appends `event` with the next id and drops the oldest events of its policy beyond the limit.
    @discardableResult
    public func record(_ event: EventRecord) -> EventRecord {
        var stored = event
        stored.id = nextEventID
        nextEventID += 1
        storedEvents.append(stored)
        let policy = event.deployment?.policy
        storedEvents = Self.pruned(storedEvents, keep: configuration.eventsPerPolicy) {
            $0.deployment?.policy == policy
        }
        return stored
    }

    /// Newest events first, at most `limit`.
    public func events(limit: Int) -> [EventRecord] {
        Array(storedEvents.reversed().prefix(max(0, limit)))
    }

    /// Newest decisions first, at most `limit`, optionally of one `policy` and with ids below `beforeID`.
    public func decisions(limit: Int, policy: String?, beforeID: Int64?) -> [DecisionRecord] {
        let matching = storedDecisions.reversed().lazy.filter { decision in
            (policy == nil || decision.deployment.policy == policy)
                && (beforeID.map { (decision.id ?? 0) < $0 } ?? true)
        }
        return Array(matching.prefix(max(0, limit)))
    }

    /// The decision with `id`, if stored (retention may have dropped it).
    public func decision(id: Int64) -> DecisionRecord? {
        storedDecisions.first { $0.id == id }
    }

    /// The bytes stored under `key`, or `nil`.
    public func blob(forKey key: String) -> [UInt8]? {
        blobs[key]
    }

    /// Stores `value` under `key`, replacing what was there; `nil` deletes the key.
    public func setBlob(_ value: [UInt8]?, forKey key: String) {
        blobs[key] = value
    }

    private func orderedActions() -> [ActionRecord] {
        storedActions.values.sorted { lhs, rhs in
            (lhs.record.createdAt, lhs.sequence) < (rhs.record.createdAt, rhs.sequence)
        }.map(\.record)
    }

    /// `records` without the oldest ones among those matching `isInGroup`, so that at most `keep` of them remain.
    private static func pruned<Record>(_ records: [Record], keep: Int, isInGroup: (Record) -> Bool) -> [Record] {
        var excess = records.lazy.filter(isInGroup).count - keep
        guard excess > 0 else { return records }
        return records.filter { record in
            guard excess > 0, isInGroup(record) else { return true }
            excess -= 1
            return false
        }
    }
}
