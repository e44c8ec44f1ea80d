public import BallastCore

/// Something a runtime saw happen to its fleet, for the daemon to record (``eventRecord``) and for tests to wait on.
public struct RuntimeEvent: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What happened.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A worker process was started.
        case started
        /// A worker answered `/ready` for the first time.
        case ready
        /// A worker exited while it should have been serving; a replacement follows after the backoff.
        case exited
        /// A replacement for an exited or stuck worker was started.
        case restarted
        /// A worker was stopped on purpose (scale-down or shutdown) and has exited.
        case stopped
        /// A worker recorded by an earlier controller was found alive and healthy and is supervised again.
        case adopted
        /// A worker recorded by an earlier controller was gone or unhealthy and is no longer tracked.
        case forgotten
        /// A worker could not be started, or did not become ready in time.
        case failed
        /// A `kubectl` command failed.
        case kubectlFailed
    }

    /// When it happened.
    public var time: Timestamp
    /// The deployment it concerns.
    public var deployment: DeploymentKey
    /// What happened.
    public var kind: Kind
    /// The worker's slot number (its log file is `<policy>-<slot>.log`); `nil` for events about no one worker.
    public var slot: Int?
    /// The worker's process id, when there is one.
    public var pid: Int32?
    /// The worker's port, when known.
    public var port: Int?
    /// One sentence for people.
    public var message: String

    /// Creates an event.
    public init(
        time: Timestamp, deployment: DeploymentKey, kind: Kind, slot: Int? = nil, pid: Int32? = nil, port: Int? = nil,
        message: String
    ) {
        self.time = time
        self.deployment = deployment
        self.kind = kind
        self.slot = slot
        self.pid = pid
        self.port = port
        self.message = message
    }

    /// `started r1/smollm2 slot 2 pid 4242: …`, for logs.
    public var description: String { "\(kind.rawValue) \(deployment): \(message)" }

    /// The event as the store keeps it: level `warning` for exits, failures and forgotten workers, else `info`;
    /// reason `worker-<kind>` (`worker-exited`) or `kubectl-failed`.
    public var eventRecord: EventRecord {
        let level: String
        switch kind {
        case .exited, .forgotten: level = "warning"
        case .failed, .kubectlFailed: level = "error"
        case .started, .ready, .restarted, .stopped, .adopted: level = "info"
        }
        let reason = kind == .kubectlFailed ? "kubectl-failed" : "worker-\(kind.rawValue)"
        return EventRecord(time: time, level: level, deployment: deployment, reason: reason, message: message)
    }
}
