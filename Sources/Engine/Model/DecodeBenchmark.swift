/// A quick speed measurement of a model on this machine: prompt evaluation and batched decode in tokens per
/// second, for `ballast bench engine`.
public enum DecodeBenchmark {
    /// Measured rates.
    public struct Result: Sendable, Equatable {
        /// Threads the runner used.
        public var threadCount: Int
        /// Prompt tokens evaluated per second, one prompt of ``promptLength`` tokens in one step (the median over
        /// the rounds).
        public var promptTokensPerSecond: Double
        /// Each round's prompt rate, in order.
        public var promptSamples: [Double]
        /// Rounds measured: every round measures the prompt and then each batch size once.
        public var rounds: Int
        /// Prompt length measured, in tokens.
        public var promptLength: Int
        /// Decode rates, one per batch size, in the order asked.
        public var decodeTokensPerSecond: [DecodeRate]
    }

    /// The decode rate at one batch size.
    public struct DecodeRate: Sendable, Equatable {
        /// Sequences decoding together in each step.
        public var batch: Int
        /// Tokens produced per second over all sequences of the batch (the median over the rounds).
        public var tokensPerSecond: Double
        /// Each round's rate, in order.
        public var samples: [Double]
    }

    /// Measures `model` in `rounds` rounds (default 3): each evaluates a `promptLength`-token prompt in one step
    /// (default 512, the prompt-eval size), then runs `decodeSteps` decode steps (default 32) at each of
    /// `batchSizes` (default 1, 4 and 16) after a short prompt per sequence. Every rate is the median over the
    /// rounds: the sizes alternate, so a slow spell on a shared machine lowers one round of every size instead of
    /// all rounds of one, and the ratios between sizes stay fair. Tokens are fixed, not sampled, so runs compare.
    ///
    /// - Parameters:
    ///   - threads: threads for the runner (default: the active processor count).
    ///   - progress: called after each measurement with the number done and the total.
    /// - Throws: ``ModelError`` when a size is not positive or does not fit the model's context.
    public static func run(
        model: Model, threads: Int? = nil, promptLength: Int = 512, batchSizes: [Int] = [1, 4, 16],
        decodeSteps: Int = 32, rounds: Int = 3, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws(ModelError) -> Result {
        let vocabulary = model.configuration.vocabularySize
        let largestBatch = batchSizes.max() ?? 1
        guard promptLength > 0, decodeSteps > 0, rounds > 0, batchSizes.allSatisfy({ $0 > 0 }) else {
            throw ModelError(
                "DecodeBenchmark: promptLength (\(promptLength)), decodeSteps (\(decodeSteps)), rounds (\(rounds)) "
                    + "and batch sizes (\(batchSizes)) must be positive.")
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

        let promptTokens = (0..<promptLength).map(token)
        var promptSamples: [Double] = []
        var samples = batchSizes.map { _ in [Double]() }
        let total = rounds * (1 + batchSizes.count)
        for _ in 0..<rounds {
            let prompt = runner.createSequence()
            let promptStart = clock.now
            try runner.forward([.init(sequence: prompt, tokens: promptTokens)])
            promptSamples.append(Double(promptLength) / seconds(clock.now - promptStart))
            runner.free(prompt)
            progress(promptSamples.count + samples.reduce(0) { $0 + $1.count }, total)

            for (i, batch) in batchSizes.enumerated() {
                let sequences = (0..<batch).map { _ in runner.createSequence() }
                try runner.forward(
                    sequences.enumerated().map { e, s in
                        .init(sequence: s, tokens: (0..<warmup).map { token($0 + e) })
                    })
                let start = clock.now
                for step in 0..<decodeSteps {
                    try runner.forward(
                        sequences.enumerated().map { e, s in .init(sequence: s, tokens: [token(step + e)]) })
                }
                samples[i].append(Double(batch * decodeSteps) / seconds(clock.now - start))
                sequences.forEach(runner.free)
                progress(promptSamples.count + samples.reduce(0) { $0 + $1.count }, total)
            }
        }
        return Result(
            threadCount: runner.configuration.threadCount, promptTokensPerSecond: median(promptSamples),
            promptSamples: promptSamples, rounds: rounds, promptLength: promptLength,
            decodeTokensPerSecond: zip(batchSizes, samples).map {
                DecodeRate(batch: $0, tokensPerSecond: median($1), samples: $1)
            })
    }

    /// The middle value (the mean of the two middle ones for an even count); 0 for none.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return max(1e-9, Double(s) + Double(attoseconds) * 1e-18)
    }
}
