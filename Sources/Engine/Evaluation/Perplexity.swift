#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Perplexity of a model on a text: exp of the mean negative log-likelihood of each token given the ones before.
///
/// 1 means the model predicted every token with certainty; a model guessing uniformly over V tokens scores V.
public struct Perplexity: Sendable, Equatable {
    /// Sum of −log p(token) in nats.
    public private(set) var negativeLogLikelihood: Double = 0
    /// Tokens scored.
    public private(set) var tokenCount = 0

    /// An empty accumulator.
    public init() {}

    /// Adds one predicted token's natural log-probability (≤ 0).
    public mutating func add(logProbability: Double) {
        negativeLogLikelihood -= logProbability
        tokenCount += 1
    }

    /// exp(mean −log p); `nan` before any token.
    public var value: Double {
        tokenCount > 0 ? exp(negativeLogLikelihood / Double(tokenCount)) : .nan
    }
}
