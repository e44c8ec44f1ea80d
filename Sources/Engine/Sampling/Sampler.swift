#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A token and its log-probability under the model's distribution.
public struct TokenLogprob: Sendable, Equatable {
    /// Token id.
    public var token: Int
    /// Natural log of the token's probability under softmax(logits), before temperature, top-k or top-p (the
    /// model's own belief, as OpenAI's `logprobs` reports).
    public var logprob: Float

    /// Makes a pair.
    public init(token: Int, logprob: Float) {
        self.token = token
        self.logprob = logprob
    }
}

/// The token a ``Sampler`` chose, with its log-probability and the most likely alternatives.
public struct SampledToken: Sendable, Equatable {
    /// The chosen token and its log-probability.
    public var chosen: TokenLogprob
    /// The ``SamplingParameters/topLogprobCount`` most likely tokens, most likely first (ties: lower id first).
    public var topLogprobs: [TokenLogprob]

    /// The chosen token id.
    public var token: Int { chosen.token }
}

/// Chooses tokens from logits: greedy, or a draw at a temperature from the top-k / top-p candidates, with a
/// seeded generator so equal seeds give equal choices. Pure: logits in, token out.
public struct Sampler: Sendable {
    /// The parameters sampled with.
    public let parameters: SamplingParameters
    /// The random generator; advanced by each draw (greedy choices draw nothing).
    public private(set) var random: SamplingRandom
    private var candidates: [Int] = []
    private var weights: [Float] = []

    /// A sampler for `parameters`, seeded with ``SamplingParameters/seed`` or, without one, from the system.
    ///
    /// - Throws: ``SamplingError`` when a parameter is out of range.
    public init(_ parameters: SamplingParameters) throws(SamplingError) {
        try parameters.validate()
        self.parameters = parameters
        var system = SystemRandomNumberGenerator()
        random = SamplingRandom(seed: parameters.seed ?? system.next())
    }

    /// Chooses the next token from `logits` (one float per vocabulary entry).
    ///
    /// Non-finite logits count as impossible. Returns token 0 with log-probability −∞ for empty logits.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> SampledToken {
        guard !logits.isEmpty else {
            return SampledToken(chosen: TokenLogprob(token: 0, logprob: -.infinity), topLogprobs: [])
        }
        let (best, maximum) = Self.argmax(logits)
        // log-sum-exp of the raw logits, for reported log-probabilities.
        var sum: Double = 0
        for l in logits where l.isFinite { sum += Double(expf(l - maximum)) }
        let logNormalizer = maximum + Float(log(sum))
        func logprob(_ token: Int) -> Float {
            logits[token].isFinite ? logits[token] - logNormalizer : -.infinity
        }

        let token = parameters.isGreedy || !maximum.isFinite ? best : draw(logits, maximum: maximum)
        var top: [TokenLogprob] = []
        if parameters.topLogprobCount > 0 {
            top = Self.largest(parameters.topLogprobCount, of: logits).map {
                TokenLogprob(token: $0, logprob: logprob($0))
            }
        }
        return SampledToken(chosen: TokenLogprob(token: token, logprob: logprob(token)), topLogprobs: top)
    }

    /// Chooses the next token from `logits`.
    public mutating func sample(_ logits: [Float]) -> SampledToken {
        logits.withUnsafeBufferPointer { sample($0) }
    }

    /// Chooses the same token as ``sample(_:)`` would, advancing the generator alike, without computing any
    /// log-probability. For requests that report none it saves a pass of `exp` over the whole vocabulary per
    /// token, which a batched step would otherwise pay once per sequence.
    public mutating func nextToken(_ logits: UnsafeBufferPointer<Float>) -> Int {
        guard !logits.isEmpty else { return 0 }
        let (best, maximum) = Self.argmax(logits)
        return parameters.isGreedy || !maximum.isFinite ? best : draw(logits, maximum: maximum)
    }

    /// The first index of the largest finite logit, and that logit; index 0 and −∞ when none is finite.
    static func argmax(_ logits: UnsafeBufferPointer<Float>) -> (index: Int, value: Float) {
        var maximum = -Float.infinity
        var best = 0
        for (i, l) in logits.enumerated() where l.isFinite && l > maximum {
            maximum = l
            best = i
        }
        return (best, maximum)
    }

    /// A draw at the temperature among the top-k, then top-p, candidates.
    private mutating func draw(_ logits: UnsafeBufferPointer<Float>, maximum: Float) -> Int {
        let limit = parameters.topK > 0 ? min(parameters.topK, logits.count) : logits.count
        if limit < logits.count || parameters.topP < 1 {
            candidates = Self.largest(limit, of: logits)
        } else {
            candidates.removeAll(keepingCapacity: true)
            candidates.append(contentsOf: logits.indices)
        }
        let inverseTemperature = 1 / parameters.temperature
        weights.removeAll(keepingCapacity: true)
        var total: Float = 0
        for c in candidates {
            let w = logits[c].isFinite ? expf((logits[c] - maximum) * inverseTemperature) : 0
            weights.append(w)
            total += w
        }
        if parameters.topP < 1 {
            // Candidates are sorted most likely first: keep the shortest prefix reaching topP of the mass.
            var kept: Float = 0
            var count = 0
            while count < weights.count {
                kept += weights[count]
                count += 1
                if kept >= parameters.topP * total { break }
            }
            candidates.removeLast(candidates.count - count)
            weights.removeLast(weights.count - count)
            total = kept
        }
        var target = random.nextUnitFloat() * total
        for (c, w) in zip(candidates, weights) {
            target -= w
            if target < 0 { return c }
        }
        // Rounding can leave a sliver of mass; it belongs to the last candidate with any weight.
        for i in weights.indices.reversed() where weights[i] > 0 { return candidates[i] }
        return candidates.first ?? 0
    }

    /// Indices of the `count` largest finite logits, largest first, ties by lower index.
    static func largest(_ count: Int, of logits: UnsafeBufferPointer<Float>) -> [Int] {
        guard count > 0 else { return [] }
        func before(_ a: Int, _ b: Int) -> Bool {
            let x = logits[a].isFinite ? logits[a] : -.infinity
            let y = logits[b].isFinite ? logits[b] : -.infinity
            return x > y || (x == y && a < b)
        }
        if count >= logits.count / 8 {
            return Array(logits.indices.sorted(by: before).prefix(count))
        }
        // A sorted window of the best so far: O(n · count) but count is small (top-k, top logprobs).
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for i in logits.indices {
            if best.count == count, let last = best.last, !before(i, last) { continue }
            var position = best.count
            while position > 0 && before(i, best[position - 1]) { position -= 1 }
            best.insert(i, at: position)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}
