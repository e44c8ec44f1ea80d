/// How the next token is chosen from the logits, as an OpenAI-style request gives it.
public struct SamplingParameters: Sendable, Equatable {
    /// Softmax temperature; 0 (or below) picks the most likely token (greedy). Default 1: the model's own
    /// distribution.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens before drawing; 0 keeps all (default 0).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP` (nucleus sampling); 1 keeps
    /// all (default 1).
    public var topP: Float
    /// Seed of the random generator, so the same request draws the same tokens; `nil` seeds from the system's
    /// random source (default `nil`).
    public var seed: UInt64?
    /// How many most likely alternatives to report with each token's log-probability (default 0: none; OpenAI
    /// allows up to 20).
    public var topLogprobCount: Int
    /// Texts that end generation when they appear in the output; the stop text itself is not returned (default
    /// none).
    public var stopSequences: [String]

    /// Parameters with the defaults above, changed by the arguments given.
    public init(
        temperature: Float = 1, topK: Int = 0, topP: Float = 1, seed: UInt64? = nil, topLogprobCount: Int = 0,
        stopSequences: [String] = []
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.topLogprobCount = topLogprobCount
        self.stopSequences = stopSequences
    }

    /// Greedy decoding: always the most likely token.
    public static let greedy = SamplingParameters(temperature: 0)

    /// Whether the parameters pick the most likely token without drawing.
    public var isGreedy: Bool { temperature <= 0 || topK == 1 }

    /// Checks the ranges.
    ///
    /// - Throws: ``SamplingError`` naming the parameter and its allowed range.
    public func validate() throws(SamplingError) {
        guard temperature.isFinite, temperature >= 0 else {
            throw SamplingError("temperature (\(temperature)) must be 0 (greedy) or a positive number such as 0.7.")
        }
        guard topK >= 0 else { throw SamplingError("top_k (\(topK)) must be 0 (off) or a positive count such as 40.") }
        guard topP > 0, topP <= 1 else {
            throw SamplingError("top_p (\(topP)) must be above 0 and at most 1 (1 turns it off); try 0.9.")
        }
        guard (0...20).contains(topLogprobCount) else {
            throw SamplingError("top_logprobs (\(topLogprobCount)) must be between 0 and 20.")
        }
        guard !stopSequences.contains(where: \.isEmpty) else {
            throw SamplingError("A stop sequence is empty; give each stop sequence at least one character.")
        }
    }
}

/// Why sampling parameters were rejected; the description names the parameter and the allowed range.
public struct SamplingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming the parameter and what to write instead.
    public let description: String

    /// Makes an error from a full sentence.
    public init(_ description: String) {
        self.description = description
    }
}
