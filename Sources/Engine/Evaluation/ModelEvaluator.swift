/// Compares a candidate model (a quantization) with its reference: both run over the same tokens and their
/// next-token distributions are compared at every position.
///
/// Every position needs its own logits, so sequences advance one token per step; all prompts (or text windows)
/// step together as one batch, so each step streams both models' weights once for all of them.
public final class ModelEvaluator {
    /// The comparison of one token sequence.
    public struct SequenceComparison: Sendable, Equatable {
        /// Tokens in the sequence.
        public var tokenCount: Int
        /// Per-position statistics.
        public var summary: DivergenceSummary
    }

    /// The outcome of ``compare(_:)``.
    public struct Comparison: Sendable, Equatable {
        /// One entry per input sequence, in order.
        public var sequences: [SequenceComparison]
        /// Statistics over every position of every sequence.
        public var overall: DivergenceSummary
    }

    /// The outcome of ``perplexity(of:window:)``.
    public struct PerplexityResult: Sendable, Equatable {
        /// The reference model's perplexity.
        public var reference: Perplexity
        /// The candidate model's perplexity.
        public var candidate: Perplexity
        /// Tokens per window: each window starts from an empty context.
        public var window: Int
        /// KL(reference ‖ candidate) and top-1 agreement at the scored positions, as llama-perplexity's
        /// `--kl-divergence` reports them.
        public var divergence: DivergenceSummary
    }

    /// The reference model's runner.
    public let reference: ModelRunner
    /// The candidate model's runner.
    public let candidate: ModelRunner
    /// Most sequences stepped together.
    public let batchSize: Int

    /// Makes runners for both models.
    ///
    /// - Parameters:
    ///   - threads: threads per step (default: the active processor count).
    ///   - batchSize: most sequences per step (default 16; more sequences wait for a later group).
    ///   - maximumSequenceLength: longest sequence compared (default 512 tokens).
    /// - Throws: ``ModelError`` when the vocabularies differ in size (token ids would mean different things) or a
    ///   size is not positive.
    public init(
        reference: Model, candidate: Model, threads: Int? = nil, batchSize: Int = 16,
        maximumSequenceLength: Int = 512
    ) throws(ModelError) {
        let r = reference.configuration.vocabularySize
        let c = candidate.configuration.vocabularySize
        guard r == c else {
            throw ModelError(
                "The reference has \(r) tokens in its vocabulary and the candidate \(c); compare a quantization "
                    + "with the model it was made from.")
        }
        guard batchSize > 0, maximumSequenceLength > 0 else {
            throw ModelError(
                "ModelEvaluator: batchSize (\(batchSize)) and maximumSequenceLength (\(maximumSequenceLength)) must "
                    + "be positive.")
        }
        let pageSize = KVPageTable.defaultPageSize
        let pages = batchSize * ((maximumSequenceLength + pageSize - 1) / pageSize)
        func configuration(_ model: Model) -> ModelRunner.Configuration {
            .init(
                threadCount: threads, maximumBatchTokens: batchSize, maximumBatchSequences: batchSize,
                pageCount: pages, pageSize: pageSize,
                maximumSequenceLength: min(maximumSequenceLength, model.configuration.contextLength))
        }
        self.reference = try ModelRunner(model: reference, configuration: configuration(reference))
        self.candidate = try ModelRunner(model: candidate, configuration: configuration(candidate))
        self.batchSize = batchSize
    }

    /// KL(reference ‖ candidate) and top-1 agreement of the next-token distribution after every token of every
    /// sequence.
    ///
    /// - Throws: ``ModelError`` when a sequence is empty, too long or holds an id outside the vocabulary.
    public func compare(_ sequences: [[Int]]) throws(ModelError) -> Comparison {
        var kl = sequences.map { [Double](repeating: 0, count: $0.count) }
        var agree = sequences.map { [Bool](repeating: false, count: $0.count) }
        try step(sequences) { s, position, r, c in
            kl[s][position] = Divergence.kullbackLeibler(reference: r, candidate: c)
            agree[s][position] = Divergence.argmax(r) == Divergence.argmax(c)
        }
        let perSequence = sequences.indices.map { s in
            SequenceComparison(
                tokenCount: sequences[s].count,
                summary: DivergenceSummary(kl: kl[s], agreements: agree[s].filter { $0 }.count))
        }
        return Comparison(
            sequences: perSequence,
            overall: DivergenceSummary(kl: kl.flatMap { $0 }, agreements: agree.joined().filter { $0 }.count))
    }

