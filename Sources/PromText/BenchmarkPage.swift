/// A deterministic exposition page for benchmarks: what one scrape of a busy vLLM worker and its host's
/// node-exporter look like, repeated over more workers until the page reaches the requested size.
public enum BenchmarkPage {
    /// A page of about `targetBytes` bytes (at least one worker block, and whole blocks only).
    ///
    /// Built from counters, gauges, many-bucket histograms and a summary with `model_name`, `le`, `quantile`
    /// and per-CPU labels; the same size always gives the same bytes, so results compare across runs.
    /// - Parameter targetBytes: wanted size; default 1 MB, about a large worker's full page.
    public static func make(targetBytes: Int = 1_000_000) -> [UInt8] {
        var page: [UInt8] = []
        page.reserveCapacity(targetBytes + 64 << 10)
        var families: [MetricFamily] = []
        var worker = 0
        while page.count < targetBytes {
            families = workerFamilies(worker)
            PromTextWriter.emit(families, into: &page)
            worker += 1
        }
        return page
    }

    /// The families of one simulated worker; names carry the worker number so the page has no duplicates.
    static func workerFamilies(_ worker: Int) -> [MetricFamily] {
        var random = SplitMix(seed: UInt64(worker) &+ 0x5EED)
        let models = ["meta-llama/Llama-3.1-8B-Instruct", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]
        let prefix = worker == 0 ? "" : "w\(worker)_"
        var families: [MetricFamily] = []

        func base(_ model: String) -> Labels { ["model_name": model, "engine": "0"] }

        for (name, help) in [
            ("vllm:num_requests_running", "Number of requests currently running on GPU."),
            ("vllm:num_requests_waiting", "Number of requests waiting to be processed."),
            ("vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage."),
        ] {
            families.append(
                MetricFamily(
                    name: prefix + name, type: .gauge, help: help,
                    samples: models.map {
                        Sample(
                            name: prefix + name, labels: base($0),
                            value: name.hasSuffix("_perc")
                                ? Double(random.next() % 1000) / 1000 : Double(random.next() % 64))
                    }))
        }
        for (name, help) in [
            ("vllm:prompt_tokens_total", "Number of prefill tokens processed."),
            ("vllm:generation_tokens_total", "Number of generation tokens processed."),
        ] {
            families.append(
                MetricFamily(
                    name: prefix + name, type: .counter, help: help,
                    samples: models.map {
                        Sample(name: prefix + name, labels: base($0), value: Double(random.next() % 10_000_000))
                    }))
        }
        let latencyBounds = [
            0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
            10.0, 20.0, 40.0, 80.0,
        ]
        let tokenBounds = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0]
        for (name, help, bounds) in [
            ("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", latencyBounds),
            ("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.", latencyBounds),
            ("vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", latencyBounds),
            ("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", latencyBounds),
            ("vllm:request_prompt_tokens", "Number of prefill tokens processed.", tokenBounds),
            ("vllm:request_generation_tokens", "Number of generation tokens processed.", tokenBounds),
        ] {
            var samples: [Sample] = []
            for model in models {
                var cumulative = 0.0
                for bound in bounds + [.infinity] {
                    cumulative += Double(random.next() % 500)
                    var labels = base(model)
                    labels["le"] = bound.isInfinite ? "+Inf" : PromTextWriter.valueText(bound)
                    samples.append(Sample(name: prefix + name + "_bucket", labels: labels, value: cumulative))
                }
                samples.append(
                    Sample(
                        name: prefix + name + "_sum", labels: base(model),
                        value: cumulative * Double(random.next() % 1000) / 997))
                samples.append(Sample(name: prefix + name + "_count", labels: base(model), value: cumulative))
            }
            families.append(MetricFamily(name: prefix + name, type: .histogram, help: help, samples: samples))
        }
        var cpuSamples: [Sample] = []
        for cpu in 0..<16 {
            for mode in ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"] {
                cpuSamples.append(
                    Sample(
                        name: prefix + "node_cpu_seconds_total",
                        labels: ["cpu": String(cpu), "mode": mode],
                        value: Double(random.next() % 100_000_000) / 100))
            }
        }
        families.append(
            MetricFamily(
                name: prefix + "node_cpu_seconds_total", type: .counter,
                help: "Seconds the CPUs spent in each mode.", samples: cpuSamples))
        var filesystem: [Sample] = []
        for (device, mount) in [("/dev/nvme0n1p2", "/"), ("/dev/nvme0n1p1", "/boot/efi"), ("tmpfs", "/run")] {
            filesystem.append(
                Sample(
                    name: prefix + "node_filesystem_avail_bytes",
                    labels: ["device": device, "fstype": device == "tmpfs" ? "tmpfs" : "ext4", "mountpoint": mount],
                    value: Double(random.next() % 500_000_000_000)))
        }
        families.append(
            MetricFamily(
                name: prefix + "node_filesystem_avail_bytes", type: .gauge,
                help: "Filesystem space available to non-root users in bytes.", samples: filesystem))
        let quantiles = ["0", "0.25", "0.5", "0.75", "1"]
        var gcSamples = quantiles.map {
            Sample(
                name: prefix + "go_gc_duration_seconds", labels: ["quantile": $0],
                value: Double(random.next() % 100_000) * 1e-7)
        }
        gcSamples.append(Sample(name: prefix + "go_gc_duration_seconds_sum", value: 0.123456789))
        gcSamples.append(Sample(name: prefix + "go_gc_duration_seconds_count", value: 4242))
        families.append(
            MetricFamily(
                name: prefix + "go_gc_duration_seconds", type: .summary,
                help: "A summary of the pause duration of garbage collection cycles.", samples: gcSamples))
        return families
    }
}

/// SplitMix64: a tiny deterministic generator, so benchmark pages do not depend on the platform's random source.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return ByteHash.mix(state &- 0x9e37_79b9_7f4a_7c15)
    }
}
