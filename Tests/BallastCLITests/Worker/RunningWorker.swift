import AsyncHTTPClient
import BallastTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// A real `ballast worker` process serving SmolLM2 on a loopback port, for tests that treat it as clients do.
///
/// It runs under coreutils' `timeout`, so a test run that dies cannot leave it behind for longer than
/// `limitSeconds`; it logs to a file in its own temporary directory; every test defers ``stop()``, which kills it
/// if it still runs and removes the directory. Signals go to the worker itself (``pid``), not to the wrapper.
final class RunningWorker {
    /// The name clients send as `model` (`--name`).
    static let modelName = "smollm2-135m"

    /// Holds `worker.log`; removed by ``stop()``.
    let directory: URL
    /// The `timeout` process wrapping the worker; its exit status is the worker's.
    let wrapper: Process
    /// The worker's own process id.
    let pid: pid_t
    /// The port the worker bound (it was started with `--port 0`).
    let port: Int

    private init(directory: URL, wrapper: Process, pid: pid_t, port: Int) {
        self.directory = directory
        self.wrapper = wrapper
        self.pid = pid
        self.port = port
    }

    /// The base URL, such as `http://127.0.0.1:41234`.
    var base: String { "http://127.0.0.1:\(port)" }

    /// What the worker has logged so far.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("worker.log"), encoding: .utf8)) ?? ""
    }

    /// Starts `ballast worker` on the test model with `--port 0` and `extra` options, and returns once `/ready`
    /// answers 200. Small batching limits keep it quick on a busy machine: one thread, no waiting for a batch.
    static func start(_ extra: [String] = [], limitSeconds: Int = 600) async throws -> RunningWorker {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ballast-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logURL = directory.appendingPathComponent("worker.log")
        let wrapper = try ChildProcess.launch(
            try BallastBinary.executable().path,
            [
                "worker", "--model", TestModelFile.path, "--name", modelName, "--version", "v-accept", "--port", "0",
                "--threads", "1", "--min-batch", "1", "--max-wait", "5ms",
            ] + extra,
            limitSeconds: limitSeconds, log: logURL, in: directory)
        let readLog = { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
        do {
            let port = try await waitForValue(
                "the worker's `listening` log line", timeout: .seconds(180), poll: .milliseconds(25)
            ) {
                guard wrapper.isRunning else {
                    throw BallastBinary.SetupError(description: "The worker exited before listening:\n\(readLog())")
                }
                return Self.listeningPort(in: readLog())
            }
            let pid = try await waitForValue("the worker process under `timeout`") {
                Self.child(of: wrapper.processIdentifier)
            }
            let worker = RunningWorker(directory: directory, wrapper: wrapper, pid: pid, port: port)
            try await waitUntil("GET /ready to answer 200", timeout: .seconds(60)) {
                await worker.get("/ready")?.status == 200
            }
            return worker
        } catch {
            // Kill the whole group `timeout` leads, so no worker outlives a failed start.
            ChildProcess.kill(wrapper)
            let message = "\(error)\nWorker log:\n\(readLog().suffix(4000))"
            try? FileManager.default.removeItem(at: directory)
            throw BallastBinary.SetupError(description: message)
        }
    }

    /// Kills the worker if it still runs, waits for it (bounded) and removes its directory.
    func stop() {
        if wrapper.isRunning {
            kill(pid, SIGKILL)
            if !waitUntilBlocking(timeout: .seconds(30), { !wrapper.isRunning }) { ChildProcess.kill(wrapper) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: HTTP

    /// One HTTP answer, read whole.
    struct Answer {
        var status: Int
        var body: String

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// GETs `path`; `nil` while the worker does not answer.
    func get(_ path: String) async -> Answer? {
        await send(HTTPClientRequest(url: base + path))
    }

    /// POSTs `object` as JSON to `path`; `nil` when the connection fails.
    func post(_ path: String, _ object: [String: Any]) async -> Answer? {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())))
        return await send(request)
    }

    private func send(_ request: HTTPClientRequest) async -> Answer? {
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            let body = try await response.body.collect(upTo: 16 << 20)
            return Answer(status: Int(response.status.code), body: String(buffer: body))
        } catch {
            return nil
        }
    }

    // MARK: Finding the process and its port

    /// The port of the first `address=http://host:port` in `log`: `ballast worker` logs it once it accepts
    /// connections.
    static func listeningPort(in log: String) -> Int? {
        guard let marker = log.range(of: "address=http://") else { return nil }
        let address = log[marker.upperBound...].prefix { !$0.isWhitespace && $0 != "\"" && $0 != "," }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...]).flatMap { (1...65_535).contains($0) ? $0 : nil }
    }

    /// The first process whose parent is `parent`, from `/proc`.
    static func child(of parent: pid_t) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.first { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && pid_t(fields[1]) == parent
        }
    }
}
