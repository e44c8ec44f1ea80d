import BallastCore

/// What ``LocalRuntime`` persists: version 1 of the format.
struct LocalRuntimeRecord: Codable, Hashable, Sendable {
    /// Format version; a newer one is not read.
    var version = 1
    /// Desired state per deployment, as last applied.
    var desired: [DesiredState]
    /// Every worker process, ready or not.
    var workers: [LocalWorker]
}
