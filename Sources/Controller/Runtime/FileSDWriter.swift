public import BallastCore
public import Foundation
public import Logging
public import ServiceLifecycle

/// Publishes the local runtime's workers as a Prometheus `file_sd` JSON file, so an existing Prometheus
/// server scrapes the same workers the controller runs (and `--prometheus` mode reads what they export).
///
/// The file is rewritten atomically (write, then rename) whenever the target list changes; Prometheus
/// watches it and picks the change up within its `refresh_interval`.
public struct FileSDWriter: Service {
    let path: String
    let interval: Duration
    let targets: @Sendable () async -> [ScrapeTarget]
    let logger: Logger

    /// Creates a writer of `path` that looks at `targets` every `interval`.
    public init(
        path: String, interval: Duration, logger: Logger, targets: @escaping @Sendable () async -> [ScrapeTarget]
    ) {
        self.path = path
        self.interval = interval
        self.targets = targets
        self.logger = logger
    }

    /// Writes the file until graceful shutdown.
    public func run() async throws {
        var last: Data?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let data = Self.document(await targets())
            if data != last {
                do {
                    try write(data)
                    last = data
                } catch {
                    logger.error("Cannot write the file_sd file \(path): \(error); check the folder's permissions.")
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One group per target, with its labels: the shape Prometheus' `file_sd_configs` reads.
    public static func document(_ targets: [ScrapeTarget]) -> Data {
        let groups: [[String: Any]] = targets.sorted { $0.instance < $1.instance }.map { target in
            ["targets": [target.instance], "labels": target.labels]
        }
        return (try? JSONSerialization.data(withJSONObject: groups, options: [.sortedKeys, .prettyPrinted]))
            ?? Data("[]".utf8)
    }

    private func write(_ data: Data) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
