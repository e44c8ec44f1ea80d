import BallastCore

/// Builders shared by the core tests: small policies and observations with readable defaults.
enum Fixture {
    /// A policy with one scale rule `signal > threshold → scale to target`, Kubernetes' default behavior and no panic.
    static func scalePolicy(
        signal: String = "load",
        threshold: Double = 0.5,
        target: Double? = nil,
        forDuration: Duration = .zero,
        cooldown: Duration = .zero,
        minReplicas: Int = 1,
        maxReplicas: Int = 100,
        behavior: ScalingBehavior = ScalingBehavior(panic: nil)
    ) -> Policy {
        Policy(
            name: "test",
            target: Target(model: "m", minReplicas: minReplicas, maxReplicas: maxReplicas),
            signals: [Signal(name: signal, source: .query("x"))],
            rules: [
                Rule(
                    name: "\(signal)-rule",
                    condition: .compare(signal: signal, op: .greater, threshold: threshold),
                    forDuration: forDuration,
                    cooldown: cooldown,
                    action: .scale(ScaleAction(signal: nil, target: target))
                )
            ],
            behavior: behavior
        )
    }

    /// An observation of one signal over a steady fleet.
    static func observe(_ signal: String = "load", _ value: Double, replicas: Int) -> Observation {
        Observation(values: [signal: value], fleet: .steady(replicas))
    }

    /// Behavior with no stabilization and no rate limits in either direction, for testing other steps alone.
    static let unlimited = ScalingBehavior(
        scaleUp: ScalingRules(
            stabilizationWindow: .zero, policies: [ScalingPolicy(type: .percent, value: 100_000, period: .seconds(1))]),
        scaleDown: ScalingRules(
            stabilizationWindow: .zero, policies: [ScalingPolicy(type: .percent, value: 100, period: .seconds(1))]),
        panic: nil
    )
}
