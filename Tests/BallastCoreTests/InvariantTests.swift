import BallastCore
import BallastTesting
import Foundation
import Testing

/// Long runs of seeded random observations: whatever the readings, the decisions keep their promises.
struct InvariantTests {
    /// SplitMix64: a small deterministic generator, so every failure replays from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let policy = Policy(
        name: "random",
        target: Target(model: "m", minReplicas: 2, maxReplicas: 12),
        price: Price(perReplicaHour: 4, currency: "CNY"),
        signals: [
            Signal(name: "queue", source: .query("q")),
            Signal(name: "busy", source: .query("b")),
            Signal(name: "memory", source: .query("m")),
        ],
        rules: [
            Rule(
                name: "queue", condition: .compare(signal: "queue", op: .greater, threshold: 0.5),
                forDuration: .seconds(30),
                action: .scale(ScaleAction())),
            Rule(
                name: "busy", condition: .any([.compare(signal: "busy", op: .greater, threshold: 0.8)]),
                action: .scale(ScaleAction(target: 0.7))),
            Rule(
                name: "memory", condition: .compare(signal: "memory", op: .greater, threshold: 0.85),
                action: .quantize(QuantizeAction(to: .q4_0))),
        ],
        behavior: ScalingBehavior(panic: nil)
    )

    static func reading(_ generator: inout SeededGenerator) -> SignalReading {
        switch Int.random(in: 0..<20, using: &generator) {
        case 0: return .missing(reason: "no series")
        case 1: return .failed(reason: "timeout")
        case 2: return .stale(since: .epoch)
        case 3: return .value(.nan)
        case 4: return .value(.infinity)
        default: return .value(Double.random(in: 0...2, using: &generator))
        }
    }

    @Test(arguments: [1, 2, 3, 42, 2026] as [UInt64])
    func decisionsKeepTheirPromises(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed)
        var evaluator = PolicyEvaluator(policy: Self.policy)
        var clock = ManualClock()
        var fleet = SimulatedFleet(replicas: Int.random(in: 0...15, using: &generator), startupTime: .seconds(45))
        var memoryEpisodes = 0
        var memoryWasBreached = false
        var quantizations = 0
        for tick in 0..<400 {
            fleet.advance(to: clock.now)
            let observation = Observation(
                readings: [
                    "queue": Self.reading(&generator), "busy": Self.reading(&generator),
                    "memory": Self.reading(&generator),
                ],
                fleet: fleet.state,
                throughput: Throughput(
                    requestsPerSecond: Self.reading(&generator), tokensPerSecond: Self.reading(&generator))
            )
            let current = fleet.state.desiredReplicas
            let evaluation = evaluator.decide(observed: observation, now: clock.now)
            let desired = evaluation.scaling.desiredReplicas

            #expect((2...12).contains(desired), "seed \(seed) tick \(tick): \(desired) outside the bounds")
            if (2...12).contains(current) {
                // Default scale-up: at most 4 pods or 100 % per 15 s, and ticks are 15 s apart.
                #expect(desired <= max(2 * current, current + 4), "seed \(seed) tick \(tick): \(current) → \(desired)")
                // A scale rule that cannot read its signal never lets the fleet shrink.
                let held = evaluation.scaling.recommendations.contains { $0.note?.hasPrefix("held:") == true }
                if held { #expect(desired >= current, "seed \(seed) tick \(tick): shrank while a reading was missing") }
            }
            if case .value(let memory) = observation.readings["memory"], !memory.isNaN {
                let breached = memory > 0.85
                if breached && !memoryWasBreached { memoryEpisodes += 1 }
                memoryWasBreached = breached
            }
            quantizations +=
                evaluation.actions.filter { if case .quantize = $0.directive { true } else { false } }.count

            let data = try JSONEncoder().encode(evaluation)
            #expect(try JSONDecoder().decode(Evaluation.self, from: data) == evaluation)

            fleet.apply(desired: desired, now: clock.now)
            clock.advance(by: .seconds(15))
        }
        // Missing memory readings hold the episode open, so there are at most as many quantizations as breaches began.
        #expect(
            quantizations <= memoryEpisodes,
            "seed \(seed): \(quantizations) quantizations for \(memoryEpisodes) episodes")
        #expect(quantizations > 0)
    }
}
