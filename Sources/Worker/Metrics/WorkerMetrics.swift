import Foundation
public import PromText
import Synchronization

/// The worker's metrics (DESIGN.md's contract): histograms, gauges and counters updated by the engine and the
/// HTTP layer from any thread, rendered as Prometheus text with every sample labelled `model` and `version`.
public final class WorkerMetrics: Sendable {
    /// What every sample is labelled with and what `ballast_model_info` says.
    public struct Identity: Sendable, Equatable {
        /// Model name (`model` label).
        public var model: String
        /// Model version (`version` label).
        public var version: String
        /// Weight quantization, such as `q4_1`.
        public var quantization: String
        /// Processes the model is split over (1: not sharded).
        public var shards: Int

        /// Makes an identity.
        public init(model: String, version: String, quantization: String, shards: Int = 1) {
            self.model = model
            self.version = version
            self.quantization = quantization
            self.shards = shards
        }
    }

    /// Engine numbers read at scrape time.
    public struct EngineGauges: Sendable, Equatable {
        /// Requests waiting for a place in the batch.
        public var queueDepth = 0
        /// Requests in the running batch.
        public var running = 0
        /// Requests in the latest step.
        public var batchSize = 0
        /// Share of KV pages in use, 0...1.
        public var kvCacheUsage = 0.0
        /// Share of the bytes of used KV pages that hold no token, 0...1 (the waste of partly filled pages).
        public var kvCacheFragmentation = 0.0
        /// Weights plus used KV cache, in bytes.
        public var memoryUsedBytes = 0.0

        /// All zero.
        public init() {}
    }

    private struct State: Sendable {
        var queueWait = Histogram()
        var timeToFirstToken = Histogram()
        var interTokenLatency = Histogram()
        var requestDuration = Histogram()
        var httpDuration: [String: Histogram] = [:]
        var gauges = EngineGauges()
        var promptTokens: UInt64 = 0
        var reusedPromptTokens: UInt64 = 0
        var generatedTokens: UInt64 = 0
        var requests: [String: UInt64] = [:]
        var rejected: [String: UInt64] = [:]
    }

    /// The labels every sample carries.
    public let identity: Identity
    /// The memory budget, in bytes (`ballast_accelerator_memory_total_bytes`).
    public let memoryTotalBytes: Double
    /// Seconds since 1970 when the process started.
    public let startTimeSeconds: Double
    private let state = Mutex(State())

    /// Metrics for `identity` against a memory budget of `memoryTotalBytes`; the start time defaults to now.
    public init(identity: Identity, memoryTotalBytes: Double, startTimeSeconds: Double? = nil) {
        self.identity = identity
        self.memoryTotalBytes = memoryTotalBytes
        self.startTimeSeconds = startTimeSeconds ?? Date().timeIntervalSince1970
    }

    /// Admission to first scheduled step, in seconds.
    public func observeQueueWait(_ seconds: Double) { state.withLock { $0.queueWait.observe(seconds) } }
    /// Admission to first generated token, in seconds.
    public func observeTimeToFirstToken(_ seconds: Double) { state.withLock { $0.timeToFirstToken.observe(seconds) } }
    /// Time between two tokens of one request, in seconds.
    public func observeInterTokenLatency(_ seconds: Double) { state.withLock { $0.interTokenLatency.observe(seconds) } }
    /// A finished request: its duration in seconds and its outcome (`ok`, `error`, `cancelled`).
    public func observeRequest(seconds: Double, status: String) {
        state.withLock {
            $0.requestDuration.observe(seconds)
            $0.requests[status, default: 0] += 1
        }
    }
    /// An HTTP request to `route` (the path pattern, not the raw path, so label values stay few).
    public func observeHTTP(route: String, seconds: Double) {
        state.withLock { $0.httpDuration[route, default: Histogram()].observe(seconds) }
    }
    /// A request refused before it ran (`queue_full`, `draining`, `invalid`, `too_large`, `fault`).
    public func countRejected(reason: String) { state.withLock { $0.rejected[reason, default: 0] += 1 } }
    /// Prompt tokens accepted.
    public func countPromptTokens(_ count: Int) { state.withLock { $0.promptTokens += UInt64(max(0, count)) } }
    /// Prompt tokens whose keys and values were copied from another request's cache instead of computed.
    public func countReusedPromptTokens(_ count: Int) {
        state.withLock { $0.reusedPromptTokens += UInt64(max(0, count)) }
    }
    /// Tokens generated.
    public func countGeneratedTokens(_ count: Int) { state.withLock { $0.generatedTokens += UInt64(max(0, count)) } }
    /// The engine's current gauges.
    public func setGauges(_ gauges: EngineGauges) { state.withLock { $0.gauges = gauges } }
    /// The engine's gauges as last set.
    public var gauges: EngineGauges { state.withLock { $0.gauges } }

