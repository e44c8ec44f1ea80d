/// Durable memory of the controller: desired state, decisions with reasons, actions and their
/// outcomes, events, and opaque runtime state (the local runtime's worker list, rollouts).
///
/// The SQLite implementation lives in `Store`; `BallastTesting` has an in-memory one.
public protocol StateStore: Sendable {
    /// Every deployment's stored state, by policy name.
    func deploymentStates() async throws -> [String: DeploymentState]
    /// Writes one tick's state, decisions and planned actions in one transaction. Returns the stored
    /// decisions with ids. An action whose key is already stored is left as it is (idempotent).
    @discardableResult
    func commit(_ tick: TickCommit) async throws -> [DecisionRecord]
    /// Moves an action to `status` with its detail, commands and result; final statuses set `finishedAt`.
    func updateAction(
        key: String, status: ActionStatus, detail: String?, commands: [CommandRecord], result: String?,
        at time: Timestamp
    ) async throws
    /// Actions not in a final status, oldest first: what a restarted controller must finish.
    func unfinishedActions() async throws -> [ActionRecord]
    /// The action with `key`, if stored.
    func action(key: String) async throws -> ActionRecord?
    /// Newest actions first, at most `limit`.
    func actions(limit: Int) async throws -> [ActionRecord]
    /// Appends an event; returns it with its id.
    @discardableResult
    func record(_ event: EventRecord) async throws -> EventRecord
    /// Newest events first, at most `limit`.
    func events(limit: Int) async throws -> [EventRecord]
    /// Newest decisions first, at most `limit`, optionally of one policy and older than `beforeID`.
    func decisions(limit: Int, policy: String?, beforeID: Int64?) async throws -> [DecisionRecord]
    /// The decision with `id`, if stored.
    func decision(id: Int64) async throws -> DecisionRecord?
    /// Opaque state a runtime or rollout driver keeps under `key` (JSON bytes), or `nil`.
    func blob(forKey key: String) async throws -> [UInt8]?
    /// Stores opaque state under `key`, replacing what was there; `nil` deletes it.
    func setBlob(_ value: [UInt8]?, forKey key: String) async throws
}
