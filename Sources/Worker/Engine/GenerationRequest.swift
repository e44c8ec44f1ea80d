public import Engine

/// What a client asked the engine to generate.
public struct GenerationRequest: Sendable {
    /// Prompt token ids (at least one).
    public var promptTokens: [Int]
    /// Most tokens to generate (at least 1).
    public var maximumTokens: Int
    /// Temperature, top-p, seed, stop sequences and how many alternatives to report.
    public var sampling: SamplingParameters
    /// Whether to report each token's log-probability (OpenAI `logprobs`).
    public var reportsLogprobs: Bool
    /// Whether end-of-text tokens are never sampled, so generation runs to `maximumTokens` (llama.cpp's
    /// `ignore_eos`, used by benchmarks that need equal work per request; default `false`).
    public var ignoresEndOfText: Bool

    /// Makes a request.
    public init(
        promptTokens: [Int], maximumTokens: Int, sampling: SamplingParameters, reportsLogprobs: Bool = false,
        ignoresEndOfText: Bool = false
    ) {
        self.promptTokens = promptTokens
        self.maximumTokens = maximumTokens
        self.sampling = sampling
        self.reportsLogprobs = reportsLogprobs
        self.ignoresEndOfText = ignoresEndOfText
    }
}

/// One generated token as a client sees it.
public struct GeneratedToken: Sendable, Equatable {
    /// The token's own text (its bytes decoded on their own; a split character shows as U+FFFD).
    public var text: String
    /// The token's UTF-8 bytes.
    public var bytes: [UInt8]
    /// Natural log of its probability.
    public var logprob: Float
    /// The most likely alternatives (text and log-probability), most likely first.
    public var topLogprobs: [(text: String, bytes: [UInt8], logprob: Float)]

    /// Tokens are equal when text, bytes and log-probabilities are.
    public static func == (lhs: GeneratedToken, rhs: GeneratedToken) -> Bool {
        lhs.text == rhs.text && lhs.bytes == rhs.bytes && lhs.logprob == rhs.logprob
            && lhs.topLogprobs.map(\.text) == rhs.topLogprobs.map(\.text)
            && lhs.topLogprobs.map(\.logprob) == rhs.topLogprobs.map(\.logprob)
    }
}

/// Why generation ended, as OpenAI's `finish_reason` names it.
public enum FinishReason: String, Sendable, Equatable {
    /// End of text or a stop sequence.
    case stop
    /// `max_tokens` or the context length was reached.
    case length
}

/// Token counts of a finished request (OpenAI `usage`).
public struct Usage: Sendable, Equatable {
    /// Prompt tokens.
    public var promptTokens: Int
    /// Generated tokens.
    public var completionTokens: Int
    /// The sum.
    public var totalTokens: Int { promptTokens + completionTokens }
}

/// What a request's stream delivers, in order: deltas, then one ``finished(_:usage:)`` or ``failed(_:)``.
public enum GenerationEvent: Sendable, Equatable {
    /// New text safe to show (possibly empty while a stop sequence is undecided) and the tokens generated since
    /// the last delta (with log-probabilities when the request asked for them).
    case delta(text: String, tokens: [GeneratedToken])
    /// Generation ended.
    case finished(FinishReason, usage: Usage)
    /// The engine failed the request; the sentence says why.
    case failed(String)
}
