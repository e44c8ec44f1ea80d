extension PolicyEvaluator {
    /// Panic mode's verdict at one tick.
    struct PanicOutcome {
        var report: PanicReport?
        var shortWindowReplicas: Int?
    }

    /// Knative-style panic: the short-window demand of every scale rule, in replicas, against
    /// threshold × capacity. Panic starts (or is extended) on a trigger and ends `hold` after the last one.
    /// Capacity counts starting replicas, so replicas already on their way do not re-trigger panic.
    mutating func evaluatePanic(
        inputs: [ScaleInput], readings: [String: SignalReading], observed: Observation,
        ready: Int, capacity: Int, now: Timestamp
    ) -> PanicOutcome {
        guard let settings = policy.behavior.panic else {
            state.panic = PanicState()
            return PanicOutcome(report: nil, shortWindowReplicas: nil)
        }
        var shortWindowReplicas: Int?
        if ready > 0 {
            for input in inputs where input.problem == nil {
                guard let target = input.target, target.isFinite, target > 0 else { continue }
                let reading = observed.shortWindow[input.signal]?.normalized ?? readings[input.signal]
                guard let value = reading?.number, value >= 0 else { continue }
                let replicas = ReplicaCalculator.ceilingCount(Double(ready) * value / target)
                shortWindowReplicas = max(shortWindowReplicas ?? 0, replicas)
            }
        }
        let threshold = settings.threshold.isFinite ? settings.threshold : 2.0
        let triggerAt = threshold * Double(max(1, capacity))
        let triggered = shortWindowReplicas.map { Double($0) >= triggerAt } ?? false
        if triggered {
            state.panic.since = state.panic.since ?? now
            state.panic.until = now + settings.hold
        }
        let active = state.panic.until.map { now < $0 } ?? false
        if !active { state.panic = PanicState() }
        let report = PanicReport(
            active: active, triggered: triggered, shortWindowReplicas: shortWindowReplicas,
            triggerAt: triggerAt, until: active ? state.panic.until : nil
        )
        return PanicOutcome(report: report, shortWindowReplicas: shortWindowReplicas)
    }
}
