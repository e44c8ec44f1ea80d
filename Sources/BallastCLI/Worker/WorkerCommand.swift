public import ArgumentParser
import Foundation
import Logging
import Worker

/// `ballast worker`: serves one model over an OpenAI-compatible HTTP API with continuous batching and Prometheus
/// metrics, until SIGTERM or SIGINT, which drain it.
public struct WorkerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve a GGUF model: OpenAI-compatible API, continuous batching, /metrics; SIGTERM drains."
    )

    @Option(help: "A cached model name such as smollm2-135m (see `ballast model list`), or a GGUF file.")
    var model: String

    @Option(help: "The version label on every metric, such as v2 or 2026-11-23.")
    var version: String

    @Option(help: "Port to listen on; 0 picks a free one and prints it.")
    var port: Int = 8080

    @Option(help: "Address to listen on (0.0.0.0 in a container).")
    var host: String = "127.0.0.1"

    @Option(help: "The model name clients send (default: the file name without .gguf).")
    var name: String?

    @Option(name: .customLong("memory-budget"), help: "Memory for weights and KV cache, such as 2GiB or 512MiB.")
    var memoryBudget: String = "2GiB"

    @Option(name: .customLong("max-batch"), help: "Most requests decoding together (B_max).")
    var maxBatch: Int = 32

    @Option(name: .customLong("min-batch"), help: "Requests an idle engine waits for before starting (B_min).")
    var minBatch: Int = 4

    @Option(
        name: .customLong("max-wait"), help: "Longest a partial batch waits for more requests (T_max), such as 100ms.")
    var maxWait: String = "100ms"

    @Option(name: .customLong("max-queue"), help: "Requests that may wait; more get HTTP 429 with Retry-After.")
    var maxQueue: Int = 256

    @Option(
        name: .customLong("min-prefix-reuse"),
        help: "Fewest leading prompt tokens copied from a running request's KV cache instead of prefilled; 0 is off.")
    var minPrefixReuse: Int = 16

    @Option(help: "Forward-pass threads (default: all processors).")
    var threads: Int?

    @Option(help: "Longest sequence in tokens (default: the model's context, at most 8192).")
    var context: Int?

    @Option(name: .customLong("fault-rate"), help: "Share of requests failed on purpose with HTTP 500, 0 to 1.")
    var faultRate: Double = 0

    @Option(name: .customLong("fault-latency"), help: "Delay added to every generation request, such as 250ms.")
    var faultLatency: String = "0s"

    public init() {}

    public func validate() throws {
        guard parseByteCount(memoryBudget) != nil else {
            throw ValidationError("--memory-budget \(memoryBudget) is not a size; write it like 2GiB or 512MiB.")
        }
        guard parseDuration(maxWait) != nil else {
            throw ValidationError("--max-wait \(maxWait) is not a duration; write it like 100ms or 0.2s.")
        }
        guard parseDuration(faultLatency) != nil else {
            throw ValidationError("--fault-latency \(faultLatency) is not a duration; write it like 250ms.")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) must be between 0 and 65535.") }
        if let threads, threads < 1 { throw ValidationError("--threads \(threads) must be at least 1.") }
        guard minPrefixReuse >= 0 else {
            throw ValidationError("--min-prefix-reuse \(minPrefixReuse) must not be negative; 0 turns reuse off.")
        }
    }

    public func run() async throws {
        let modelPath: String
        do {
            modelPath = try ModelArgument.path(model)
        } catch {
            throw ValidationError("--model \(model): \(error)")
        }
        // A cache name is the name clients know the model by, as in rendered manifests (`--model smollm2-135m`).
        let modelName = name ?? (modelPath == model ? nil : model)
        let configuration = WorkerConfiguration(
            modelPath: modelPath, modelName: modelName, version: version, host: host, port: port,
            memoryBudgetBytes: parseByteCount(memoryBudget) ?? 2 << 30,
            scheduler: SchedulerConfiguration(
                minimumBatchSize: minBatch, maximumBatchSize: maxBatch,
                maximumWait: parseDuration(maxWait) ?? .milliseconds(100), maximumQueueLength: maxQueue,
                minimumPrefixReuse: minPrefixReuse),
            threadCount: threads, contextLength: context, faultRate: faultRate,
            faultLatency: parseDuration(faultLatency) ?? .zero)
        let server: WorkerServer
        do {
            server = try WorkerServer(configuration: configuration)
        } catch {
            throw ValidationError(error.description)
        }
        var configured = Logger(label: "ballast.worker")
        configured.logLevel = .info
        let logger = configured
        let filled = server.configuration
        try await server.run(logger: logger) { port in
            logger.info(
                "listening",
                metadata: [
                    "address": "http://\(filled.host):\(port)", "model": .string(filled.modelName ?? ""),
                    "version": .string(filled.version), "kv_pages": .stringConvertible(filled.pageCount ?? 0),
                ])
        }
        logger.info("drained and stopped")
    }
}
