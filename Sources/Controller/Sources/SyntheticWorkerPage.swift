public import PromText

/// A realistic worker metrics page in the shape of the worker metrics contract (DESIGN.md): latency histograms,
/// queue and batch gauges, token and request counters, `ballast_model_info` and `process_*`, every sample
/// labelled `model` and `version`; counters and histogram counts advance with `step`.
///
/// Stand-in targets for `ballast bench controller` and for tests that compare metrics sources.
public enum SyntheticWorkerPage {
    /// Upper bounds of the latency histograms, in seconds.
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// The families of worker `worker`'s page at scrape `step`.
    ///
    /// - Parameters:
    ///   - series: series the page should hold; per-kernel counters pad the contract's ~200 series up to it.
    ///     Default 300.
    ///   - timestampMilliseconds: written on every sample when given (pages with explicit timestamps), else none.
    ///   - queueWaitScale: a quarter of the longest queue wait, in seconds; waits spread evenly below four times it,
    ///     so the p95 is 3.8 times it. Default `nil`: 0.2 s plus 0.01 s per step, up to 0.29 s.
    ///   - slowQueueWaits: extra queue waits between 1 and 2.5 s on top of the counts, so one worker's page can
    ///     push a fleet's `queue_p95` above 1 s. Default 0.
    public static func families(
        worker: Int, step: Int, series: Int = 300, timestampMilliseconds: Int64? = nil,
        queueWaitScale: Double? = nil, slowQueueWaits: Double = 0
    ) -> [MetricFamily] {
        let identity: [Label] = [Label("model", "smollm2-135m"), Label("version", "v1")]
        let s = Double(step)
        let w = Double(worker % 7 + 1)
        var families: [MetricFamily] = []
        var count = 0

        func labels(_ extra: [Label] = []) -> Labels { Labels(identity + extra) }
        func add(_ name: String, _ type: MetricType, _ help: String, _ samples: [Sample]) {
            let stamped = samples.map { sample -> Sample in
                var sample = sample
                sample.timestampMilliseconds = timestampMilliseconds
                return sample
            }
            families.append(MetricFamily(name: name, type: type, help: help, samples: stamped))
            count += samples.count
        }
        func histogram(_ name: String, _ help: String, extra: [Label] = [], scale: Double) -> [Sample] {
            let total = s * 10 * w
            var samples: [Sample] = []
            for bound in bounds {
                let share = min(1, bound / (scale * 4))
                samples.append(
                    Sample(
                        name: name + "_bucket",
                        labels: labels(extra + [Label("le", PromTextWriter.valueText(bound))]),
                        value: (total * share).rounded(.down)))
            }
            samples.append(Sample(name: name + "_bucket", labels: labels(extra + [Label("le", "+Inf")]), value: total))
            samples.append(Sample(name: name + "_sum", labels: labels(extra), value: total * scale))
            samples.append(Sample(name: name + "_count", labels: labels(extra), value: total))
            return samples
        }

        var queueWait = histogram("ballast_queue_wait_seconds", "", scale: queueWaitScale ?? 0.2 + 0.01 * Double(step % 10))
        if slowQueueWaits > 0 {
            for index in queueWait.indices {
                let sample = queueWait[index]
                let bound = sample.labels["le"].flatMap { $0 == "+Inf" ? Double.infinity : Double($0) }
                if sample.name.hasSuffix("_bucket"), let bound, bound < 2.5 { continue }
                let extra = sample.name.hasSuffix("_sum") ? slowQueueWaits * 2 : slowQueueWaits
                queueWait[index].value += extra
            }
        }
        add("ballast_queue_wait_seconds", .histogram, "Admission to first scheduled step.", queueWait)
        add(
            "ballast_time_to_first_token_seconds", .histogram, "Time to first token.",
            histogram("ballast_time_to_first_token_seconds", "", scale: 0.3))
        add(
            "ballast_inter_token_latency_seconds", .histogram, "Time between tokens.",
            histogram("ballast_inter_token_latency_seconds", "", scale: 0.02))
        add(
            "ballast_request_duration_seconds", .histogram, "Request duration.",
            histogram("ballast_request_duration_seconds", "", scale: 0.8))
        add(
            "http_request_duration_seconds", .histogram, "HTTP request duration.",
            ["/v1/chat/completions", "/v1/completions", "/metrics"].flatMap {
                histogram("http_request_duration_seconds", "", extra: [Label("path", $0)], scale: 0.5)
            })
        add(
            "ballast_step_duration_seconds", .histogram, "Engine step duration.",
            ["prefill", "decode"].flatMap {
                histogram("ballast_step_duration_seconds", "", extra: [Label("phase", $0)], scale: 0.01)
            })
        let gauges: [(String, Double)] = [
            ("ballast_queue_depth", Double((step + worker) % 9)),
            ("ballast_running_requests", Double((step + worker) % 5)),
            ("ballast_batch_size", Double((step * 3 + worker) % 32)),
            ("ballast_kv_cache_usage_ratio", Double((step + worker) % 100) / 100),
            ("ballast_kv_cache_fragmentation_ratio", 0.01 * Double(worker % 4)),
            ("ballast_accelerator_memory_used_bytes", 1.5e9 + 1e7 * Double(step % 20)),
            ("ballast_accelerator_memory_total_bytes", 4e9),
        ]
        for (name, value) in gauges {
            add(name, .gauge, "Gauge of the worker contract.", [Sample(name: name, labels: labels(), value: value)])
        }
        add(
            "ballast_prompt_tokens", .counter, "Prompt tokens processed.",
            [Sample(name: "ballast_prompt_tokens_total", labels: labels(), value: s * 400 * w)])
        add(
            "ballast_generated_tokens", .counter, "Tokens generated.",
            [Sample(name: "ballast_generated_tokens_total", labels: labels(), value: s * 250 * w)])
        add(
            "ballast_requests", .counter, "Requests finished, by status.",
            [("ok", 9.0), ("error", 0.1), ("cancelled", 0.05)].map {
                Sample(name: "ballast_requests_total", labels: labels([Label("status", $0.0)]), value: (s * $0.1 * w).rounded(.down))
            })
        add(
            "ballast_requests_rejected", .counter, "Requests rejected, by reason.",
            ["queue_full", "too_long", "invalid"].map {
                Sample(name: "ballast_requests_rejected_total", labels: labels([Label("reason", $0)]), value: Double(step / 5))
            })
        add(
            "ballast_model_info", .gauge, "The model this worker serves.",
            [Sample(name: "ballast_model_info", labels: labels([Label("quant", "q4_1"), Label("shards", "1")]), value: 1)])
        let process: [(String, MetricType, Double)] = [
            ("process_cpu_seconds_total", .counter, s * 1.7),
            ("process_resident_memory_bytes", .gauge, 2.1e9),
            ("process_virtual_memory_bytes", .gauge, 5.3e9),
            ("process_open_fds", .gauge, 42),
            ("process_max_fds", .gauge, 65_536),
            ("process_start_time_seconds", .gauge, 1.7e9),
        ]
        for (name, type, value) in process {
            let family = type == .counter ? String(name.dropLast("_total".count)) : name
            add(family, type, "Process metric.", [Sample(name: name, labels: labels(), value: value)])
        }
        let padding = max(0, series - count)
        if padding > 0 {
            add(
                "ballast_kernel_seconds", .counter, "Time spent per kernel.",
                (0..<padding).map {
                    Sample(
                        name: "ballast_kernel_seconds_total", labels: labels([Label("kernel", "k\($0)")]),
                        value: s * 0.001 * Double($0 + 1))
                })
        }
        return families
    }

    /// The page as bytes in Prometheus text format; see
    /// ``families(worker:step:series:timestampMilliseconds:queueWaitScale:slowQueueWaits:)``.
    public static func bytes(
        worker: Int, step: Int, series: Int = 300, timestampMilliseconds: Int64? = nil,
        queueWaitScale: Double? = nil, slowQueueWaits: Double = 0
    ) -> [UInt8] {
        var buffer: [UInt8] = []
        PromTextWriter.emit(
            families(
                worker: worker, step: step, series: series, timestampMilliseconds: timestampMilliseconds,
                queueWaitScale: queueWaitScale, slowQueueWaits: slowQueueWaits),
            into: &buffer)
        return buffer
    }
}
