/// One engine's spelling of a ``NeutralMetric``.
public struct MetricAlias: Hashable, Sendable {
    /// Series names on the engine's `/metrics` page, newest spelling first; older spellings follow so a
    /// policy keeps working across engine upgrades. Histograms are named without `_bucket`.
    public var names: [String]
    /// Prometheus type of the series.
    public var kind: MetricKind
    /// Unit of the value.
    public var unit: MetricUnit
    /// What a reader should know about the series (misleading names, renames, approximations); `nil` if nothing.
    public var note: String?

    /// Creates an alias.
    public init(names: [String], kind: MetricKind, unit: MetricUnit, note: String? = nil) {
        self.names = names
        self.kind = kind
        self.unit = unit
        self.note = note
    }
}

/// What an engine exports for a ``NeutralMetric``: a series, or nothing and why.
public enum MetricAliasLookup: Hashable, Sendable {
    /// The engine exports the metric under these names.
    case metric(MetricAlias)
    /// The engine has no such metric; the reason says what to use instead.
    case unavailable(reason: String)

    /// The alias, or `nil` when the engine has no such metric.
    public var alias: MetricAlias? {
        if case .metric(let alias) = self { return alias }
        return nil
    }
}

/// The table from engine-neutral metric names to each engine's real metric names.
///
/// Names were checked against the engines' sources: vLLM `vllm/v1/metrics/loggers.py`, llama.cpp
/// `tools/server/server.cpp` (the `/metrics` handler), TGI `docs/source/reference/metrics.md`, and SGLang
/// `python/sglang/srt/metrics/collector.py`. Where an engine renamed a metric, every spelling is listed so that
/// ``selector(for:engine:suffix:matchers:)`` matches both.
public enum MetricAliases {
    /// The engine's names for `metric`, or why it has none.
    public static func lookup(_ metric: NeutralMetric, engine: MetricsEngine) -> MetricAliasLookup {
        switch engine {
        case .ballast: ballast(metric)
        case .vllm: vllm(metric)
        case .llamacpp: llamacpp(metric)
        case .tgi: tgi(metric)
        case .sglang: sglang(metric)
        }
    }

    /// A PromQL selector for `metric` on `engine`, or `nil` when the engine has no such metric.
    ///
    /// One spelling gives a plain name (`vllm:num_requests_waiting`); several give a `__name__` regex
    /// (`{__name__=~"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc"}`) so one policy survives an upgrade.
    /// - Parameters:
    ///   - suffix: appended to every name, such as `_bucket`, `_sum` or `_count` for histograms. Default none.
    ///   - matchers: label matchers without braces (`model="x"`), merged into the selector. Default none.
    public static func selector(
        for metric: NeutralMetric,
        engine: MetricsEngine,
        suffix: String = "",
        matchers: String = ""
    ) -> String? {
        guard let alias = lookup(metric, engine: engine).alias else { return nil }
        return selector(names: alias.names.map { $0 + suffix }, matchers: matchers)
    }

    /// A selector matching any of `names` (at least one), with extra label `matchers` (no braces).
    static func selector(names: [String], matchers: String) -> String {
        let extra = Spelling.trimmed(matchers)
        if names.count == 1, let name = names.first {
            return extra.isEmpty ? name : "\(name){\(extra)}"
        }
        let regex = "__name__=~\"\(names.joined(separator: "|"))\""
        return extra.isEmpty ? "{\(regex)}" : "{\(regex),\(extra)}"
    }

    // MARK: Ballast's own worker (DESIGN.md metrics contract)

    private static func ballast(_ metric: NeutralMetric) -> MetricAliasLookup {
        let name: String
        switch metric {
        case .queueWaitSeconds: name = "ballast_queue_wait_seconds"
        case .timeToFirstTokenSeconds: name = "ballast_time_to_first_token_seconds"
        case .interTokenLatencySeconds: name = "ballast_inter_token_latency_seconds"
        case .requestDurationSeconds: name = "ballast_request_duration_seconds"
        case .kvCacheUsageRatio: name = "ballast_kv_cache_usage_ratio"
        case .runningRequests: name = "ballast_running_requests"
        case .waitingRequests: name = "ballast_queue_depth"
        case .generatedTokensTotal: name = "ballast_generated_tokens_total"
        case .promptTokensTotal: name = "ballast_prompt_tokens_total"
        case .requestsTotal: name = "ballast_requests_total"
        case .acceleratorMemoryUsedBytes: name = "ballast_accelerator_memory_used_bytes"
        case .acceleratorMemoryTotalBytes: name = "ballast_accelerator_memory_total_bytes"
        }
        return .metric(MetricAlias(names: [name], kind: metric.kind, unit: metric.unit))
    }

