import BallastTestSupport
import Foundation
import PromQL

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real Prometheus server (the shared ``BallastTestSupport/PrometheusServer``) scraping the fixture
/// worker-metrics server, both on 127.0.0.1, for one test.
///
/// `stop()` ends both processes; call it in a `defer` so they never outlive the test.
final class AcceptancePrometheus {
    private let server: BallastTestSupport.PrometheusServer
    private let fixture: Process
    private let fixtureInput: Pipe

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The Prometheus API port.
    var port: Int { server.port }
    /// The last lines of Prometheus' log, for failure messages.
    var logTail: String { server.logTail }

    init() throws {
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
        do {
            server = try BallastTestSupport.PrometheusServer(target: "127.0.0.1:\(fixturePort)")
        } catch {
            fixture.terminate()
            throw error
        }
    }

    func stop() {
        server.stop()
        // Closing stdin makes the fixture exit by itself; terminate covers a stuck one.
        try? fixtureInput.fileHandleForWriting.close()
        if fixture.isRunning { fixture.terminate() }
        fixture.waitUntilExit()
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

    /// Polls until `condition` holds, failing after `timeoutSeconds` with Prometheus' log.
    func wait(for what: String, timeoutSeconds: Double, _ condition: () async -> Bool) async throws {
        do {
            try await waitUntil(
                what, timeout: .milliseconds(Int64(timeoutSeconds * 1000)), poll: .milliseconds(250), condition)
        } catch let timedOut as WaitTimeout {
            throw Failure(description: "\(timedOut) Prometheus log:\n\(logTail)")
        }
    }
}
