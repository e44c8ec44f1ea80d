import BallastTestSupport
import Foundation
import Testing

/// Runs small Python scripts that use the PyPI `gguf` package, the independent implementation our GGUF files and
/// quantizers are checked against.
enum PythonRunner {
    /// Whether `python3` can import `gguf` on this machine.
    static let ggufAvailable = canImport("gguf")

    /// Whether `python3` can import the `regex` module on this machine.
    static let regexAvailable = canImport("regex")

    /// Whether `python3` runs and can import `module`.
    static func canImport(_ module: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(module)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs `script` with `arguments` and returns its standard output parsed as a JSON object. The child runs off
    /// the concurrency pool (``ProcessRun``), so a slow script stalls no other test.
    static func json(_ script: String, _ arguments: [String]) async throws -> [String: Any] {
        let run = try await ProcessRun.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments)
        try #require(run.status == 0, "python3 failed: \(String(decoding: run.stderr, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
    }
}
