/// Small `/metrics` pages in each engine's spelling, one series per metric, for presence checks.
/// Names follow the engines' sources (see `MetricAliases`); two vLLM pages bracket its renames.
enum EnginePages {
    static let ballast = """
        # TYPE ballast_queue_wait_seconds histogram
        ballast_queue_wait_seconds_bucket{le="0.5"} 3
        ballast_queue_wait_seconds_bucket{le="+Inf"} 4
        ballast_queue_wait_seconds_sum 1.5
        ballast_queue_wait_seconds_count 4
        # TYPE ballast_time_to_first_token_seconds histogram
        ballast_time_to_first_token_seconds_bucket{le="0.5"} 3
        ballast_time_to_first_token_seconds_bucket{le="+Inf"} 4
        ballast_time_to_first_token_seconds_sum 1.5
        ballast_time_to_first_token_seconds_count 4
        # TYPE ballast_request_duration_seconds histogram
        ballast_request_duration_seconds_bucket{le="0.5"} 3
        ballast_request_duration_seconds_bucket{le="+Inf"} 4
        ballast_request_duration_seconds_sum 1.5
        ballast_request_duration_seconds_count 4
        # TYPE ballast_inter_token_latency_seconds histogram
        ballast_inter_token_latency_seconds_bucket{le="0.5"} 3
        ballast_inter_token_latency_seconds_bucket{le="+Inf"} 4
        ballast_inter_token_latency_seconds_sum 1.5
        ballast_inter_token_latency_seconds_count 4
        # TYPE ballast_queue_depth gauge
        ballast_queue_depth 1
        # TYPE ballast_running_requests gauge
        ballast_running_requests 1
        # TYPE ballast_batch_size gauge
        ballast_batch_size 1
        # TYPE ballast_prompt_tokens_total counter
        ballast_prompt_tokens_total 1
        # TYPE ballast_generated_tokens_total counter
        ballast_generated_tokens_total 1
        # TYPE ballast_requests_total counter
        ballast_requests_total 1
        # TYPE ballast_requests_rejected_total counter
        ballast_requests_rejected_total 1
        # TYPE ballast_kv_cache_usage_ratio gauge
        ballast_kv_cache_usage_ratio 1
        # TYPE ballast_kv_cache_fragmentation_ratio gauge
        ballast_kv_cache_fragmentation_ratio 1
        # TYPE ballast_accelerator_memory_used_bytes gauge
        ballast_accelerator_memory_used_bytes 1
        # TYPE ballast_accelerator_memory_total_bytes gauge
        ballast_accelerator_memory_total_bytes 1
        # TYPE ballast_model_info gauge
        ballast_model_info 1
        """

    static let llamacpp = """
        # TYPE llamacpp:prompt_tokens_total counter
        llamacpp:prompt_tokens_total 1
        # TYPE llamacpp:prompt_seconds_total counter
        llamacpp:prompt_seconds_total 1
        # TYPE llamacpp:tokens_predicted_total counter
        llamacpp:tokens_predicted_total 1
        # TYPE llamacpp:tokens_predicted_seconds_total counter
        llamacpp:tokens_predicted_seconds_total 1
        # TYPE llamacpp:n_decode_total counter
        llamacpp:n_decode_total 1
        # TYPE llamacpp:prompt_tokens_seconds gauge
        llamacpp:prompt_tokens_seconds 1
        # TYPE llamacpp:predicted_tokens_seconds gauge
        llamacpp:predicted_tokens_seconds 1
        # TYPE llamacpp:requests_processing gauge
        llamacpp:requests_processing 1
        # TYPE llamacpp:requests_deferred gauge
        llamacpp:requests_deferred 1
        # TYPE llamacpp:n_busy_slots_per_decode gauge
        llamacpp:n_busy_slots_per_decode 1
        """

    static let sglang = """
        # TYPE sglang:num_running_reqs gauge
        sglang:num_running_reqs 1
        # TYPE sglang:num_queue_reqs gauge
        sglang:num_queue_reqs 1
        # TYPE sglang:token_usage gauge
        sglang:token_usage 1
        # TYPE sglang:prompt_tokens_total counter
        sglang:prompt_tokens_total 1
        # TYPE sglang:generation_tokens_total counter
        sglang:generation_tokens_total 1
        # TYPE sglang:num_requests_total counter
        sglang:num_requests_total 1
        # TYPE sglang:time_to_first_token_seconds histogram
        sglang:time_to_first_token_seconds_bucket{le="0.5"} 3
        sglang:time_to_first_token_seconds_bucket{le="+Inf"} 4
        sglang:time_to_first_token_seconds_sum 1.5
        sglang:time_to_first_token_seconds_count 4
        # TYPE sglang:inter_token_latency_seconds histogram
        sglang:inter_token_latency_seconds_bucket{le="0.5"} 3
        sglang:inter_token_latency_seconds_bucket{le="+Inf"} 4
        sglang:inter_token_latency_seconds_sum 1.5
        sglang:inter_token_latency_seconds_count 4
        # TYPE sglang:e2e_request_latency_seconds histogram
        sglang:e2e_request_latency_seconds_bucket{le="0.5"} 3
        sglang:e2e_request_latency_seconds_bucket{le="+Inf"} 4
        sglang:e2e_request_latency_seconds_sum 1.5
        sglang:e2e_request_latency_seconds_count 4
        # TYPE sglang:queue_time_seconds histogram
        sglang:queue_time_seconds_bucket{le="0.5"} 3
        sglang:queue_time_seconds_bucket{le="+Inf"} 4
        sglang:queue_time_seconds_sum 1.5
        sglang:queue_time_seconds_count 4
        """

