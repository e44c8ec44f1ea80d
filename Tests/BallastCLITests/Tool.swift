import BallastTestSupport
import Foundation

/// Runs an external tool that CI installs (promtool, kubernetes-validate) and captures its combined output.
enum Tool {
    struct Result {
        var status: Int32
        var output: String
    }

    struct Missing: Error, CustomStringConvertible {
        var tool: String
        var description: String { "\(tool) is not on PATH; run `bash .ci/setup` to install it." }
    }

    /// Runs `tool` to completion, off the concurrency pool (``ProcessRun``).
    static func run(_ tool: String, _ arguments: [String], in directory: URL) async throws -> Result {
        guard let path = which(tool) else { throw Missing(tool: tool) }
        let run = try await ProcessRun.run(URL(fileURLWithPath: path), arguments, in: directory)
        return Result(
            status: run.status,
            output: String(decoding: run.stdout, as: UTF8.self) + String(decoding: run.stderr, as: UTF8.self))
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
