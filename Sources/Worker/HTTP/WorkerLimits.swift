/// Limits on what one HTTP request may ask for; beyond them the answer is a 400 that names the limit.
public struct WorkerLimits: Sendable, Equatable {
    /// Largest request body, in bytes (default 1 MiB: far above any prompt the context holds).
    public var maximumBodyBytes: Int
    /// Most prompt tokens (default `nil`: the context length less one, so at least one token can be generated).
    public var maximumPromptTokens: Int?
    /// Largest `max_tokens` (default 4096).
    public var maximumNewTokens: Int
    /// `max_tokens` of a chat request that gives none (default 512); completions default to 16 as OpenAI's do.
    public var defaultChatTokens: Int

    /// Limits with the defaults above, changed by the arguments given.
    public init(
        maximumBodyBytes: Int = 1 << 20, maximumPromptTokens: Int? = nil, maximumNewTokens: Int = 4096,
        defaultChatTokens: Int = 512
    ) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumPromptTokens = maximumPromptTokens
        self.maximumNewTokens = maximumNewTokens
        self.defaultChatTokens = defaultChatTokens
    }
}
