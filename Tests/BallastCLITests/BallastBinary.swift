import BallastTestSupport
import Foundation

/// Runs the built `ballast` executable as a real subprocess and captures what it prints.
struct BallastBinary {
    /// Result of one run.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Errors that mean the test environment is wrong, not the code under test.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// The package root, found from this file's location (Tests/BallastCLITests/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `ballast` executable built next to the test bundle.
    static func executable() throws -> URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("ballast")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw SetupError(description: "No `ballast` executable next to \(Bundle.main.bundleURL.path); run `swift build --build-tests` first.")
    }

    /// Runs `ballast` with `arguments` in the package root and waits for it to exit, off the concurrency pool.
    static func run(_ arguments: [String], in directory: URL = packageRoot) async throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        let run = try await ProcessRun.run(try executable(), arguments, in: directory, environment: environment)
        return Output(
            status: run.status,
            stdout: String(decoding: run.stdout, as: UTF8.self),
            stderr: String(decoding: run.stderr, as: UTF8.self)
        )
    }
}
