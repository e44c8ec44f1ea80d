/// One generated token as a caller streams it.
public struct GeneratedToken: Sendable, Equatable {
    /// The token id.
    public var token: Int
    /// Text now safe to show (possibly empty while a multi-byte character or a possible stop sequence is held back).
    public var text: String
    /// The token's log-probability and the most likely alternatives (see ``SampledToken``).
    public var sample: SampledToken
}

/// Why generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// The model produced an end-of-text token or the output reached a stop sequence (OpenAI's `stop`).
    case stop
    /// The token limit was reached (OpenAI's `length`).
    case length
}

/// The outcome of ``Generator/generate(promptTokens:maximumTokens:parameters:onToken:)``.
public struct GenerationResult: Sendable, Equatable {
    /// Tokens in the prompt.
    public var promptTokenCount: Int
    /// Generated token ids, including a final end-of-text token when one ended generation.
    public var tokens: [Int]
    /// The generated text, without a stop sequence or control tokens.
    public var text: String
    /// Why generation ended.
    public var finishReason: FinishReason
}

/// Generates text for one request at a time: prompt in, tokens and text streamed out through a callback, with the
/// sampler and stop sequences applied. The worker's continuous batching drives ``ModelRunner`` directly; this is
/// the simple path `ballast generate` and tests use.
public final class Generator {
    /// The runner that holds the model and its KV cache.
    public let runner: ModelRunner
    /// The tokenizer of the model's vocabulary.
    public let tokenizer: Tokenizer
    /// The chat format (from `tokenizer.chat_template`, else plain ChatML).
    public let chatTemplate: ChatTemplate
    /// Tokens that end generation: the end-of-sequence token and the usual end-of-turn markers in the vocabulary.
    public let endTokens: Set<Int>

    /// A generator over `runner`, with the tokenizer and chat template read from the model's file.
    ///
    /// - Throws: ``ModelError`` when the file's vocabulary cannot be read.
    public init(runner: ModelRunner) throws(ModelError) {
        let header = runner.model.file.header
        do {
            tokenizer = try Tokenizer(gguf: header)
        } catch {
            throw ModelError("\(runner.model.file.file.path): \(error.description)")
        }
        self.runner = runner
        chatTemplate = ChatTemplate(gguf: header) ?? .chatML
        var ends = Set(["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>"].compactMap(tokenizer.id(of:)))
        if let eos = tokenizer.eosToken { ends.insert(eos) }
        endTokens = ends
    }

    /// Generates a reply to a chat conversation (rendered with ``chatTemplate``).
    ///
    /// - Throws: ``ModelError`` when the prompt does not fit or the parameters are out of range.
    @discardableResult
    public func chat(
        _ messages: [ChatMessage], maximumTokens: Int, parameters: SamplingParameters = .greedy,
        onToken: (GeneratedToken) -> Void = { _ in }
    ) throws(ModelError) -> GenerationResult {
        try generate(
            promptTokens: chatTemplate.encode(messages, with: tokenizer), maximumTokens: maximumTokens,
            parameters: parameters, onToken: onToken)
    }

    /// Generates a continuation of plain `prompt` text (special token texts in it are parsed).
    ///
    /// - Throws: ``ModelError`` when the prompt does not fit or the parameters are out of range.
    @discardableResult
    public func generate(
        prompt: String, maximumTokens: Int, parameters: SamplingParameters = .greedy,
        onToken: (GeneratedToken) -> Void = { _ in }
    ) throws(ModelError) -> GenerationResult {
        try generate(
            promptTokens: tokenizer.encode(prompt), maximumTokens: maximumTokens, parameters: parameters,
            onToken: onToken)
    }

    /// Feeds `promptTokens` (in chunks of the runner's ``ModelRunner/Configuration/maximumBatchTokens``), then
    /// samples up to `maximumTokens` tokens, calling `onToken` for each as it is made.
    ///
    /// - Throws: ``ModelError`` when the prompt is empty or does not fit, the KV cache is out of pages or the
    ///   parameters are out of range.
    @discardableResult
    public func generate(
        promptTokens: [Int], maximumTokens: Int, parameters: SamplingParameters = .greedy,
        onToken: (GeneratedToken) -> Void = { _ in }
    ) throws(ModelError) -> GenerationResult {
        guard !promptTokens.isEmpty else { throw ModelError("The prompt is empty; give at least one token of text.") }
        guard maximumTokens >= 0 else {
            throw ModelError("max_tokens (\(maximumTokens)) must be 0 or more.")
        }
        var sampler: Sampler
        do {
            sampler = try Sampler(parameters)
        } catch {
            throw ModelError(error.description)
        }
        let sequence = runner.createSequence()
        defer { runner.free(sequence) }
        let chunk = runner.configuration.maximumBatchTokens
        var start = 0
        while start < promptTokens.count {
            let end = min(promptTokens.count, start + chunk)
            try runner.forward([.init(sequence: sequence, tokens: Array(promptTokens[start..<end]))])
            start = end
        }
        var matcher = StopSequenceMatcher(stopSequences: parameters.stopSequences)
        var tokens: [Int] = []
        var text = ""
        while tokens.count < maximumTokens {
            let sample = runner.withLogits(ofEntry: 0) { sampler.sample($0) }
            tokens.append(sample.token)
            if endTokens.contains(sample.token) {
                let rest = matcher.finish()
                text += rest
                onToken(GeneratedToken(token: sample.token, text: rest, sample: sample))
                return GenerationResult(
                    promptTokenCount: promptTokens.count, tokens: tokens, text: text, finishReason: .stop)
            }
            switch matcher.append(tokenizer.decodeBytes([sample.token])) {
            case .text(let shown):
                text += shown
                onToken(GeneratedToken(token: sample.token, text: shown, sample: sample))
            case .stopped(let shown):
                text += shown
                onToken(GeneratedToken(token: sample.token, text: shown, sample: sample))
                return GenerationResult(
                    promptTokenCount: promptTokens.count, tokens: tokens, text: text, finishReason: .stop)
            }
            guard tokens.count < maximumTokens else { break }
            try runner.forward([.init(sequence: sequence, tokens: [sample.token])])
        }
        text += matcher.finish()
        return GenerationResult(promptTokenCount: promptTokens.count, tokens: tokens, text: text, finishReason: .length)
    }
}
