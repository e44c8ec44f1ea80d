/// Statistics of per-position divergences: mean, 99th percentile, maximum and top-1 agreement.
public struct DivergenceSummary: Sendable, Equatable {
    /// Positions compared.
    public var count: Int
    /// Mean KL(reference ‖ candidate) in nats.
    public var meanKL: Double
    /// 99th percentile of the KL values (nearest rank), in nats: the bad tail a mean hides.
    public var p99KL: Double
    /// Largest KL value in nats.
    public var maximumKL: Double
    /// Fraction of positions (0 to 1) where both models rank the same token first.
    public var topOneAgreement: Double

    /// Summarizes `kl` values and whether the top tokens agreed at each position (`agreements` of them did).
    ///
    /// Empty input gives zero counts and `nan` statistics.
    public init(kl: [Double], agreements: Int) {
        count = kl.count
        guard !kl.isEmpty else {
            (meanKL, p99KL, maximumKL, topOneAgreement) = (.nan, .nan, .nan, .nan)
            return
        }
        meanKL = kl.reduce(0, +) / Double(kl.count)
        p99KL = Self.percentile(kl, 0.99)
        maximumKL = kl.max() ?? .nan
        topOneAgreement = Double(agreements) / Double(kl.count)
    }

    /// The nearest-rank percentile: the smallest value with at least `fraction` (0 to 1) of the values at or below
    /// it; `nan` for no values.
    public static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
