import Engine
import Foundation
import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
import UnixSignals

/// Everything `ballast worker` needs to serve a model.
public struct WorkerConfiguration: Sendable {
    /// The GGUF file.
    public var modelPath: String
    /// The name clients send as `model` (default: the file's name without `.gguf`).
    public var modelName: String?
    /// The version label on every metric (default `v1`).
    public var version: String
    /// Address to listen on (default `127.0.0.1`: only this machine; use `0.0.0.0` in a container).
    public var host: String
    /// Port to listen on; 0 picks a free one (default 8080).
    public var port: Int
    /// Memory the worker may use for weights and KV cache, in bytes (default 2 GiB); it sizes the KV pool and is
    /// reported as `ballast_accelerator_memory_total_bytes`.
    public var memoryBudgetBytes: Int
    /// KV pages, overriding the count derived from the memory budget (default `nil`).
    public var pageCount: Int?
    /// Batching limits; its page count is replaced by the one derived here.
    public var scheduler: SchedulerConfiguration
    /// Forward-pass threads (default: all active processors).
    public var threadCount: Int?
    /// Longest sequence in tokens (default: the model's context, at most 8192).
    public var contextLength: Int?
    /// Request limits.
    public var limits: WorkerLimits
    /// Share of requests failed on purpose, 0...1 (default 0).
    public var faultRate: Double
    /// Delay added to every generation request (default zero).
    public var faultLatency: Duration

    /// A configuration with the defaults above for the model at `modelPath`.
    public init(
        modelPath: String, modelName: String? = nil, version: String = "v1", host: String = "127.0.0.1",
        port: Int = 8080, memoryBudgetBytes: Int = 2 << 30, pageCount: Int? = nil,
        scheduler: SchedulerConfiguration = SchedulerConfiguration(), threadCount: Int? = nil,
        contextLength: Int? = nil, limits: WorkerLimits = WorkerLimits(), faultRate: Double = 0,
        faultLatency: Duration = .zero
    ) {
        self.modelPath = modelPath
        self.modelName = modelName
        self.version = version
        self.host = host
        self.port = port
        self.memoryBudgetBytes = memoryBudgetBytes
        self.pageCount = pageCount
        self.scheduler = scheduler
        self.threadCount = threadCount
        self.contextLength = contextLength
        self.limits = limits
        self.faultRate = faultRate
        self.faultLatency = faultLatency
    }
}

/// A loaded model behind its HTTP API, ready to run as services of one `ServiceGroup`.
public final class WorkerServer: Sendable {
    /// The engine.
    public let engine: InferenceEngine
    /// The HTTP API.
    public let api: WorkerAPI
    /// What it was made with (page count filled in).
    public let configuration: WorkerConfiguration

    /// Opens the model, sizes the KV pool from the memory budget and builds the engine.
    ///
    /// - Throws: ``WorkerConfigurationError`` naming the file or setting at fault.
    public init(configuration: WorkerConfiguration) throws(WorkerConfigurationError) {
        let model: Model
        do {
            model = try Model(path: configuration.modelPath)
        } catch {
            throw WorkerConfigurationError(error.description)
        }
        let c = model.configuration
        let context = configuration.contextLength ?? min(c.contextLength, 8192)
        let pageSize = configuration.scheduler.pageSize
        let bytesPerPage = ModelRunner.cacheBytesPerPage(c, pageSize: pageSize)
        let weights = model.file.header.tensors.reduce(0) { $0 + $1.byteCount }
        let pagesPerSequence = (context + pageSize - 1) / pageSize
        let pageCount: Int
        if let given = configuration.pageCount {
            pageCount = given
        } else {
            let room = configuration.memoryBudgetBytes - weights
            guard room >= bytesPerPage else {
                throw WorkerConfigurationError(
                    "The memory budget (\(configuration.memoryBudgetBytes) bytes) leaves no room for the KV cache: the "
                        + "weights take \(weights) bytes and one KV page \(bytesPerPage); raise --memory-budget to at "
                        + "least \(weights + bytesPerPage * pagesPerSequence) bytes.")
            }
            // No more pages than a full batch of full-length sequences can use.
            pageCount = min(room / bytesPerPage, configuration.scheduler.maximumBatchSize * pagesPerSequence)
        }
        var scheduler = configuration.scheduler
        scheduler.pageCount = pageCount
        var filled = configuration
        filled.pageCount = pageCount
        filled.contextLength = context
        let name =
            configuration.modelName
            ?? URL(fileURLWithPath: configuration.modelPath).deletingPathExtension().lastPathComponent
        filled.modelName = name
        let quantization = Self.dominantType(model)
        let metrics = WorkerMetrics(
            identity: WorkerMetrics.Identity(model: name, version: configuration.version, quantization: quantization),
            memoryTotalBytes: Double(configuration.memoryBudgetBytes))
        engine = try InferenceEngine(
            model: model, metrics: metrics,
            configuration: InferenceEngine.Configuration(
                scheduler: scheduler, threadCount: configuration.threadCount, maximumSequenceLength: context))
        let faults = try FaultInjection(failureRate: configuration.faultRate, latency: configuration.faultLatency)
        api = WorkerAPI(engine: engine, modelName: name, limits: configuration.limits, faults: faults)
        self.configuration = filled
    }

    /// The weight type holding most of the model's bytes, such as `q4_1`.
    static func dominantType(_ model: Model) -> String {
        var bytes: [String: Int] = [:]
        for tensor in model.file.header.tensors { bytes["\(tensor.type)", default: 0] += tensor.byteCount }
        return bytes.max { $0.value < $1.value }?.key.lowercased() ?? "unknown"
    }

    /// The services to run in one `ServiceGroup`, in start order: the engine, the HTTP server, and the drain
    /// step that graceful shutdown (which runs in reverse order) performs first.
    ///
    /// - Parameters:
    ///   - logger: where the server logs.
    ///   - onListening: called with the bound port once the server accepts connections.
    ///   - onDrained: called when a graceful shutdown has finished every request in flight.
    public func services(
        logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in },
        onDrained: @escaping @Sendable () -> Void = {}
    ) -> [any Service] {
        let application = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "ballast-worker"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        return [EngineService(engine: engine), application, DrainService(engine: engine, onDrained: onDrained)]
    }

    /// Runs the worker until SIGTERM or SIGINT, then drains and returns.
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services(logger: logger, onListening: onListening),
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
