extension PolicyEvaluator {
    /// Panic mode's verdict at one tick.
    struct PanicOutcome {
        var report: PanicReport?
        var shortWindowReplicas: Int?
    }

    /// Knative-style panic: the short-window demand of every scale rule, in replicas, against
    /// threshold × ready replicas (at least 1), as Knative compares with its ready pods. Panic starts (or is
    /// extended) on a trigger and ends `hold` after the last one. A re-trigger while replicas start only extends
    /// the hold: the scale-up itself goes no further than the short-window demand.
    mutating func evaluatePanic(
        inputs: [ScaleInput], readings: [String: SignalReading], observed: Observation,
        ready: Int, now: Timestamp
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
        let triggerAt = threshold * Double(max(1, ready))
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
