public import BallastCore
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs external programs (`kubectl`, `ballast quantize`) with swift-subprocess: an argument vector, never a
/// shell; `PATH` lookup for a bare name; bounded output; a timeout that stops the program's whole process group.
public struct SubprocessCommandRunner: CommandRunning {
    /// Limits of one run.
    public struct Configuration: Sendable, Hashable {
        /// Bytes of standard output and of standard error kept per command; the rest is dropped and the text
        /// ends with `… (cut N bytes)`. Default 65 536 (64 KiB): enough for a `kubectl diff` of one policy.
        public var outputLimit: Int
        /// Time a timed-out program has between SIGTERM and SIGKILL. Default 2 s.
        public var killGrace: Duration
        /// Working directory; `nil` (the default) keeps the controller's.
        public var workingDirectory: String?

        /// Creates a configuration with the defaults above.
        public init(outputLimit: Int = 64 * 1024, killGrace: Duration = .seconds(2), workingDirectory: String? = nil) {
            self.outputLimit = outputLimit
            self.killGrace = killGrace
            self.workingDirectory = workingDirectory
        }
    }

    /// The limits.
    public let configuration: Configuration

    /// Creates a runner. It ignores SIGPIPE in this process, so a program that exits without reading its
    /// input makes the write fail instead of killing the controller.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        _ = Self.ignoreBrokenPipes
    }

    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs `arguments[0]` with the rest as its arguments, feeds `input`, and stops it after `timeout`
    /// (SIGTERM to its process group, SIGKILL after ``Configuration/killGrace``). Never throws: a program that
    /// cannot start gives a `nil` exit code and the reason in `stderr`; a program killed by signal N gives
    /// exit code 128 + N, as a shell reports it.
    public func run(_ arguments: [String], input: [UInt8]?, timeout: Duration) async -> CommandRecord {
        let clock = ContinuousClock()
        let start = clock.now
        guard let program = arguments.first, !program.isEmpty else {
            return CommandRecord(
                arguments: arguments, exitCode: nil,
                stderr: "The command is empty; give the program as the first argument.")
        }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        var options = PlatformOptions()
        // Its own session and process group, so the timeout also stops what a script started.
        options.createSession = true
        let limit = configuration.outputLimit
        let grace = configuration.killGrace
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(arguments.dropFirst())),
                workingDirectory: configuration.workingDirectory.map { FilePath($0) }, platformOptions: options,
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                await Self.drive(execution, input: input, timeout: timeout, grace: grace, limit: limit)
            }
            let captured = result.closureResult
            var stderr = captured.stderr.text
            var exitCode: Int32
            switch result.terminationStatus {
            case .exited(let code): exitCode = code
            case .signaled(let signal):
                exitCode = 128 + signal
                if !captured.timedOut {
                    stderr += Self.separated(stderr) + "\(program) was killed by signal \(signal)."
                }
            }
            if captured.timedOut {
                stderr +=
                    Self.separated(stderr)
                    + "\(program) did not finish within \(timeout) and was stopped; raise the timeout or check why it hangs."
            }
            return CommandRecord(
                arguments: arguments, exitCode: exitCode, stdout: captured.stdout.text, stderr: stderr,
                durationSeconds: (clock.now - start).secondsValue)
        } catch {
            return CommandRecord(
                arguments: arguments, exitCode: nil,
                stderr: "\(program) could not be started: \(error). Check that it is installed and on PATH.",
                durationSeconds: (clock.now - start).secondsValue)
        }
    }

    private static func separated(_ text: String) -> String {
        text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
    }

    private struct Captured: Sendable {
        var stdout: BoundedText
        var stderr: BoundedText
        var timedOut = false
    }

    private enum Part: Sendable {
        case stdout(BoundedText)
        case stderr(BoundedText)
        case timedOut(Bool)
        case inputDone
    }

    /// Writes the input, reads both streams to their end and enforces the timeout, all at once.
    private static func drive(
        _ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>, input: [UInt8]?,
        timeout: Duration, grace: Duration, limit: Int
    ) async -> Captured {
        var captured = Captured(stdout: BoundedText(limit: limit), stderr: BoundedText(limit: limit))
        await withTaskGroup(of: Part.self) { group in
            group.addTask {
                // A program that exits without reading makes this fail; its exit status says what happened.
                if let input, !input.isEmpty { _ = try? await execution.standardInputWriter.write(input) }
                try? await execution.standardInputWriter.finish()
                return .inputDone
            }
            group.addTask { .stdout(await collect(execution.standardOutput, limit: limit)) }
            group.addTask { .stderr(await collect(execution.standardError, limit: limit)) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return .timedOut(false)
                }
                await execution.teardown(using: [
                    .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: grace)
                ])
                return .timedOut(true)
            }
            var streamsOpen = 2
            while let part = await group.next() {
                switch part {
                case .stdout(let text):
                    captured.stdout = text
                    streamsOpen -= 1
                case .stderr(let text):
                    captured.stderr = text
                    streamsOpen -= 1
                case .timedOut(let fired): captured.timedOut = captured.timedOut || fired
                case .inputDone: break
                }
                // Both streams at their end means the program is done: the timer is no longer needed.
                if streamsOpen == 0 { group.cancelAll() }
            }
        }
        return captured
    }

    private static func collect(_ sequence: SubprocessOutputSequence, limit: Int) async -> BoundedText {
        var text = BoundedText(limit: limit)
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { text.append($0) }
            }
        } catch {
            // A read error ends the capture; what was read so far is kept.
        }
        return text
    }
}