    // MARK: vLLM (vllm/v1/metrics/loggers.py)

    private static func vllm(_ metric: NeutralMetric) -> MetricAliasLookup {
        switch metric {
        case .queueWaitSeconds:
            .metric(
                MetricAlias(
                    names: ["vllm:request_queue_time_seconds"], kind: .histogram, unit: .seconds,
                    note: "Time spent in the WAITING phase."))
        case .timeToFirstTokenSeconds:
            .metric(MetricAlias(names: ["vllm:time_to_first_token_seconds"], kind: .histogram, unit: .seconds))
        case .interTokenLatencySeconds:
            .metric(
                MetricAlias(
                    names: ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"],
                    kind: .histogram, unit: .seconds,
                    note: "vllm:time_per_output_token_seconds is the deprecated spelling; newer releases drop it."))
        case .requestDurationSeconds:
            .metric(MetricAlias(names: ["vllm:e2e_request_latency_seconds"], kind: .histogram, unit: .seconds))
        case .kvCacheUsageRatio:
            .metric(
                MetricAlias(
                    names: ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"], kind: .gauge, unit: .ratio,
                    note: "A 0–1 ratio despite the _perc suffix; vllm:gpu_cache_usage_perc is the deprecated spelling. "
                        + "Releases in between export both, so aggregate with max(), not sum()."))
        case .runningRequests:
            .metric(MetricAlias(names: ["vllm:num_requests_running"], kind: .gauge, unit: .requests))
        case .waitingRequests:
            .metric(MetricAlias(names: ["vllm:num_requests_waiting"], kind: .gauge, unit: .requests))
        case .generatedTokensTotal:
            .metric(MetricAlias(names: ["vllm:generation_tokens_total"], kind: .counter, unit: .tokens))
        case .promptTokensTotal:
            .metric(MetricAlias(names: ["vllm:prompt_tokens_total"], kind: .counter, unit: .tokens))
        case .requestsTotal:
            .metric(
                MetricAlias(
                    names: ["vllm:request_success_total"], kind: .counter, unit: .requests,
                    note: "Counts finished requests by finished_reason; requests that failed are not counted."))
        case .acceleratorMemoryUsedBytes, .acceleratorMemoryTotalBytes:
            .unavailable(
                reason: "vLLM reserves accelerator memory up front (--gpu-memory-utilization) and exports "
                    + "no memory gauges; use the KV-cache ratio ${kv_cache_usage_ratio} or DCGM's DCGM_FI_DEV_FB_USED.")
        }
    }

    // MARK: llama.cpp llama-server --metrics (tools/server/server.cpp)

    private static func llamacpp(_ metric: NeutralMetric) -> MetricAliasLookup {
        switch metric {
        case .queueWaitSeconds, .timeToFirstTokenSeconds, .interTokenLatencySeconds, .requestDurationSeconds:
            .unavailable(
                reason: "llama-server exports no latency histograms, only the counters "
                    + "llamacpp:prompt_seconds_total and llamacpp:tokens_predicted_seconds_total; watch "
                    + "${waiting_requests} (llamacpp:requests_deferred) instead.")
        case .kvCacheUsageRatio:
            .metric(
                MetricAlias(
                    names: ["llamacpp:kv_cache_usage_ratio"], kind: .gauge, unit: .ratio,
                    note:
                        "Removed from newer llama-server builds; on those it is absent and policies must not rely on it."
                ))
        case .runningRequests:
            .metric(
                MetricAlias(
                    names: ["llamacpp:requests_processing"], kind: .gauge, unit: .requests,
                    note: "Busy slots."))
        case .waitingRequests:
            .metric(
                MetricAlias(
                    names: ["llamacpp:requests_deferred"], kind: .gauge, unit: .requests,
                    note: "Requests waiting for a free slot."))
        case .generatedTokensTotal:
            .metric(MetricAlias(names: ["llamacpp:tokens_predicted_total"], kind: .counter, unit: .tokens))
        case .promptTokensTotal:
            .metric(
                MetricAlias(
                    names: ["llamacpp:prompt_tokens_total"], kind: .counter, unit: .tokens,
                    note: "Excludes prompt tokens reused from the cache (llamacpp:prompt_tokens_cached_total)."))
        case .requestsTotal:
            .unavailable(reason: "llama-server counts tokens and llama_decode() calls, not requests.")
        case .acceleratorMemoryUsedBytes, .acceleratorMemoryTotalBytes:
            .unavailable(
                reason: "llama-server exports no memory gauges; use DCGM's DCGM_FI_DEV_FB_USED or "
                    + "process_resident_memory_bytes from a process exporter.")
        }
    }