    /// The metric families now, in a stable order.
    public func families() -> [MetricFamily] {
        let s = state.withLock { $0 }
        let base: Labels = ["model": identity.model, "version": identity.version]
        func labels(_ extra: (String, String)...) -> Labels {
            Labels(base.pairs + extra.map { Label($0.0, $0.1) })
        }
        func gauge(_ name: String, _ help: String, _ value: Double) -> MetricFamily {
            MetricFamily(
                name: name, type: .gauge, help: help, samples: [Sample(name: name, labels: base, value: value)])
        }
        func counter(_ name: String, _ help: String, _ value: UInt64) -> MetricFamily {
            MetricFamily(
                name: name, type: .counter, help: help,
                samples: [Sample(name: name, labels: base, value: Double(value))])
        }
        func histogramSamples(_ name: String, _ h: Histogram, _ extra: [(String, String)] = []) -> [Sample] {
            let own = base.pairs + extra.map { Label($0.0, $0.1) }
            var samples: [Sample] = []
            for (bound, count) in zip(h.bounds, h.counts) {
                samples.append(
                    Sample(
                        name: name + "_bucket", labels: Labels(own + [Label("le", PromTextWriter.valueText(bound))]),
                        value: Double(count)))
            }
            samples.append(
                Sample(name: name + "_bucket", labels: Labels(own + [Label("le", "+Inf")]), value: Double(h.count)))
            samples.append(Sample(name: name + "_sum", labels: Labels(own), value: h.sum))
            samples.append(Sample(name: name + "_count", labels: Labels(own), value: Double(h.count)))
            return samples
        }
        func histogram(_ name: String, _ help: String, _ h: Histogram) -> MetricFamily {
            MetricFamily(name: name, type: .histogram, help: help, samples: histogramSamples(name, h))
        }
        let process = ProcessStatistics.current()
        var families = [
            histogram("ballast_queue_wait_seconds", "Seconds from admission to the first scheduled step.", s.queueWait),
            histogram(
                "ballast_time_to_first_token_seconds", "Seconds from admission to the first generated token.",
                s.timeToFirstToken),
            histogram(
                "ballast_inter_token_latency_seconds", "Seconds between consecutive tokens of one request.",
                s.interTokenLatency),
            histogram(
                "ballast_request_duration_seconds", "Seconds from admission to the last token.", s.requestDuration),
            MetricFamily(
                name: "http_request_duration_seconds", type: .histogram, help: "Seconds to answer an HTTP request.",
                samples: s.httpDuration.keys.sorted().flatMap { route in
                    histogramSamples(
                        "http_request_duration_seconds", s.httpDuration[route] ?? Histogram(), [("route", route)])
                }),
            gauge("ballast_queue_depth", "Requests waiting for a place in the batch.", Double(s.gauges.queueDepth)),
            gauge("ballast_running_requests", "Requests in the running batch.", Double(s.gauges.running)),
            gauge("ballast_batch_size", "Requests in the latest engine step.", Double(s.gauges.batchSize)),
            counter("ballast_prompt_tokens_total", "Prompt tokens accepted.", s.promptTokens),
            counter(
                "ballast_prompt_tokens_reused_total",
                "Prompt tokens copied from a running request's KV cache instead of prefilled.", s.reusedPromptTokens),
            counter("ballast_generated_tokens_total", "Tokens generated.", s.generatedTokens),
            MetricFamily(
                name: "ballast_requests_total", type: .counter, help: "Requests finished, by outcome.",
                samples: ["ok", "error", "cancelled"].map {
                    Sample(
                        name: "ballast_requests_total", labels: labels(("status", $0)),
                        value: Double(s.requests[$0] ?? 0))
                }),
            MetricFamily(
                name: "ballast_requests_rejected_total", type: .counter,
                help: "Requests refused before they ran, by reason.",
                samples: ["queue_full", "draining", "invalid", "too_large", "fault"].map {
                    Sample(
                        name: "ballast_requests_rejected_total", labels: labels(("reason", $0)),
                        value: Double(s.rejected[$0] ?? 0))
                }),
            gauge("ballast_kv_cache_usage_ratio", "Share of KV cache pages in use.", s.gauges.kvCacheUsage),
            gauge(
                "ballast_kv_cache_fragmentation_ratio", "Share of the used KV pages' slots that hold no token.",
                s.gauges.kvCacheFragmentation),
            gauge(
                "ballast_accelerator_memory_used_bytes", "Weights plus used KV cache, in bytes.",
                s.gauges.memoryUsedBytes),
            gauge(
                "ballast_accelerator_memory_total_bytes", "The configured memory budget, in bytes.", memoryTotalBytes),
            MetricFamily(
                name: "ballast_model_info", type: .gauge, help: "The model served; always 1.",
                samples: [
                    Sample(
                        name: "ballast_model_info",
                        labels: labels(("quant", identity.quantization), ("shards", String(identity.shards))), value: 1)
                ]),
            gauge("process_resident_memory_bytes", "Resident memory size in bytes.", process.residentMemoryBytes),
            gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", process.virtualMemoryBytes),
            MetricFamily(
                name: "process_cpu_seconds_total", type: .counter, help: "User and system CPU time spent in seconds.",
                samples: [Sample(name: "process_cpu_seconds_total", labels: base, value: process.cpuSeconds)]),
            gauge(
                "process_start_time_seconds", "Start time of the process since the epoch in seconds.", startTimeSeconds),
        ]
        if let fds = process.openFileDescriptors {
            families.append(gauge("process_open_fds", "Number of open file descriptors.", fds))
        }
        return families.filter { !$0.samples.isEmpty }
    }

    /// The Prometheus text of ``families()``.
    public func emit(into buffer: inout [UInt8]) {
        for family in families() { PromTextWriter.emit(family, into: &buffer) }
    }
}
