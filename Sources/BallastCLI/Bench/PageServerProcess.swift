import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The page servers of `ballast bench controller` in a child process (`bench controller --serve-pages`), so the
/// measuring process spends its CPU on scraping and evaluating only, and the servers' CPU time is read apart.
///
/// The child prints `ports P1,P2,…` on one line once its servers listen, and exits when its standard input closes.
final class PageServerProcess: Sendable {
    let process: Process
    let input: Pipe
    /// Ports of the child's servers, in target order (50 targets each).
    let ports: [Int]

    private init(process: Process, input: Pipe, ports: [Int]) {
        self.process = process
        self.input = input
        self.ports = ports
    }

    /// Starts the child with `targets` pages of `series` series and waits for its ports.
    static func start(targets: Int, series: Int) async throws -> PageServerProcess {
        let process = Process()
        process.executableURL = executableURL
        process.arguments = [
            "bench", "controller", "--serve-pages", "--targets", "\(targets)", "--series", "\(series)",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw ControllerBenchmark.BenchError(
                message:
                    "Could not start the page server process \(executableURL.path): \(error); run with --pages in-process."
            )
        }
        let line = await readLine(from: output.fileHandleForReading)
        let ports = line.hasPrefix("ports ") ? line.dropFirst(6).split(separator: ",").compactMap { Int($0) } : []
        guard !ports.isEmpty, ports.count == (targets + BenchPages.targetsPerServer - 1) / BenchPages.targetsPerServer
        else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            throw ControllerBenchmark.BenchError(
                message:
                    "The page server process did not report its ports (it printed \"\(line.prefix(200))\"); run with --pages in-process."
            )
        }
        return PageServerProcess(process: process, input: input, ports: ports)
    }

    /// CPU seconds the child has used so far (user + system, every thread), from `/proc/<pid>/stat`; `nil`
    /// where there is no `/proc`.
    func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14 and stime 15 (proc(5)).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// Closes the child's input, which ends it, and waits for it.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// This executable: the child runs the same program.
    static var executableURL: URL {
        #if os(Linux)
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
            URL(fileURLWithPath: CommandLine.arguments[0])
        #endif
    }

    /// Reads up to the first line feed on a thread of its own, so no task thread blocks on the pipe.
    private static func readLine(from handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// The child's side: serves `pages` until standard input closes.
    static func serve(_ pages: BenchPages) async throws {
        try await pages.withServers { ports in
            let line = "ports " + ports.map(String.init).joined(separator: ",") + "\n"
            FileHandle.standardOutput.write(Data(line.utf8))
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    _ = FileHandle.standardInput.readDataToEndOfFile()
                    continuation.resume()
                }
            }
        }
    }
}
