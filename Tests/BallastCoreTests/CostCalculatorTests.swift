import BallastCore
import Testing

struct CostCalculatorTests {
    struct Case: Sendable, CustomStringConvertible {
        var signal: CostSignal
        var replicas: Int
        var perReplicaHour: Double
        var requestsPerSecond: Double
        var tokensPerSecond: Double
        var expected: Double
        var description: String { "\(signal.rawValue) \(replicas)×\(perReplicaHour)" }
    }

    @Test(arguments: [
        // 2 replicas at 4 CNY/h serving 0.5 req/s: 8 / 3600 / 0.5 = 0.004444 CNY per inference.
        Case(
            signal: .costPerInference, replicas: 2, perReplicaHour: 4, requestsPerSecond: 0.5, tokensPerSecond: 100,
            expected: 8.0 / 3600 / 0.5),
        // Document 001's limit: one replica at 108 CNY/h and 1 req/s costs exactly 0.03 CNY.
        Case(
            signal: .costPerInference, replicas: 1, perReplicaHour: 108, requestsPerSecond: 1, tokensPerSecond: 1,
            expected: 0.03),
        // 4 × p4d.24xlarge (~$32/h, document 002) at 50 tokens/s: 128 / 3600 / 50 × 1000 = $0.711 per 1K tokens.
        Case(
            signal: .costPerThousandTokens, replicas: 4, perReplicaHour: 32, requestsPerSecond: 1, tokensPerSecond: 50,
            expected: 128.0 / 3600 / 50 * 1000),
        Case(
            signal: .costPerThousandTokens, replicas: 1, perReplicaHour: 3.6, requestsPerSecond: 1,
            tokensPerSecond: 2000, expected: 0.0005),
    ])
    func computesCostFromPriceAndThroughput(_ c: Case) throws {
        let reading = CostCalculator.reading(
            of: c.signal,
            price: Price(perReplicaHour: c.perReplicaHour, currency: "CNY"),
            billedReplicas: c.replicas,
            throughput: Throughput(
                requestsPerSecond: .value(c.requestsPerSecond), tokensPerSecond: .value(c.tokensPerSecond))
        )
        let value = try #require(reading.number)
        #expect(abs(value - c.expected) < 1e-12)
    }

    @Test(arguments: [
        (SignalReading.value(0), "served no requests"),
        (SignalReading.value(-1), "served no requests"),
        (SignalReading.value(.nan), "NaN"),
        (SignalReading.missing(reason: "no series"), "no series"),
        (SignalReading.failed(reason: "connection refused"), "connection refused"),
        (SignalReading.stale(since: .epoch), "stale"),
    ])
    func noThroughputIsMissingNotInfinite(rate: SignalReading, mentions: String) {
        let reading = CostCalculator.reading(
            of: .costPerInference, price: Price(perReplicaHour: 4, currency: "CNY"), billedReplicas: 2,
            throughput: Throughput(requestsPerSecond: rate)
        )
        guard case .missing(let reason) = reading else {
            Issue.record("expected missing, got \(reading)")
            return
        }
        #expect(reason.contains(mentions))
    }

    @Test func noPriceSaysWhatToAdd() {
        let reading = CostCalculator.reading(
            of: .costPerThousandTokens, price: nil, billedReplicas: 1,
            throughput: Throughput(tokensPerSecond: .value(10))
        )
        #expect(
            reading
                == .missing(reason: "the policy has no price; add spec.price.perReplicaHour to use cost_per_1k_tokens"))
    }

    @Test func evaluatorComputesUndeclaredCostSignalsForRules() throws {
        let policy = Policy(
            name: "cost",
            target: Target(model: "m"),
            price: Price(perReplicaHour: 4, currency: "CNY"),
            rules: [
                Rule(
                    name: "cost", condition: .compare(signal: "cost_per_inference", op: .greater, threshold: 0.03),
                    action: .quantize(QuantizeAction(to: .q4_0))
                )
            ],
            behavior: ScalingBehavior(panic: nil)
        )
        // 3 billed replicas (2 ready + 1 starting) at 4 CNY/h and 0.1 req/s: 12 / 3600 / 0.1 = 0.0333 > 0.03.
        let observation = Observation(
            readings: [:],
            fleet: FleetState(desiredReplicas: 3, readyReplicas: 2, startingSince: [.epoch]),
            throughput: Throughput(requestsPerSecond: .value(0.1))
        )
        let evaluation = PolicyEvaluator.explain(policy: policy, observed: observation, now: .epoch)
        let signal = try #require(evaluation.signals.first { $0.name == "cost_per_inference" })
        #expect(signal.formula == "3 × 4 / 3600 / 0.1")
        #expect(abs((signal.reading.number ?? 0) - 12.0 / 3600 / 0.1) < 1e-12)
        #expect(evaluation.actions.map(\.rule) == ["cost"])
    }
}
