/// The Prometheus type of a metric as a policy reads it.
public enum MetricKind: String, Hashable, Sendable, CaseIterable {
    /// Only goes up; read it through `rate()`.
    case counter
    /// A value that goes up and down; read it directly.
    case gauge
    /// Buckets, sum and count; read it through `histogram_quantile()` over `_bucket`.
    case histogram
}

/// The unit of a metric's or signal's value, so thresholds can be checked against it.
public enum MetricUnit: String, Hashable, Sendable, CaseIterable {
    /// Seconds; a threshold of 500 on it means 500 s, not 500 ms.
    case seconds
    /// A share from 0 to 1; a threshold of 85 on it can never be crossed.
    case ratio
    /// A share from 0 to 100.
    case percent
    /// Tokens (counters of prompt or generated tokens).
    case tokens
    /// Requests (queue lengths, running requests, finished requests).
    case requests
    /// Bytes.
    case bytes
}

extension NeutralMetric {
    /// How the metric is exposed on every engine; engines whose native metric differs in kind are mapped
    /// to a series that has this kind (TGI's token histograms are read through their `_sum` counter).
    public var kind: MetricKind {
        switch self {
        case .queueWaitSeconds, .timeToFirstTokenSeconds, .interTokenLatencySeconds, .requestDurationSeconds:
            .histogram
        case .kvCacheUsageRatio, .runningRequests, .waitingRequests, .acceleratorMemoryUsedBytes,
            .acceleratorMemoryTotalBytes:
            .gauge
        case .generatedTokensTotal, .promptTokensTotal, .requestsTotal:
            .counter
        }
    }

    /// Unit of the metric's value (of the observed value for histograms).
    public var unit: MetricUnit {
        switch self {
        case .queueWaitSeconds, .timeToFirstTokenSeconds, .interTokenLatencySeconds, .requestDurationSeconds:
            .seconds
        case .kvCacheUsageRatio:
            .ratio
        case .runningRequests, .waitingRequests, .requestsTotal:
            .requests
        case .generatedTokensTotal, .promptTokensTotal:
            .tokens
        case .acceleratorMemoryUsedBytes, .acceleratorMemoryTotalBytes:
            .bytes
        }
    }
}
