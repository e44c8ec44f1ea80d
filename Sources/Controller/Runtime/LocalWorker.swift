import BallastCore

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
