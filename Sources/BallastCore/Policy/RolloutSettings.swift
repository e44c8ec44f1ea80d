/// How a new model version is rolled out: canary steps, time per step, and the analysis gates.
///
/// Defaults follow document 004: 5 % of traffic first, full switch after 48 h without anomaly.
public struct RolloutSettings: Hashable, Sendable {
    /// Traffic percentages of the new version, ascending, ending at 100. Default `[5, 25, 50, 100]`.
    public var steps: [Int]
    /// Time each step must pass analysis before the next. Default 48 h / number of steps before 100.
    public var interval: Duration
    /// Gates every analysis must pass; a failure rolls back.
    public var analysis: RolloutAnalysis

    /// Creates rollout settings.
    public init(steps: [Int] = [5, 25, 50, 100], interval: Duration = .seconds(16 * 3600), analysis: RolloutAnalysis = RolloutAnalysis()) {
        self.steps = steps
        self.interval = interval
        self.analysis = analysis
    }
}

/// Limits a canary must stay within to be promoted.
public struct RolloutAnalysis: Hashable, Sendable {
    /// Highest error share of the canary's requests. Default 0.01.
    public var maxErrorRate: Double
    /// Highest p95 request latency of the canary. Default 1 s (document 000 alerts above 1000 ms).
    public var maxP95: Duration
    /// Highest KL divergence of the canary's output distribution from the stable version's. Default 0.05.
    public var maxKL: Double

    /// Creates analysis gates.
    public init(maxErrorRate: Double = 0.01, maxP95: Duration = .seconds(1), maxKL: Double = 0.05) {
        self.maxErrorRate = maxErrorRate
        self.maxP95 = maxP95
        self.maxKL = maxKL
    }
}
