import BallastCore
import Testing

struct MetricAliasesTests {
    /// Spot checks against the engines' sources (see ``MetricAliases``).
    @Test(arguments: [
        (
            MetricsEngine.vllm, NeutralMetric.kvCacheUsageRatio,
            ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"]
        ),
        (.vllm, .queueWaitSeconds, ["vllm:request_queue_time_seconds"]),
        (.vllm, .interTokenLatencySeconds, ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"]),
        (.vllm, .requestDurationSeconds, ["vllm:e2e_request_latency_seconds"]),
        (.vllm, .waitingRequests, ["vllm:num_requests_waiting"]),
        (.vllm, .runningRequests, ["vllm:num_requests_running"]),
        (.vllm, .generatedTokensTotal, ["vllm:generation_tokens_total"]),
        (.vllm, .promptTokensTotal, ["vllm:prompt_tokens_total"]),
        (.vllm, .requestsTotal, ["vllm:request_success_total"]),
        (.llamacpp, .runningRequests, ["llamacpp:requests_processing"]),
        (.llamacpp, .waitingRequests, ["llamacpp:requests_deferred"]),
        (.llamacpp, .kvCacheUsageRatio, ["llamacpp:kv_cache_usage_ratio"]),
        (.llamacpp, .generatedTokensTotal, ["llamacpp:tokens_predicted_total"]),
        (.tgi, .waitingRequests, ["tgi_queue_size"]),
        (.tgi, .runningRequests, ["tgi_batch_current_size"]),
        (.tgi, .queueWaitSeconds, ["tgi_request_queue_duration"]),
        (.tgi, .generatedTokensTotal, ["tgi_request_generated_tokens_sum"]),
        (.sglang, .waitingRequests, ["sglang:num_queue_reqs"]),
        (.sglang, .kvCacheUsageRatio, ["sglang:token_usage"]),
        (.sglang, .timeToFirstTokenSeconds, ["sglang:time_to_first_token_seconds"]),
        (.ballast, .waitingRequests, ["ballast_queue_depth"]),
        (.ballast, .queueWaitSeconds, ["ballast_queue_wait_seconds"]),
    ])
    func engineNames(engine: MetricsEngine, metric: NeutralMetric, names: [String]) {
        #expect(MetricAliases.lookup(metric, engine: engine).alias?.names == names)
    }

    @Test(arguments: [
        (MetricsEngine.llamacpp, NeutralMetric.queueWaitSeconds), (.llamacpp, .timeToFirstTokenSeconds),
        (.llamacpp, .requestsTotal), (.tgi, .timeToFirstTokenSeconds), (.tgi, .kvCacheUsageRatio),
        (.vllm, .acceleratorMemoryUsedBytes), (.sglang, .acceleratorMemoryTotalBytes),
    ])
    func missingMetricsSayWhy(engine: MetricsEngine, metric: NeutralMetric) {
        guard case .unavailable(let reason) = MetricAliases.lookup(metric, engine: engine) else {
            Issue.record("\(engine) should have no \(metric)")
            return
        }
        #expect(reason.hasSuffix("."))
        #expect(reason.count > 30)
    }

    /// Every alias agrees with the neutral metric's kind and unit, and every name is a valid metric name.
    @Test(arguments: MetricsEngine.allCases)
    func aliasesAgreeWithNeutralKindAndUnit(engine: MetricsEngine) {
        for metric in NeutralMetric.allCases {
            guard let alias = MetricAliases.lookup(metric, engine: engine).alias else { continue }
            #expect(alias.kind == metric.kind, "\(engine) \(metric)")
            #expect(alias.unit == metric.unit, "\(engine) \(metric)")
            for name in alias.names {
                #expect(name.allSatisfy { $0 == "_" || $0 == ":" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
            }
        }
        if engine == .ballast {
            #expect(NeutralMetric.allCases.allSatisfy { MetricAliases.lookup($0, engine: .ballast).alias != nil })
        }
    }

    @Test(arguments: [
        (
            "max(${kv_cache_usage_ratio})", MetricsEngine.vllm,
            "max({__name__=~\"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc\"})"
        ),
        (
            "max(${kv_cache_usage_ratio}{model_name=\"x\"})", .vllm,
            "max({__name__=~\"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc\",model_name=\"x\"})"
        ),
        (
            "rate(${queue_wait_seconds}_bucket{model=\"a}b\"}[1m])", .vllm,
            "rate(vllm:request_queue_time_seconds_bucket{model=\"a}b\"}[1m])"
        ),
        (
            "histogram_quantile(0.9, sum by (le) (rate(${inter_token_latency_seconds}_bucket[1m])))", .sglang,
            "histogram_quantile(0.9, sum by (le) (rate({__name__=~\"sglang:inter_token_latency_seconds_bucket|sglang:time_per_output_token_seconds_bucket\"}[1m])))"
        ),
        (
            "sum(${waiting_requests}) / sum(${running_requests})", .ballast,
            "sum(ballast_queue_depth) / sum(ballast_running_requests)"
        ),
        ("sum(${waiting_requests})", .tgi, "sum(tgi_queue_size)"),
        ("no placeholders, $ alone and {braces}", .llamacpp, "no placeholders, $ alone and {braces}"),
    ])
    func placeholdersResolve(query: String, engine: MetricsEngine, resolved: String) throws {
        #expect(try MetricAliases.resolve(query, engine: engine) == resolved)
    }

    @Test func unresolvablePlaceholdersThrowWithTheirOffset() {
        #expect(
            throws: MetricPlaceholderError(
                reason: .unknownName("queue_wait", suggestion: "queue_wait_seconds"), offset: 4)
        ) {
            try MetricAliases.resolve("max(${queue_wait})", engine: .ballast)
        }
        #expect(throws: MetricPlaceholderError(reason: .unterminated, offset: 2)) {
            try MetricAliases.resolve("1+${x", engine: .ballast)
        }
        let reason = MetricAliases.lookup(.requestsTotal, engine: .llamacpp)
        guard case .unavailable(let text) = reason else { return }
        #expect(
            throws: MetricPlaceholderError(reason: .unavailable(.requestsTotal, .llamacpp, reason: text), offset: 5)
        ) {
            try MetricAliases.resolve("rate(${requests_total}[1m])", engine: .llamacpp)
        }
    }

    @Test func placeholdersAreListedInOrder() {
        let found = MetricAliases.placeholders(in: "${running_requests} / ${nope} + ${waiting_requests}")
        #expect(
            found == [
                MetricPlaceholder(name: "running_requests", metric: .runningRequests, offset: 0),
                MetricPlaceholder(name: "nope", metric: nil, offset: 22),
                MetricPlaceholder(name: "waiting_requests", metric: .waitingRequests, offset: 32),
            ])
    }

    @Test func selectorsForRenamedAndMissingMetrics() {
        #expect(
            MetricAliases.selector(for: .kvCacheUsageRatio, engine: .vllm)
                == "{__name__=~\"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc\"}")
        #expect(
            MetricAliases.selector(for: .queueWaitSeconds, engine: .tgi, suffix: "_count", matchers: "a=\"1\"")
                == "tgi_request_queue_duration_count{a=\"1\"}")
        #expect(MetricAliases.selector(for: .queueWaitSeconds, engine: .llamacpp) == nil)
    }

    @Test func presenceReportsMatchedSpellingAndMissingNames() {
        let references: [MetricReference] = [
            .neutral(.kvCacheUsageRatio), .neutral(.queueWaitSeconds), .literal("vllm:num_requests_waiting"),
            .literal("vllm:e2e_request_latency_seconds_bucket"), .literal("vllm:num_requests_swapped"),
            .neutral(.acceleratorMemoryUsedBytes), .neutral(.kvCacheUsageRatio),
        ]
        // An old vLLM: only the deprecated cache gauge; histograms listed by family name.
        let page = [
            "vllm:gpu_cache_usage_perc", "vllm:num_requests_waiting", "vllm:e2e_request_latency_seconds",
            "vllm:request_queue_time_seconds_bucket", "vllm:request_queue_time_seconds_sum",
        ]
        let report = MetricAliases.presence(of: references, engine: .vllm, pageNames: page)
        #expect(
            report.entries.map(\.matched) == [
                "vllm:gpu_cache_usage_perc", "vllm:request_queue_time_seconds", "vllm:num_requests_waiting",
                "vllm:e2e_request_latency_seconds_bucket", nil, nil,
            ])
        #expect(
            report.missing.map(\.reference) == [
                .literal("vllm:num_requests_swapped"), .neutral(.acceleratorMemoryUsedBytes),
            ])
        #expect(report.missing.last?.unavailableReason != nil)
        #expect(!report.isComplete)
        #expect(MetricAliases.presence(of: [.neutral(.kvCacheUsageRatio)], engine: .vllm, pageNames: page).isComplete)
    }

    @Test(
        arguments: [
            ("replica", ["replicas", "minReplicas"], "replicas"),
            ("maxReplica", ["minReplicas", "maxReplicas"], "maxReplicas"),
            ("kv_cache_usage", ["kv_cache_usage_ratio"], "kv_cache_usage_ratio"), ("xyz", ["signals", "rules"], nil),
            ("SCALE", ["scale", "shard"], "scale"),
        ] as [(String, [String], String?)])
    func suggestions(word: String, candidates: [String], expected: String?) {
        #expect(Spelling.closest(to: word, among: candidates) == expected)
    }

    @Test(arguments: [("kitten", "sitting", 3), ("", "abc", 3), ("same", "same", 0), ("flaw", "lawn", 2)])
    func editDistance(a: String, b: String, distance: Int) {
        #expect(Spelling.distance(a, b) == distance)
    }
}
