public import ArgumentParser
import Engine
import Foundation

/// `ballast bench engine`: the CPU engine's prompt and decode speed on a model.
public struct BenchEngineCommand: ParsableCommand {
    /// Name, abstract and help.
    public static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure the engine: prompt tokens/s, decode tokens/s at batch 1, 4 and 16, resident memory.",
        discussion: """
            Each of --rounds rounds evaluates one prompt of --prompt-length tokens in one step, then runs \
            --decode-steps decode steps at each batch size; every rate printed is the median over the rounds \
            (--json also lists each round's). Rounds alternate the sizes, so a slow spell on a shared machine \
            does not land on one size only. Progress goes to stderr. Memory comes from /proc/self/status (VmRSS \
            now, VmHWM peak). Benchmarks/engine/run.sh runs this beside llama.cpp's llama-bench on the same \
            model.
            """
    )

    /// The model.
    @Option(name: .long, help: "GGUF file or cached model name (such as smollm2-135m).")
    public var model: String

    /// Threads; default all processors.
    @Option(name: .long, help: "Threads (default: all processors).")
    public var threads: Int?

    /// Prompt length; default 512 as llama-bench's `-p 512`.
    @Option(name: .long, help: "Prompt tokens evaluated in one step.")
    public var promptLength: Int = 512

    /// Decode steps per batch size; default 32.
    @Option(name: .long, help: "Decode steps measured at each batch size.")
    public var decodeSteps: Int = 32

    /// Rounds; default 3.
    @Option(name: .long, help: "Rounds; each rate is the median over them.")
    public var rounds: Int = 3

    /// Batch sizes; default 1, 4, 16.
    @Option(name: .long, parsing: .singleValue, help: "Decode batch size (repeatable; default 1, 4 and 16).")
    public var batch: [Int] = []

    /// Print JSON.
    @Flag(name: .long, help: "Print one JSON object.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Checks numbers before the model is loaded.
    public func validate() throws {
        guard promptLength >= 1, decodeSteps >= 1, rounds >= 1 else {
            throw ValidationError("--prompt-length, --decode-steps and --rounds must be at least 1.")
        }
        if let bad = batch.first(where: { $0 < 1 || $0 > 64 }) {
            throw ValidationError("--batch \(bad) is out of range; give 1 to 64.")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1; \(threads) was given.") }
    }

    /// Runs the benchmark and prints it.
    public func run() throws {
        let path = try ModelArgument.path(model)
        let loaded = try Model(path: path)
        let result = try DecodeBenchmark.run(
            model: loaded, threads: threads, promptLength: promptLength,
            batchSizes: batch.isEmpty ? [1, 4, 16] : batch,
            decodeSteps: decodeSteps, rounds: rounds
        ) { done, total in
            printError("bench engine: \(done)/\(total) measurements")
        }
        let memory = ProcessMemory.read()
        let output = BenchEngineOutput(
            model: path, threads: result.threadCount, promptLength: result.promptLength,
            promptTokensPerSecond: result.promptTokensPerSecond, promptSamples: result.promptSamples,
            rounds: result.rounds,
            decode: result.decodeTokensPerSecond.map {
                .init(batch: $0.batch, tokensPerSecond: $0.tokensPerSecond, samples: $0.samples)
            },
            residentBytes: memory.resident, peakResidentBytes: memory.peak)
        if json {
            print(try JSONOutput.line(output))
        } else {
            print(
                String(
                    format: "prompt %d tokens: %.1f tokens/s (%d threads)", output.promptLength,
                    output.promptTokensPerSecond, output.threads))
            for d in output.decode {
                print(String(format: "decode batch %2d: %.1f tokens/s", d.batch, d.tokensPerSecond))
            }
            print(
                String(
                    format: "resident %.1f MB, peak %.1f MB", Double(memory.resident ?? 0) / 1e6,
                    Double(memory.peak ?? 0) / 1e6))
        }
    }
}

/// `ballast bench engine --json` output.
struct BenchEngineOutput: Encodable {
    struct Decode: Encodable {
        var batch: Int
        /// Median over the rounds.
        var tokensPerSecond: Double
        /// Each round's rate.
        var samples: [Double]
    }

    var model: String
    var threads: Int
    var promptLength: Int
    /// Median over the rounds.
    var promptTokensPerSecond: Double
    var promptSamples: [Double]
    var rounds: Int
    var decode: [Decode]
    var residentBytes: Int?
    var peakResidentBytes: Int?
}

/// This process's memory from `/proc/self/status`: `VmRSS` (resident now) and `VmHWM` (peak resident), in bytes.
enum ProcessMemory {
    static func read() -> (resident: Int?, peak: Int?) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (nil, nil) }
        return parse(text)
    }

    /// Reads the two fields (given in kB) out of the status text.
    static func parse(_ text: String) -> (resident: Int?, peak: Int?) {
        func field(_ name: String) -> Int? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count >= 2, let kilobytes = Int(parts[1].trimmingCharacters(in: .whitespaces)) {
                    return kilobytes * 1024
                }
            }
            return nil
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}
