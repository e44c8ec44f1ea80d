import Engine

/// OpenAI's JSON shapes for completion and chat answers and stream chunks.
enum ResponseShapes {
    static func usage(_ usage: Usage) -> JSONValue {
        .object([
            ("prompt_tokens", .int(usage.promptTokens)), ("completion_tokens", .int(usage.completionTokens)),
            ("total_tokens", .int(usage.totalTokens)),
        ])
    }

    /// Completions' `logprobs`: parallel lists of tokens, log-probabilities, alternatives and text offsets.
    static func completionLogprobs(_ tokens: [GeneratedToken], offset: Int) -> JSONValue {
        var offsets: [JSONValue] = []
        var position = offset
        for token in tokens {
            offsets.append(.int(position))
            position += token.text.count
        }
        return .object([
            ("tokens", .array(tokens.map { .string($0.text) })),
            ("token_logprobs", .array(tokens.map { .double(Double($0.logprob)) })),
            (
                "top_logprobs",
                .array(tokens.map { token in .object(token.topLogprobs.map { ($0.text, .double(Double($0.logprob))) }) })
            ),
            ("text_offset", .array(offsets)),
        ])
    }

    /// Chat's `logprobs`: `{"content": [{token, logprob, bytes, top_logprobs}]}`.
    static func chatLogprobs(_ tokens: [GeneratedToken]) -> JSONValue {
        .object([
            (
                "content",
                .array(
                    tokens.map { token in
                        .object([
                            ("token", .string(token.text)), ("logprob", .double(Double(token.logprob))),
                            ("bytes", .array(token.bytes.map { .int(Int($0)) })),
                            (
                                "top_logprobs",
                                .array(
                                    token.topLogprobs.map {
                                        .object([
                                            ("token", .string($0.text)), ("logprob", .double(Double($0.logprob))),
                                            ("bytes", .array($0.bytes.map { .int(Int($0)) })),
                                        ])
                                    })
                            ),
                        ])
                    })
            )
        ])
    }

    static func envelope(
        id: String, object: String, created: Int, model: String, choices: [JSONValue], usage: JSONValue? = nil
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(id)), ("object", .string(object)), ("created", .int(created)), ("model", .string(model)),
            ("choices", .array(choices)),
        ]
        if let usage { pairs.append(("usage", usage)) }
        return .object(pairs)
    }

    static func completionChoice(text: String, logprobs: JSONValue, finish: FinishReason?) -> JSONValue {
        .object([
            ("text", .string(text)), ("index", 0), ("logprobs", logprobs),
            ("finish_reason", finish.map { .string($0.rawValue) } ?? .null),
        ])
    }

    static func chatChoice(text: String, logprobs: JSONValue, finish: FinishReason) -> JSONValue {
        .object([
            ("index", 0), ("message", .object([("role", "assistant"), ("content", .string(text))])),
            ("logprobs", logprobs), ("finish_reason", .string(finish.rawValue)),
        ])
    }

    static func chatDelta(role: Bool, text: String?, logprobs: JSONValue, finish: FinishReason?) -> JSONValue {
        var delta: [(String, JSONValue)] = []
        if role { delta.append(("role", "assistant")) }
        if let text { delta.append(("content", .string(text))) }
        return .object([
            ("index", 0), ("delta", .object(delta)), ("logprobs", logprobs),
            ("finish_reason", finish.map { .string($0.rawValue) } ?? .null),
        ])
    }
}
