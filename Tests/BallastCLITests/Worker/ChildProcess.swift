import BallastTestSupport
import Foundation

/// Runs a short-lived child process (python3, `ballast load`) to its end, off the test's cooperative threads.
///
/// Every child runs under coreutils' `timeout`, so one that hangs is killed after `limitSeconds` and the test
/// fails on its status instead of waiting forever.
enum ChildProcess {
    /// What one run printed and how it ended.
    struct Output: Sendable {
        /// The exit status; 137 when `timeout` killed it.
        var status: Int32
        var stdout: String
        var stderr: String

        /// Both streams, for failure messages.
        var transcript: String {
            "exit status \(status)\nstdout:\n\(stdout.suffix(4000))\nstderr:\n\(stderr.suffix(4000))"
        }
    }

    /// Where `timeout` lives on Debian; the tests need it to bound every child.
    static let timeoutPath = "/usr/bin/timeout"

    /// Runs `executable` with `arguments` until it exits or `limitSeconds` pass, and returns what it printed.
    static func run(
        _ executable: String, _ arguments: [String], limitSeconds: Int = 300, in directory: URL? = nil
    ) async throws -> Output {
        let run = try await ProcessRun.run(
            URL(fileURLWithPath: timeoutPath), ["--signal=KILL", "\(limitSeconds)s", executable] + arguments,
            in: directory)
        return Output(
            status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self),
            stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// Starts `executable` with `arguments` in the background under `timeout`, its output going to `log`, and
    /// returns the `timeout` process (the group leader: its exit status is the child's).
    static func launch(
        _ executable: String, _ arguments: [String], limitSeconds: Int, log: URL, in directory: URL
    ) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: timeoutPath)
        process.arguments = ["--signal=KILL", "\(limitSeconds)s", executable] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Kills everything in the process group `wrapper` leads (as `launch` made it) and waits for it, bounded.
    static func kill(_ wrapper: Process) {
        guard wrapper.isRunning else { return }
        Foundation.kill(-wrapper.processIdentifier, SIGKILL)
        if !waitUntilBlocking(timeout: .seconds(30), { !wrapper.isRunning }) {
            Foundation.kill(wrapper.processIdentifier, SIGKILL)
        }
    }

    /// Whether `python3` can import `module` here.
    static func pythonCanImport(_ module: String) async -> Bool {
        guard let python = Tool.which("python3") else { return false }
        return (try? await run(python, ["-c", "import \(module)"], limitSeconds: 60))?.status == 0
    }
}
