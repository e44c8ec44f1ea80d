public import BallastCore
import Foundation

/// Where ``LocalRuntime`` keeps its worker list and desired states, so a controller restarted after SIGKILL
/// finds its workers again: the ``StateStore`` blob API, a JSON file, or nowhere.
public struct LocalRuntimePersistence: Sendable {
    /// Reads the stored bytes; `nil` when nothing was stored yet.
    public var load: @Sendable () async throws -> [UInt8]?
    /// Replaces the stored bytes.
    public var save: @Sendable ([UInt8]) async throws -> Void

    /// Persistence through two closures.
    public init(
        load: @escaping @Sendable () async throws -> [UInt8]?, save: @escaping @Sendable ([UInt8]) async throws -> Void
    ) {
        self.load = load
        self.save = save
    }

    /// Nothing is kept: a restarted controller starts new workers and leaves the old ones running unwatched.
    public static var none: LocalRuntimePersistence {
        LocalRuntimePersistence(load: { nil }, save: { _ in })
    }

    /// The controller's state store, under `key` (default `runtime/local/workers`).
    public static func stateStore(_ store: any StateStore, key: String = "runtime/local/workers")
        -> LocalRuntimePersistence
    {
        LocalRuntimePersistence(
            load: { try await store.blob(forKey: key) }, save: { try await store.setBlob($0, forKey: key) })
    }

    /// A JSON file at `path`, replaced atomically on each save; its folder is created when missing.
    public static func file(_ path: String) -> LocalRuntimePersistence {
        let url = URL(fileURLWithPath: path)
        return LocalRuntimePersistence(
            load: {
                guard FileManager.default.fileExists(atPath: path) else { return nil }
                return try [UInt8](Data(contentsOf: url))
            },
            save: { bytes in
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url, options: .atomic)
            })
    }
}

/// What ``LocalRuntime`` persists: version 1 of the format.
struct LocalRuntimeRecord: Codable, Hashable, Sendable {
    /// Format version; a newer one is not read.
    var version = 1
    /// Desired state per deployment, as last applied.
    var desired: [DesiredState]
    /// Every worker process, ready or not.
    var workers: [LocalWorker]
}

/// One worker process the local runtime runs or watches.
struct LocalWorker: Codable, Hashable, Sendable {
    /// Its deployment.
    var deployment: DeploymentKey
    /// Its slot number, 1-based; the log file is `<policy>-<slot>.log`.
    var slot: Int
    /// Its process id.
    var pid: Int32
    /// The port it listens on, once read from its log.
    var port: Int?
    /// The model it serves (file path or cached model name).
    var modelPath: String
    /// Its log file.
    var logPath: String
    /// Where its own output begins in the log file (earlier bytes are from workers before it).
    var logOffset: Int64
    /// When it was started.
    var startedAt: Timestamp
    /// When it first answered `/ready`.
    var readyAt: Timestamp?
    /// When it last answered `/ready`.
    var lastReadyAt: Timestamp?
    /// When it was asked to drain (SIGTERM); `nil` while it should serve.
    var drainingSince: Timestamp?
    /// Whether SIGKILL was sent (drain grace or ready timeout passed).
    var killed = false
    /// Whether an earlier controller started it.
    var adopted = false

    /// `127.0.0.1:41234` once the port is known.
    func instance(host: String) -> String? { port.map { "\(host):\($0)" } }
}
