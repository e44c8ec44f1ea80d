public import Foundation

/// What a finished child process left: its exit status and everything it wrote.
public struct ProcessRun: Sendable {
    /// Exit status (or the signal number when it was killed by one).
    public var status: Int32
    /// Standard output.
    public var stdout: Data
    /// Standard error.
    public var stderr: Data

    /// Runs `executable` with `arguments` to completion and returns what it left; `input`, when given, is written
    /// to its standard input, which is then closed.
    ///
    /// The blocking reads and the wait run on a thread of their own, never on the concurrency pool: a test that
    /// waits for a slow child (a quantization, a Python check) must not stall every other test of the run, which
    /// share that pool's few threads. Both pipes are drained while the child runs, so a chatty child never blocks.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        input: Data? = nil
    ) async throws -> ProcessRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = input.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        try process.run()
        if let inPipe, let input {
            // Written on a thread of its own: a child that answers before reading all of its input must not
            // block the reads below.
            let writer = inPipe.fileHandleForWriting
            Thread {
                try? writer.write(contentsOf: input)
                try? writer.close()
            }.start()
        }
        let outHandle = outPipe.fileHandleForReading
        let errHandle = errPipe.fileHandleForReading
        return await withCheckedContinuation { continuation in
            let reader = Thread {
                let errorReader = ErrorReader(errHandle)
                errorReader.start()
                let out = outHandle.readDataToEndOfFile()
                let err = errorReader.finish()
                process.waitUntilExit()
                continuation.resume(returning: ProcessRun(status: process.terminationStatus, stdout: out, stderr: err))
            }
            reader.start()
        }
    }
}

/// Reads a pipe to its end on its own thread.
private final class ErrorReader: @unchecked Sendable {
    // Sendable because `data` is written once by the reading thread before `done` is signalled, and read only
    // after waiting on `done`.
    private let handle: FileHandle
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) { self.handle = handle }

    func start() {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
