import BallastTestSupport
import Foundation

/// Runs a command-line tool the tests rely on (kubernetes-validate, promtool, python3) as a subprocess.
struct ExternalTool {
    /// Why a tool could not be run; the message says how to install it.
    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String {
            "\(name) is not on PATH; install it with .ci/setup (Debian prometheus for promtool, PyPI kubernetes-validate for the rest) and run the tests again."
        }
    }

    /// What a finished run left behind.
    struct Result {
        var status: Int32
        /// Standard output and standard error, interleaved as written.
        var output: String
    }

    let name: String
    let url: URL

    /// Finds `name` on PATH.
    init(_ name: String) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let candidates = path.split(separator: ":").map {
            URL(fileURLWithPath: String($0)).appendingPathComponent(name)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Missing(name: name)
        }
        self.name = name
        self.url = found
    }

    /// Runs the tool to completion with `arguments`, off the concurrency pool (``ProcessRun``).
    func run(_ arguments: [String]) async throws -> Result {
        let run = try await ProcessRun.run(url, arguments)
        return Result(
            status: run.status,
            output: String(decoding: run.stdout, as: UTF8.self) + String(decoding: run.stderr, as: UTF8.self))
    }
}

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-manifests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
