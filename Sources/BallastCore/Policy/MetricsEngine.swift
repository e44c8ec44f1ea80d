/// Serving engines whose metric names Ballast knows, so one policy can steer fleets it did not start.
public enum MetricsEngine: String, Hashable, Sendable, CaseIterable {
    /// Ballast's own worker (DESIGN.md metrics contract).
    case ballast
    /// vLLM, any version: names that changed between versions are matched in both spellings.
    case vllm
    /// llama.cpp's `llama-server` with `--metrics`.
    case llamacpp
    /// Hugging Face Text Generation Inference.
    case tgi
    /// SGLang.
    case sglang
}

/// Engine-neutral names for the metrics policies care about; ``MetricAliases`` maps each to engine names.
public enum NeutralMetric: String, Hashable, Sendable, CaseIterable {
    /// Histogram of time from admission to first scheduled step, in seconds.
    case queueWaitSeconds = "queue_wait_seconds"
    /// Histogram of time to first token, in seconds.
    case timeToFirstTokenSeconds = "time_to_first_token_seconds"
    /// Histogram of time between generated tokens, in seconds.
    case interTokenLatencySeconds = "inter_token_latency_seconds"
    /// Histogram of end-to-end request time, in seconds.
    case requestDurationSeconds = "request_duration_seconds"
    /// Gauge: share of the KV cache in use, 0…1.
    case kvCacheUsageRatio = "kv_cache_usage_ratio"
    /// Gauge: requests being decoded now.
    case runningRequests = "running_requests"
    /// Gauge: requests waiting for admission to the batch.
    case waitingRequests = "waiting_requests"
    /// Counter: generated tokens.
    case generatedTokensTotal = "generated_tokens_total"
    /// Counter: prompt tokens processed.
    case promptTokensTotal = "prompt_tokens_total"
    /// Counter: finished requests.
    case requestsTotal = "requests_total"
    /// Gauge: accelerator memory in use, bytes.
    case acceleratorMemoryUsedBytes = "accelerator_memory_used_bytes"
    /// Gauge: accelerator memory available to the engine, bytes.
    case acceleratorMemoryTotalBytes = "accelerator_memory_total_bytes"
}
