/// A quick speed measurement of a model on this machine: prompt evaluation and batched decode in tokens per
/// second, for `ballast bench engine`.
public enum DecodeBenchmark {
    /// Measured rates.
    public struct Result: Sendable, Equatable {
        /// Threads the runner used.
        public var threadCount: Int
        /// Prompt tokens evaluated per second, one prompt of ``promptLength`` tokens in one step.
        public var promptTokensPerSecond: Double
        /// Prompt length measured, in tokens.
        public var promptLength: Int
        /// Decode rates, one per batch size, in the order asked.
        public var decodeTokensPerSecond: [DecodeRate]
    }

    /// The decode rate at one batch size.
    public struct DecodeRate: Sendable, Equatable {
        /// Sequences decoding together in each step.
        public var batch: Int
        /// Tokens produced per second over all sequences of the batch.
        public var tokensPerSecond: Double
    }

    /// Measures `model`: a `promptLength`-token prompt in one step (default 512, the prompt-eval size),
    /// then `decodeSteps` decode steps (default 32) at each of `batchSizes` (default 1, 4 and 16) after a short
    /// prompt per sequence. Tokens are fixed, not sampled, so runs compare.
    ///
    /// - Parameter threads: threads for the runner (default: the active processor count).
    /// - Throws: ``ModelError`` when a size is not positive or does not fit the model's context.
    public static func run(
        model: Model, threads: Int? = nil, promptLength: Int = 512, batchSizes: [Int] = [1, 4, 16],
        decodeSteps: Int = 32
    ) throws(ModelError) -> Result {
        let vocabulary = model.configuration.vocabularySize
        let largestBatch = batchSizes.max() ?? 1
        guard promptLength > 0, decodeSteps > 0, batchSizes.allSatisfy({ $0 > 0 }) else {
            throw ModelError(
                "DecodeBenchmark: promptLength (\(promptLength)), decodeSteps (\(decodeSteps)) and batch sizes "
                    + "(\(batchSizes)) must be positive.")
        }
        let pageSize = KVPageTable.defaultPageSize
        let warmup = 8
        let pagesPerSequence = (warmup + decodeSteps + pageSize - 1) / pageSize
        let runner = try ModelRunner(
            model: model,
            configuration: .init(
                threadCount: threads, maximumBatchTokens: max(promptLength, largestBatch * warmup),
                maximumBatchSequences: largestBatch,
                pageCount: max((promptLength + pageSize - 1) / pageSize, largestBatch * pagesPerSequence),
                maximumSequenceLength: max(promptLength, warmup + decodeSteps)))
        let clock = ContinuousClock()
        // Token ids spread over the vocabulary; the speed does not depend on which ids they are.
        func token(_ i: Int) -> Int { (i &* 7919 &+ 13) % vocabulary }

        let prompt = runner.createSequence()
        let promptTokens = (0..<promptLength).map(token)
        let promptStart = clock.now
        try runner.forward([.init(sequence: prompt, tokens: promptTokens)])
        let promptTime = clock.now - promptStart
        runner.free(prompt)

        var decode: [DecodeRate] = []
        for batch in batchSizes {
            let sequences = (0..<batch).map { _ in runner.createSequence() }
            try runner.forward(
                sequences.enumerated().map { e, s in .init(sequence: s, tokens: (0..<warmup).map { token($0 + e) }) })
            let start = clock.now
            for step in 0..<decodeSteps {
                try runner.forward(sequences.enumerated().map { e, s in .init(sequence: s, tokens: [token(step + e)]) })
            }
            let time = clock.now - start
            decode.append(DecodeRate(batch: batch, tokensPerSecond: Double(batch * decodeSteps) / seconds(time)))
            sequences.forEach(runner.free)
        }
        return Result(
            threadCount: runner.configuration.threadCount,
            promptTokensPerSecond: Double(promptLength) / seconds(promptTime),
            promptLength: promptLength, decodeTokensPerSecond: decode)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return max(1e-9, Double(s) + Double(attoseconds) * 1e-18)
    }
}