    static let tgi = """
        # TYPE tgi_queue_size gauge
        tgi_queue_size 1
        # TYPE tgi_batch_current_size gauge
        tgi_batch_current_size 1
        # TYPE tgi_batch_current_max_tokens gauge
        tgi_batch_current_max_tokens 1
        # TYPE tgi_request_count counter
        tgi_request_count 1
        # TYPE tgi_request_success counter
        tgi_request_success 1
        # TYPE tgi_request_duration histogram
        tgi_request_duration_bucket{le="0.5"} 3
        tgi_request_duration_bucket{le="+Inf"} 4
        tgi_request_duration_sum 1.5
        tgi_request_duration_count 4
        # TYPE tgi_request_queue_duration histogram
        tgi_request_queue_duration_bucket{le="0.5"} 3
        tgi_request_queue_duration_bucket{le="+Inf"} 4
        tgi_request_queue_duration_sum 1.5
        tgi_request_queue_duration_count 4
        # TYPE tgi_request_mean_time_per_token_duration histogram
        tgi_request_mean_time_per_token_duration_bucket{le="0.5"} 3
        tgi_request_mean_time_per_token_duration_bucket{le="+Inf"} 4
        tgi_request_mean_time_per_token_duration_sum 1.5
        tgi_request_mean_time_per_token_duration_count 4
        # TYPE tgi_request_generated_tokens histogram
        tgi_request_generated_tokens_bucket{le="0.5"} 3
        tgi_request_generated_tokens_bucket{le="+Inf"} 4
        tgi_request_generated_tokens_sum 1.5
        tgi_request_generated_tokens_count 4
        # TYPE tgi_request_input_length histogram
        tgi_request_input_length_bucket{le="0.5"} 3
        tgi_request_input_length_bucket{le="+Inf"} 4
        tgi_request_input_length_sum 1.5
        tgi_request_input_length_count 4
        """

    static let vllmAfterRenames = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running 1
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting 1
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc 1
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total 1
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total 1
        # TYPE vllm:request_success_total counter
        vllm:request_success_total 1
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{le="0.5"} 3
        vllm:time_to_first_token_seconds_bucket{le="+Inf"} 4
        vllm:time_to_first_token_seconds_sum 1.5
        vllm:time_to_first_token_seconds_count 4
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{le="0.5"} 3
        vllm:inter_token_latency_seconds_bucket{le="+Inf"} 4
        vllm:inter_token_latency_seconds_sum 1.5
        vllm:inter_token_latency_seconds_count 4
        # TYPE vllm:e2e_request_latency_seconds histogram
        vllm:e2e_request_latency_seconds_bucket{le="0.5"} 3
        vllm:e2e_request_latency_seconds_bucket{le="+Inf"} 4
        vllm:e2e_request_latency_seconds_sum 1.5
        vllm:e2e_request_latency_seconds_count 4
        # TYPE vllm:request_queue_time_seconds histogram
        vllm:request_queue_time_seconds_bucket{le="0.5"} 3
        vllm:request_queue_time_seconds_bucket{le="+Inf"} 4
        vllm:request_queue_time_seconds_sum 1.5
        vllm:request_queue_time_seconds_count 4
        """

    static let vllmBeforeRenames = """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running 1
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting 1
        # TYPE vllm:gpu_cache_usage_perc gauge
        vllm:gpu_cache_usage_perc 1
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total 1
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total 1
        # TYPE vllm:request_success_total counter
        vllm:request_success_total 1
        # TYPE vllm:time_to_first_token_seconds histogram
        vllm:time_to_first_token_seconds_bucket{le="0.5"} 3
        vllm:time_to_first_token_seconds_bucket{le="+Inf"} 4
        vllm:time_to_first_token_seconds_sum 1.5
        vllm:time_to_first_token_seconds_count 4
        # TYPE vllm:time_per_output_token_seconds histogram
        vllm:time_per_output_token_seconds_bucket{le="0.5"} 3
        vllm:time_per_output_token_seconds_bucket{le="+Inf"} 4
        vllm:time_per_output_token_seconds_sum 1.5
        vllm:time_per_output_token_seconds_count 4
        # TYPE vllm:e2e_request_latency_seconds histogram
        vllm:e2e_request_latency_seconds_bucket{le="0.5"} 3
        vllm:e2e_request_latency_seconds_bucket{le="+Inf"} 4
        vllm:e2e_request_latency_seconds_sum 1.5
        vllm:e2e_request_latency_seconds_count 4
        # TYPE vllm:request_queue_time_seconds histogram
        vllm:request_queue_time_seconds_bucket{le="0.5"} 3
        vllm:request_queue_time_seconds_bucket{le="+Inf"} 4
        vllm:request_queue_time_seconds_sum 1.5
        vllm:request_queue_time_seconds_count 4
        """

    /// Metric names on `page`: family names from `# TYPE` lines and series names from sample lines.
    static func names(on page: String) -> Set<String> {
        var names: Set<String> = []
        for line in page.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 3 { names.insert(String(parts[2])) }
            } else if !line.hasPrefix("#") {
                let end = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
                names.insert(String(line[..<end]))
            }
        }
        return names
    }
}
