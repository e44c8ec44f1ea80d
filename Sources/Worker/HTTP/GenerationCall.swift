import Engine

/// A completion or chat request reduced to what the engine runs and how the answer is shaped.
struct GenerationCall: Sendable {
    enum Kind: Sendable { case completion, chat }

    let kind: Kind
    let request: GenerationRequest
    let stream: Bool
    let includeUsage: Bool
    /// Alternatives per token to report (completions' `logprobs`, chat's `top_logprobs`).
    let topLogprobs: Int

    /// Checks the common fields and builds the engine request.
    static func make(
        kind: Kind, promptTokens: [Int], maxTokens: Int?, defaultMaxTokens: Int, temperature: Double?, topP: Double?,
        topK: Int?, stop: StopInput?, seed: UInt64?, logprobs: Bool, topLogprobs: Int, stream: Bool?,
        streamOptions: StreamOptions?, n: Int?, ignoreEOS: Bool?, limits: WorkerLimits, contextLength: Int
    ) throws(OpenAIError) -> GenerationCall {
        guard (n ?? 1) == 1 else {
            throw .invalid("n (\(n ?? 1)) must be 1; this worker returns one choice per request.", parameter: "n")
        }
        let maximumPrompt = limits.maximumPromptTokens ?? (contextLength - 1)
        guard !promptTokens.isEmpty else { throw .invalid("The prompt is empty; give some text.", parameter: "prompt") }
        guard promptTokens.count <= maximumPrompt else {
            throw .invalid(
                "The prompt is \(promptTokens.count) tokens, above this worker's limit of \(maximumPrompt); shorten it.",
                parameter: kind == .chat ? "messages" : "prompt")
        }
        let tokens = maxTokens ?? min(defaultMaxTokens, contextLength - promptTokens.count)
        guard (1...limits.maximumNewTokens).contains(tokens) else {
            throw .invalid(
                "max_tokens (\(tokens)) must be between 1 and \(limits.maximumNewTokens).", parameter: "max_tokens")
        }
        guard promptTokens.count + tokens <= contextLength else {
            throw .invalid(
                "The prompt (\(promptTokens.count) tokens) plus max_tokens (\(tokens)) is above this worker's context "
                    + "of \(contextLength) tokens; shorten the prompt or lower max_tokens.",
                parameter: "max_tokens")
        }
        let stops = stop?.sequences ?? []
        guard stops.count <= 4 else {
            throw .invalid("stop lists \(stops.count) sequences; give at most 4.", parameter: "stop")
        }
        let sampling = SamplingParameters(
            temperature: Float(temperature ?? 1), topK: topK ?? 0, topP: Float(topP ?? 1), seed: seed,
            topLogprobCount: topLogprobs, stopSequences: stops)
        do {
            try sampling.validate()
        } catch {
            throw .invalid(error.description)
        }
        return GenerationCall(
            kind: kind,
            request: GenerationRequest(
                promptTokens: promptTokens, maximumTokens: tokens, sampling: sampling, reportsLogprobs: logprobs,
                ignoresEndOfText: ignoreEOS ?? false),
            stream: stream ?? false, includeUsage: streamOptions?.include_usage ?? false, topLogprobs: topLogprobs)
    }
}
