public import Foundation

/// A real Prometheus server (Debian's `/usr/bin/prometheus`) on 127.0.0.1 for tests, scraping every second.
///
/// `stop()` ends the process and removes its data; call it in a `defer`. Shared by the PromQL, controller and
/// end-to-end test targets, which cannot share code without a package target of their own.
public final class PrometheusServer: @unchecked Sendable {
    // @unchecked: every stored property is a `let` set in `init`; `Process` is only asked about and stopped.
    /// Folder holding the configuration, data and log.
    public let directory: URL
    /// The port its HTTP API listens on.
    public let port: Int
    private let process: Process

    /// Starts Prometheus scraping `target` (`host:port`) at `path` every second.
    public convenience init(target: String, path: String = "/metrics") throws {
        try self.init(
            scrapeConfigs: """
                  - job_name: ballast
                    metrics_path: \(path)
                    static_configs:
                      - targets: ['\(target)']
                """)
    }

    /// Starts Prometheus scraping the targets a file_sd JSON file lists, re-read as it changes.
    public convenience init(fileSD path: String) throws {
        try self.init(
            scrapeConfigs: """
                  - job_name: ballast
                    file_sd_configs:
                      - files: ['\(path)']
                        refresh_interval: 1s
                """)
    }

    /// Starts Prometheus with `scrapeConfigs`, the YAML list items under `scrape_configs:` (indented two spaces).
    public init(scrapeConfigs: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ballast-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try freeLoopbackPort()
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1m
            scrape_configs:
            \(scrapeConfigs)
            """
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments = [
            "--config.file=\(configFile.path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops the server and removes its folder.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The last lines of Prometheus' log, for failure messages.
    public var logTail: String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }
}
