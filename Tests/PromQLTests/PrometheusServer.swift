import Foundation
import PromQL

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real Prometheus server scraping the fixture worker-metrics server, both on 127.0.0.1, for one test.
///
/// `stop()` ends both processes; call it in a `defer` so they never outlive the test.
final class PrometheusServer {
    let directory: URL
    let port: Int
    private let prometheus: Process
    private let fixture: Process
    private let fixtureInput: Pipe

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "promql-acceptance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        guard
            let script = Bundle.module.url(
                forResource: "worker_metrics_server", withExtension: "py", subdirectory: "Fixtures")
        else {
            throw Failure(description: "Fixtures/worker_metrics_server.py is missing from the test bundle.")
        }
        fixture = Process()
        fixture.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        fixture.arguments = [script.path]
        fixtureInput = Pipe()
        let fixtureOutput = Pipe()
        fixture.standardInput = fixtureInput
        fixture.standardOutput = fixtureOutput
        try fixture.run()
        var portText = ""
        while !portText.hasSuffix("\n") {
            let chunk = fixtureOutput.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            portText += String(decoding: chunk, as: UTF8.self)
        }
        guard let fixturePort = Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            fixture.terminate()
            throw Failure(description: "The fixture server printed \"\(portText)\" instead of its port.")
        }

        port = try Self.freePort()
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1m
            scrape_configs:
              - job_name: ballast
                static_configs:
                  - targets: ['127.0.0.1:\(fixturePort)']
            """
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prometheus.arguments = [
            "--config.file=\(configFile.path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        let logHandle = try FileHandle(forWritingTo: log)
        prometheus.standardOutput = logHandle
        prometheus.standardError = logHandle
        do {
            try prometheus.run()
        } catch {
            fixture.terminate()
            throw error
        }
    }

    func stop() {
        if prometheus.isRunning {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        // Closing stdin makes the fixture exit by itself; terminate covers a stuck one.
        try? fixtureInput.fileHandleForWriting.close()
        if fixture.isRunning { fixture.terminate() }
        fixture.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The last lines of Prometheus' log, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    /// Asks the kernel for a free loopback port by binding port 0.
    private static func freePort() throws -> Int {
        let finder = Process()
        finder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        finder.arguments = [
            "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
        ]
        let output = Pipe()
        finder.standardOutput = output
        try finder.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        finder.waitUntilExit()
        guard let port = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw Failure(description: "Could not find a free port on 127.0.0.1.")
        }
        return port
    }

    /// GET a path on the server; returns the status code and body.
    func get(_ path: String, query: [(String, String)] = []) async throws -> (Int, Data) {
        var components = URLComponents()
        components.scheme = "http"
        components.host = "127.0.0.1"
        components.port = port
        components.path = path
        // `+` must be escaped: Go's query parser reads a bare `+` as a space.
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=;")
        components.percentEncodedQuery = query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        guard let url = components.url else { throw Failure(description: "Bad URL for \(path).") }
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Runs an instant query at `timeMilliseconds` and decodes the answer (errors as ``PromQLError``).
    func query(_ expression: String, at timeMilliseconds: Int64) async throws -> QueryValue {
        let time = String(format: "%.3f", Double(timeMilliseconds) / 1000)
        let (_, body) = try await get("/api/v1/query", query: [("query", expression), ("time", time)])
        return try QueryResponseDecoder().decode([UInt8](body))
    }

    /// Polls until `condition` holds, failing after `timeoutSeconds`.
    func wait(for what: String, timeoutSeconds: Double, _ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Failure(
            description: "Timed out after \(timeoutSeconds) s waiting for \(what). Prometheus log:\n\(logTail)")
    }
}
