/// Computes the built-in cost signals from the price of a replica and the fleet's throughput.
///
/// `cost_per_inference = replicas × perReplicaHour / 3600 / requestsPerSecond` and
/// `cost_per_1k_tokens = replicas × perReplicaHour / 3600 / tokensPerSecond × 1000`, in the
/// price's currency. Every replica that exists is billed, starting ones included. With no
/// throughput the cost is undefined, so the reading is missing with a reason rather than infinite:
/// an idle fleet must not look infinitely expensive and trigger a quantization.
public enum CostCalculator {
    /// The reading of `signal` for a fleet of `billedReplicas` at `price`, given `throughput`.
    public static func reading(
        of signal: CostSignal,
        price: Price?,
        billedReplicas: Int,
        throughput: Throughput
    ) -> SignalReading {
        guard let price else {
            return .missing(reason: "the policy has no price; add spec.price.perReplicaHour to use \(signal.rawValue)")
        }
        let rate: SignalReading
        let unit: Double
        let what: String
        switch signal {
        case .costPerInference:
            rate = throughput.requestsPerSecond.normalized
            unit = 1
            what = "requests"
        case .costPerThousandTokens:
            rate = throughput.tokensPerSecond.normalized
            unit = 1000
            what = "generated tokens"
        }
        guard let perSecond = rate.number else {
            return .missing(reason: "the rate of \(what) \(rate.problem ?? "is unknown")")
        }
        guard perSecond.isFinite, perSecond > 0 else {
            return .missing(
                reason:
                    "the fleet served no \(what) (rate \(NumberText.format(perSecond))/s), so a cost per unit is undefined"
            )
        }
        let replicas = Double(max(0, billedReplicas))
        return .value(replicas * price.perReplicaHour / 3600 / perSecond * unit)
    }

    /// The formula with numbers substituted, for explanations: `2 × 4 / 3600 / 0.5 = 0.00444`.
    public static func formula(of signal: CostSignal, price: Price, billedReplicas: Int, perSecond: Double) -> String {
        let base =
            "\(billedReplicas) × \(NumberText.format(price.perReplicaHour)) / 3600 / \(NumberText.format(perSecond))"
        switch signal {
        case .costPerInference: return base
        case .costPerThousandTokens: return base + " × 1000"
        }
    }
}
