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