    /// Perplexity of both models on `tokens`, computed as llama.cpp's `llama-perplexity` does so the numbers
    /// compare: the text is cut into whole windows of `window` tokens (default 256; a text shorter than one window
    /// is one window, a shorter tail is dropped), each window starts from an empty context, and only the second
    /// half of each window is scored: token i + 1 by the logits after token i, for i from window/2 to window − 2
    /// (llama.cpp's `first = n_ctx / 2`), so every scored token has at least half a window of context.
    ///
    /// - Throws: ``ModelError`` when fewer than three tokens are given (two leave no second half to score),
    ///   `window` is below 4 or above the maximum sequence length, or an id is outside the vocabulary.
    public func perplexity(of tokens: [Int], window: Int = 256) throws(ModelError) -> PerplexityResult {
        guard window >= 4, window <= reference.maximumSequenceLength else {
            throw ModelError(
                "The perplexity window (\(window)) must be 4 to \(reference.maximumSequenceLength) tokens.")
        }
        guard tokens.count >= 3 else {
            throw ModelError(
                "The text has \(tokens.count) token(s); perplexity needs at least three, so give a longer text.")
        }
        let windows: [[Int]] =
            tokens.count < window
            ? [tokens]
            : (0..<(tokens.count / window)).map { Array(tokens[($0 * window)..<(($0 + 1) * window)]) }
        var referencePerplexity = Perplexity()
        var candidatePerplexity = Perplexity()
        var kl: [Double] = []
        var agreements = 0
        try step(windows) { s, position, r, c in
            let length = windows[s].count
            guard position >= length / 2, position + 1 < length else { return }
            let next = windows[s][position + 1]
            referencePerplexity.add(logProbability: Divergence.logProbability(of: next, in: r))
            candidatePerplexity.add(logProbability: Divergence.logProbability(of: next, in: c))
            kl.append(Divergence.kullbackLeibler(reference: r, candidate: c))
            if Divergence.argmax(r) == Divergence.argmax(c) { agreements += 1 }
        }
        return PerplexityResult(
            reference: referencePerplexity, candidate: candidatePerplexity, window: window,
            divergence: DivergenceSummary(kl: kl, agreements: agreements))
    }

    /// Runs `sequences` through both models one token per step, in groups of ``batchSize``, calling `visit` with
    /// the sequence index, the position and both models' logits after that position's token.
    private func step(
        _ sequences: [[Int]],
        _ visit: (Int, Int, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
    ) throws(ModelError) {
        for (s, tokens) in sequences.enumerated() {
            guard !tokens.isEmpty else {
                throw ModelError("Sequence \(s + 1) is empty; every prompt needs at least one token.")
            }
            guard tokens.count <= reference.maximumSequenceLength else {
                throw ModelError(
                    "Sequence \(s + 1) has \(tokens.count) tokens, above the \(reference.maximumSequenceLength) "
                        + "this evaluation compares; shorten it.")
            }
        }
        var groupStart = 0
        while groupStart < sequences.count {
            let group = Array(groupStart..<min(sequences.count, groupStart + batchSize))
            let referenceIDs = group.map { _ in reference.createSequence() }
            let candidateIDs = group.map { _ in candidate.createSequence() }
            defer {
                referenceIDs.forEach(reference.free)
                candidateIDs.forEach(candidate.free)
            }
            let longest = group.map { sequences[$0].count }.max() ?? 0
            for position in 0..<longest {
                let active = group.indices.filter { position < sequences[group[$0]].count }
                try reference.forward(
                    active.map { .init(sequence: referenceIDs[$0], tokens: [sequences[group[$0]][position]]) })
                try candidate.forward(
                    active.map { .init(sequence: candidateIDs[$0], tokens: [sequences[group[$0]][position]]) })
                for (entry, g) in active.enumerated() {
                    reference.withLogits(ofEntry: entry) { r in
                        candidate.withLogits(ofEntry: entry) { c in visit(group[g], position, r, c) }
                    }
                }
            }
            groupStart += batchSize
        }
    }
}
