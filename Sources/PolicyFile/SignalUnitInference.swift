import BallastCore

/// Works out the unit of a signal's value from its query, so thresholds that look like milliseconds on a
/// seconds-valued signal, or like percentages on a ratio, can be caught while the file is read.
///
/// The inference is conservative: when it is unsure it returns `nil`, and the threshold is taken as written.
/// A signal can state its unit with `{query: …, unit: ratio}`.
enum SignalUnitInference {
    static func unit(ofQuery query: String, checker: any QueryChecking) -> MetricUnit? {
        let neutral = MetricAliases.placeholders(in: query).compactMap(\.metric)
        let literal = checker.metricNames(in: PolicyDecoder.maskingPlaceholders(query))
            .filter { !$0.allSatisfy { $0 == "_" } }
        let compact = String(query.filter { !$0.isWhitespace })
        let scaledBy100 = compact.contains("*100") || compact.contains("100*")

        let known = literal.compactMap(knownUnit)
        let readsSeconds =
            neutral.contains { $0.unit == .seconds } || known.contains(.seconds)
            || literal.contains { $0.contains("_seconds") && !$0.hasSuffix("_seconds_total") }
        if readsSeconds
            && (compact.contains("histogram_quantile(") || compact.contains("_seconds_sum")
                || compact.contains("}_sum") || query.contains("_sum["))
        {
            return .seconds
        }
        let ratioNames = literal.contains {
            $0.hasSuffix("_ratio") || $0.hasSuffix("_perc") || $0 == "sglang:token_usage"
        }
        let bytesShare =
            literal.contains { $0.hasSuffix("_used_bytes") } && literal.contains { $0.hasSuffix("_total_bytes") }
            && compact.contains("/")
        let neutralRatio = neutral.contains { $0.unit == .ratio } || known.contains(.ratio)
        let neutralBytesShare =
            neutral.contains(.acceleratorMemoryUsedBytes) && neutral.contains(.acceleratorMemoryTotalBytes)
        if ratioNames || bytesShare || neutralRatio || neutralBytesShare {
            return scaledBy100 ? .percent : .ratio
        }
        // DCGM reports GPU utilisation from 0 to 100.
        if literal.contains("DCGM_FI_DEV_GPU_UTIL") { return .percent }
        return nil
    }

    /// Units of every engine's metric names from the alias table, so names without a unit suffix
    /// (TGI's `tgi_request_duration`) and misleading ones (vLLM's `_perc` ratios) are known too.
    private static let unitsByName: [String: MetricUnit] = {
        var units: [String: MetricUnit] = [:]
        for engine in MetricsEngine.allCases {
            for metric in NeutralMetric.allCases {
                guard let alias = MetricAliases.lookup(metric, engine: engine).alias else { continue }
                for name in alias.names { units[name] = alias.unit }
            }
        }
        return units
    }()

    /// The unit of a literal series name, looking through histogram suffixes.
    static func knownUnit(_ name: String) -> MetricUnit? {
        if let unit = unitsByName[name] { return unit }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            if let unit = unitsByName[String(name.dropLast(suffix.count))] {
                return suffix == "_count" ? .requests : unit
            }
        }
        return nil
    }
}
