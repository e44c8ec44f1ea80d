/// The PromQL functions Ballast evaluates, with their argument and result types.
enum Function: String, Sendable, Hashable, CaseIterable {
    case rate, irate, increase, delta, idelta
    case avgOverTime = "avg_over_time", maxOverTime = "max_over_time", minOverTime = "min_over_time"
    case sumOverTime = "sum_over_time", countOverTime = "count_over_time", lastOverTime = "last_over_time"
    case histogramQuantile = "histogram_quantile"
    case clampMin = "clamp_min", clampMax = "clamp_max", clamp
    case scalar, vector, abs, ceil, floor, sqrt, exp, ln, time

    var arguments: [ValueType] {
        switch self {
        case .rate, .irate, .increase, .delta, .idelta, .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime,
            .countOverTime, .lastOverTime:
            [.matrix]
        case .histogramQuantile: [.scalar, .vector]
        case .clampMin, .clampMax: [.vector, .scalar]
        case .clamp: [.vector, .scalar, .scalar]
        case .scalar, .abs, .ceil, .floor, .sqrt, .exp, .ln: [.vector]
        case .vector: [.scalar]
        case .time: []
        }
    }

    /// Whether the function reads a range selector and gives one value per series.
    var readsRange: Bool { arguments == [.matrix] }

    /// Whether the function's series keep their metric name: `last_over_time` is the one range function that does.
    var keepsMetricName: Bool { self == .lastOverTime }

    var returns: ValueType {
        switch self {
        case .scalar, .time: .scalar
        default: .vector
        }
    }

    /// Prometheus functions that exist but that Ballast does not evaluate; naming them gives a clear error.
    static let unsupported: Set<String> = [
        "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "changes", "cos", "cosh",
        "count_values", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "deriv",
        "holt_winters", "hour", "label_join", "label_replace", "log10", "log2", "minute", "month", "pi",
        "predict_linear", "present_over_time", "quantile_over_time", "rad", "resets", "round", "sgn", "sin", "sinh",
        "sort", "sort_desc", "stddev_over_time", "stdvar_over_time", "tan", "tanh", "timestamp", "year",
        "double_exponential_smoothing", "histogram_count", "histogram_sum", "histogram_fraction",
        "histogram_stddev", "histogram_stdvar", "histogram_avg", "mad_over_time", "limitk", "limit_ratio",
        "info", "sort_by_label", "sort_by_label_desc", "ts_of_max_over_time", "ts_of_min_over_time",
    ]
}
