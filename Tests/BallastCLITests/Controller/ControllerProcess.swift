import AsyncHTTPClient
import BallastCore
import BallastTestSupport
import Controller
import Foundation
import NIOCore
import NIOHTTP1

/// A `ballast controller` process under test, with its ports, files and HTTP helpers.
final class ControllerProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in `start()` before any other use and then only read.
    let directory: URL
    let apiPort: Int
    let frontDoorPort: Int
    let arguments: [String]
    private(set) var process: Process?

    init(directory: URL, policy: String, extra: [String]) throws {
        self.directory = directory
        apiPort = try freeLoopbackPort()
        frontDoorPort = try freeLoopbackPort()
        let policyURL = directory.appendingPathComponent("policy.yaml")
        try Data(policy.utf8).write(to: policyURL)
        arguments =
            [
                "controller", "--policy", policyURL.path, "--state", directory.appendingPathComponent("state/controller.sqlite").path,
                "--port", String(apiPort), "--front-door-port", String(frontDoorPort),
            ] + extra
    }

    /// Starts (or restarts) the controller; its output goes to `controller.log` in the directory.
    func start() throws {
        let process = Process()
        process.executableURL = try BallastBinary.executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("controller.log")
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// SIGKILL, as a crash would.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait, bounded.
    func terminate() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !waitUntilBlocking(timeout: .seconds(60), { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("controller.log"), encoding: .utf8)) ?? ""
    }

    var api: String { "http://127.0.0.1:\(apiPort)" }
    var frontDoor: String { "http://127.0.0.1:\(frontDoorPort)" }

    /// GETs and decodes a JSON document from the API; `nil` while the controller is not answering.
    func get<T: Decodable>(_ path: String, as type: T.Type) async -> T? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: api + path), timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status == .ok else { return nil }
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            return nil
        }
    }

    /// Waits until `condition` returns a value, polling every 250 ms up to `seconds`; throws with `what` and the
    /// controller's log on timeout.
    func wait<T>(_ what: String, seconds: Double, _ condition: () async -> T?) async throws -> T {
        do {
            return try await waitForValue(
                what, timeout: .milliseconds(Int64(seconds * 1000)), poll: .milliseconds(250), condition)
        } catch let timedOut as WaitTimeout {
            throw BallastBinary.SetupError(description: "\(timedOut)\nController log:\n\(log.suffix(4000))")
        }
    }

    /// Worker processes whose parent is this controller.
    func workerChildren() -> [Int32] {
        guard let parent = process?.processIdentifier else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }
}

/// Sends chat requests through the front door: `streams` at a time until cancelled.
struct LoadGenerator {
    let url: String
    let maxTokens: Int

    /// One chat completion; returns whether it succeeded (429 and 503 count as refused, not lost).
    func request(_ index: Int) async -> Bool {
        var request = HTTPClientRequest(url: url + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body = """
            {"model":"smollm2-135m","max_tokens":\(maxTokens),"temperature":0,\
            "messages":[{"role":"user","content":"Write a short story about harbour number \(index)."}]}
            """
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            _ = try await response.body.collect(upTo: 1 << 20)
            return response.status == .ok
        } catch {
            return false
        }
    }

    /// Keeps `streams` requests in flight until the task is cancelled.
    func run(streams: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for stream in 0..<streams {
                group.addTask {
                    var index = stream * 10_000
                    while !Task.isCancelled {
                        _ = await request(index)
                        index += 1
                    }
                }
            }
        }
    }
}
