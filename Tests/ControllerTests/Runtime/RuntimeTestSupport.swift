import BallastTestSupport
import AsyncHTTPClient
import BallastCore
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Paths, temporary folders and condition waits shared by the runtime tests.
enum RuntimeTestSupport {
    /// The package root, from this file's place (`Tests/ControllerTests/Runtime/…`).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `ballast` executable `swift build --build-tests` leaves in `.build/debug`.
    static var ballast: String {
        get throws {
            let path = packageRoot.appendingPathComponent(".build/debug/ballast").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw SetupError(
                    description: "No ballast executable at \(path); run `swift build --build-tests` first.")
            }
            return path
        }
    }

    /// The SmolLM2 model the workers serve: `BALLAST_SMOLLM2_GGUF`, else the model cache `.ci/setup` fills.
    static let smolLM2: String = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BALLAST_SMOLLM2_GGUF"], !path.isEmpty { return path }
        let cache =
            environment["BALLAST_MODEL_CACHE"]
            ?? ((environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/ballast/models")
        return cache + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }()

    /// True when the model is there, and in CI (`CI=true`) always: a missing model must fail there, not skip.
    static let smolLM2Present: Bool =
        FileManager.default.fileExists(atPath: smolLM2) || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Small, single-threaded workers, so several fit on a busy two-core machine.
    static let workerArguments = [
        "--threads", "1", "--memory-budget", "512MiB", "--context", "512", "--max-batch", "4", "--min-batch", "1",
        "--max-wait", "5ms",
    ]

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Waits (bounded) until `condition` holds; records an issue here and throws after `timeout` (default 180 s, as
    /// the test run shares two cores with CPU-bound suites that can hold the concurrency pool for a while).
    static func waitUntil(
        _ message: @autoclosure () -> String, timeout: Duration = .seconds(180),
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        do {
            try await BallastTestSupport.waitUntil(message(), timeout: timeout, condition)
        } catch let timedOut as WaitTimeout {
            Issue.record("\(timedOut)", sourceLocation: sourceLocation)
            throw timedOut
        }
    }

    /// GET `url`; status and body.
    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// POST a JSON body to `url`; status, headers and body.
    static func post(_ url: String, json: String) async throws -> (
        status: Int, headers: [(String, String)], body: String
    ) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, String(buffer: body))
    }

    /// Whether a process with `pid` exists.
    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }
}

/// A temporary folder removed when the test is done with it.
final class TemporaryFolder: Sendable {
    let path: String

    init(_ label: String) throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("ballast-\(label)-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