    // MARK: Hugging Face TGI (docs/source/reference/metrics.md)

    private static func tgi(_ metric: NeutralMetric) -> MetricAliasLookup {
        switch metric {
        case .queueWaitSeconds:
            .metric(MetricAlias(names: ["tgi_request_queue_duration"], kind: .histogram, unit: .seconds))
        case .timeToFirstTokenSeconds:
            .unavailable(
                reason: "TGI exports no time-to-first-token histogram; ${queue_wait_seconds} "
                    + "(tgi_request_queue_duration) covers the wait before prefill.")
        case .interTokenLatencySeconds:
            .metric(
                MetricAlias(
                    names: ["tgi_request_mean_time_per_token_duration"], kind: .histogram, unit: .seconds,
                    note: "One observation per request (its mean time per token), not one per token."))
        case .requestDurationSeconds:
            .metric(MetricAlias(names: ["tgi_request_duration"], kind: .histogram, unit: .seconds))
        case .kvCacheUsageRatio:
            .unavailable(
                reason: "TGI exports no KV-cache usage gauge; tgi_batch_current_max_tokens is the "
                    + "closest measure of batch memory.")
        case .runningRequests:
            .metric(MetricAlias(names: ["tgi_batch_current_size"], kind: .gauge, unit: .requests))
        case .waitingRequests:
            .metric(MetricAlias(names: ["tgi_queue_size"], kind: .gauge, unit: .requests))
        case .generatedTokensTotal:
            .metric(
                MetricAlias(
                    names: ["tgi_request_generated_tokens_sum"], kind: .counter, unit: .tokens,
                    note: "The _sum series of the per-request histogram tgi_request_generated_tokens."))
        case .promptTokensTotal:
            .metric(
                MetricAlias(
                    names: ["tgi_request_input_length_sum"], kind: .counter, unit: .tokens,
                    note: "The _sum series of the per-request histogram tgi_request_input_length."))
        case .requestsTotal:
            .metric(MetricAlias(names: ["tgi_request_count"], kind: .counter, unit: .requests))
        case .acceleratorMemoryUsedBytes, .acceleratorMemoryTotalBytes:
            .unavailable(reason: "TGI exports no memory gauges; use DCGM's DCGM_FI_DEV_FB_USED.")
        }
    }

    // MARK: SGLang (python/sglang/srt/metrics/collector.py)

    private static func sglang(_ metric: NeutralMetric) -> MetricAliasLookup {
        switch metric {
        case .queueWaitSeconds:
            .metric(MetricAlias(names: ["sglang:queue_time_seconds"], kind: .histogram, unit: .seconds))
        case .timeToFirstTokenSeconds:
            .metric(MetricAlias(names: ["sglang:time_to_first_token_seconds"], kind: .histogram, unit: .seconds))
        case .interTokenLatencySeconds:
            .metric(
                MetricAlias(
                    names: ["sglang:inter_token_latency_seconds", "sglang:time_per_output_token_seconds"],
                    kind: .histogram, unit: .seconds,
                    note: "Older releases export only sglang:time_per_output_token_seconds."))
        case .requestDurationSeconds:
            .metric(MetricAlias(names: ["sglang:e2e_request_latency_seconds"], kind: .histogram, unit: .seconds))
        case .kvCacheUsageRatio:
            .metric(
                MetricAlias(
                    names: ["sglang:token_usage"], kind: .gauge, unit: .ratio,
                    note: "Share of the KV token pool in use, 0–1."))
        case .runningRequests:
            .metric(MetricAlias(names: ["sglang:num_running_reqs"], kind: .gauge, unit: .requests))
        case .waitingRequests:
            .metric(MetricAlias(names: ["sglang:num_queue_reqs"], kind: .gauge, unit: .requests))
        case .generatedTokensTotal:
            .metric(MetricAlias(names: ["sglang:generation_tokens_total"], kind: .counter, unit: .tokens))
        case .promptTokensTotal:
            .metric(MetricAlias(names: ["sglang:prompt_tokens_total"], kind: .counter, unit: .tokens))
        case .requestsTotal:
            .metric(MetricAlias(names: ["sglang:num_requests_total"], kind: .counter, unit: .requests))
        case .acceleratorMemoryUsedBytes, .acceleratorMemoryTotalBytes:
            .unavailable(
                reason: "SGLang exports no memory gauges; use ${kv_cache_usage_ratio} "
                    + "(sglang:token_usage) or DCGM's DCGM_FI_DEV_FB_USED.")
        }
    }
}
