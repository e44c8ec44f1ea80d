/// Distances between next-token distributions given as logits, computed in `Double` so that tiny divergences of
/// good quantizations are not lost to `Float` rounding over a vocabulary of tens of thousands of tokens.
public enum Divergence {
    /// The log-sum-exp of `logits`: log Σ exp(xᵢ), shifted by the maximum so nothing overflows.
    public static func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Double {
        var maximum = -Double.infinity
        for x in logits { maximum = max(maximum, Double(x)) }
        guard maximum.isFinite else { return maximum }
        var sum = 0.0
        for x in logits { sum += exp(Double(x) - maximum) }
        return maximum + log(sum)
    }

    /// Kullback–Leibler divergence KL(P ‖ Q) in nats, P = softmax(`reference`), Q = softmax(`candidate`), over the
    /// whole vocabulary: how much information is lost when the candidate model's distribution stands in for the
    /// reference's. 0 when the distributions are equal; never negative (rounding is clamped).
    ///
    /// Both buffers must have the same length; the result is `nan` when they do not.
    public static func kullbackLeibler(
        reference: UnsafeBufferPointer<Float>, candidate: UnsafeBufferPointer<Float>
    ) -> Double {
        guard reference.count == candidate.count, !reference.isEmpty else { return .nan }
        let lseP = logSumExp(reference)
        let lseQ = logSumExp(candidate)
        var kl = 0.0
        for i in 0..<reference.count {
            let logP = Double(reference[i]) - lseP
            let p = exp(logP)
            guard p > 0 else { continue }
            kl += p * (logP - (Double(candidate[i]) - lseQ))
        }
        return max(0, kl)
    }

    /// KL(P ‖ Q) of two logit arrays (see ``kullbackLeibler(reference:candidate:)``).
    public static func kullbackLeibler(reference: [Float], candidate: [Float]) -> Double {
        reference.withUnsafeBufferPointer { r in
            candidate.withUnsafeBufferPointer { kullbackLeibler(reference: r, candidate: $0) }
        }
    }

    /// The natural log-probability of `token` under softmax(`logits`); `nan` when `token` is out of range.
    public static func logProbability(of token: Int, in logits: UnsafeBufferPointer<Float>) -> Double {
        guard logits.indices.contains(token) else { return .nan }
        return Double(logits[token]) - logSumExp(logits)
    }

    /// Index of the largest logit (the first one on ties); -1 for an empty buffer.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = -1
        var value = -Float.infinity
        for (i, x) in logits.enumerated() where best < 0 || x > value {
            best = i
            value = x
        }
        return best
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
