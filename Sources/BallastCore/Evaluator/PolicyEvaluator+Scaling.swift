extension PolicyEvaluator {
    /// A scale rule resolved against the policy: the signal its formula reads and the target.
    struct ScaleInput {
        var rule: Rule
        var signal: String
        var target: Double?
        var problem: String?
    }

    /// The signal and target of every scale rule, in policy order.
    func scaleInputs() -> [ScaleInput] {
        policy.rules.compactMap { rule in
            guard case .scale(let action) = rule.action else { return nil }
            let first = rule.condition.firstComparison
            guard let signal = action.signal ?? first?.signal else {
                return ScaleInput(
                    rule: rule, signal: "", target: nil,
                    problem: "the rule compares no signal; name one in scale.signal")
            }
            let compared = rule.condition.comparisons([:]).first { $0.signal == signal }
            if let compared,
                compared.op == ComparisonOperator.less.rawValue
                    || compared.op == ComparisonOperator.lessOrEqual.rawValue
            {
                // The HPA formula assumes the signal grows with load per replica; a "too low" signal would scale down when it fires.
                return ScaleInput(
                    rule: rule, signal: signal, target: nil,
                    problem:
                        "the rule scales on \(signal) \(compared.op) \(NumberText.format(compared.threshold)), but the formula needs a signal that grows with load (compare with > or >=); scale on a load signal such as queue time or utilisation, or use an alert"
                )
            }
            guard let target = action.target ?? compared?.threshold else {
                return ScaleInput(
                    rule: rule, signal: signal, target: nil,
                    problem:
                        "scale.signal \(signal) is not compared in the condition, so there is no threshold to use as target; write scale.target"
                )
            }
            return ScaleInput(rule: rule, signal: signal, target: target, problem: nil)
        }
    }

    /// Runs the HPA pipeline: per-rule formula, highest recommendation, held readings, panic,
    /// stabilization, rate policies and bounds, scale-down safety.
    mutating func decideScaling(
        observed: Observation, readings: [String: SignalReading], statuses: [String: RuleStatus], now: Timestamp
    ) -> ScalingDecision {
        let behavior = policy.behavior
        let fleet = observed.fleet
        let current = max(0, fleet.desiredReplicas)
        let ready = max(0, fleet.readyReplicas)
        let starting = fleet.startingWithinGrace(behavior.startupGrace, now: now)
        let minReplicas = policy.target.minReplicas
        let maxReplicas = policy.target.maxReplicas
        let inputs = scaleInputs()

        var recommendations: [ScaleRecommendation] = []
        var heldRules: [String] = []
        for input in inputs {
            let status = statuses[input.rule.name] ?? .inactive
            let reading =
                readings[input.signal]
                ?? .missing(reason: "no signal named \(input.signal) is declared; add it under spec.signals")
            var record = ScaleRecommendation(
                rule: input.rule.name, status: status, condition: input.rule.condition.explained(readings),
                signal: input.signal, reading: reading, target: input.target, formula: "", replicas: current, note: nil
            )
            if let problem = input.problem {
                record.formula = "no formula"
                record.note = "held: \(problem)"
                heldRules.append(input.rule.name)
            } else if let value = reading.number, let target = input.target {
                switch ReplicaCalculator.recommend(
                    current: current, ready: ready, starting: starting, value: value, target: target,
                    tolerance: behavior.tolerance
                ) {
                case .unusable(let reason):
                    record.formula = "no formula"
                    record.note = "held: \(reason)"
                    heldRules.append(input.rule.name)
                case .replicas(let replicas, let formula, let note):
                    record.formula = formula
                    record.note = note
                    switch status {
                    case .firing:
                        record.replicas = replicas
                    case .inactive:
                        record.replicas = min(replicas, current)
                        if replicas > current {
                            record.note = "the condition does not hold, so the rule does not scale up"
                        }
                    case .coolingDown(let until):
                        record.replicas = min(replicas, current)
                        if replicas > current {
                            record.note = "cooling down until \(until); no scale-up from this rule"
                        }
                    case .pending(_, let remaining):
                        record.replicas = current
                        record.note =
                            "pending: the condition must hold \(NumberText.format(remaining.secondsValue))s longer"
                    case .held(let reason):
                        record.replicas = current
                        record.note = "held: \(reason)"
                        heldRules.append(input.rule.name)
                    }
                }
            } else {
                record.formula = "no formula"
                record.note =
                    "held: \(input.signal) \(reading.problem ?? "has no value"); the rule keeps the current count"
                heldRules.append(input.rule.name)
            }
            recommendations.append(record)
        }

        var steps: [ScalingStep] = []
        var desired: Int
        let panicReport: PanicReport?
        var panicTarget: Int?

        if current > maxReplicas || current < minReplicas {
            // Kubernetes brings an out-of-range count inside the bounds before looking at metrics.
            desired = current > maxReplicas ? maxReplicas : minReplicas
            steps.append(
                ScalingStep(
                    kind: .outOfBounds, from: current, to: desired,
                    detail: "\(current) replicas is outside minReplicas \(minReplicas)…maxReplicas \(maxReplicas)"
                ))
            panicReport =
                evaluatePanic(
                    inputs: inputs, readings: readings, observed: observed, ready: ready,
                    now: now
                ).report
        } else {
            // Held rules ask for the current count; they block a scale-down below, so they are left out of the maximum.
            let usable = recommendations.filter { !heldRules.contains($0.rule) }
            var raw = usable.map(\.replicas).max() ?? current
            if usable.count > 1 {
                let driver = usable.first { $0.replicas == raw }?.rule ?? ""
                steps.append(
                    ScalingStep(
                        kind: .highestRecommendation, from: current, to: raw,
                        detail: "the largest recommendation is \(driver)'s"))
            }
            if !heldRules.isEmpty && raw < current {
                steps.append(
                    ScalingStep(
                        kind: .heldReading, from: raw, to: current,
                        detail:
                            "no scale-down while \(heldRules.joined(separator: ", ")) cannot read its signal; a missing metric is not zero load"
                    ))
                raw = current
            }
            let panic = evaluatePanic(
                inputs: inputs, readings: readings, observed: observed, ready: ready,
                now: now)
            panicReport = panic.report
            if panic.report?.active == true { panicTarget = panic.shortWindowReplicas }

            let stabilized = HorizontalScaler.stabilize(
                desired: raw, current: current, now: now, behavior: behavior, history: &state.history)
            if stabilized != raw {
                let window =
                    stabilized > raw ? behavior.scaleDown.stabilizationWindow : behavior.scaleUp.stabilizationWindow
                let which = stabilized > raw ? "highest" : "lowest"
                steps.append(
                    ScalingStep(
                        kind: .stabilization, from: raw, to: stabilized,
                        detail:
                            "the \(which) recommendation of the last \(NumberText.format(window.secondsValue))s is \(stabilized)"
                    ))
            }
            if current == 0 && stabilized > 0 {
                // Rate policies measure growth from a running fleet (100 % of 0 is 0), and Kubernetes disables the
                // HPA at 0 replicas; Ballast starts the first replicas at once, bounded by maxReplicas.
                desired = min(stabilized, maxReplicas)
                steps.append(
                    ScalingStep(
                        kind: .fromZero, from: 0, to: desired,
                        detail:
                            "scaling from zero starts \(desired) replica\(desired == 1 ? "" : "s") at once; rate policies apply once replicas run"
                    ))
            } else {
                desired = limitStep(stabilized: stabilized, current: current, now: now, steps: &steps)
            }
            if panic.report?.active == true {
                let floor = max(desired, current)
                var raised = floor
                if let panicTarget, panicTarget > floor { raised = max(floor, min(panicTarget, maxReplicas)) }
                if raised != desired {
                    steps.append(
                        ScalingStep(
                            kind: .panic, from: desired, to: raised,
                            detail: raised > current
                                ? "panic mode: scaling straight to the short-window recommendation \(panicTarget.map(String.init) ?? "?"), past rate limits"
                                : "panic mode: no scale-down while panicking"
                        ))
                    desired = raised
                }
            }
            if desired < current {
                let safe = ScaleDownSafety.safeCount(
                    proposed: desired, current: current, ready: ready, billed: ready + fleet.startingSince.count,
                    inputs: inputs.filter { $0.problem == nil }, readings: readings, costSignals: costSignalNames,
                    tolerance: behavior.tolerance
                )
                if safe.replicas != desired {
                    steps.append(
                        ScalingStep(
                            kind: .safety, from: desired, to: safe.replicas,
                            detail: safe.reason ?? "scale-down is not safe"))
                    desired = safe.replicas
                }
            }
        }

        state.history.recordScale(from: current, to: desired, now: now, behavior: behavior)
        if desired > current {
            // Every firing rule that asked for growth took part in it; each starts its cooldown.
            for record in recommendations where record.status == .firing && record.replicas > current {
                if let rule = inputs.first(where: { $0.rule.name == record.rule })?.rule {
                    state.rules[rule.name]?.recordAction(at: now, cooldown: rule.cooldown)
                }
            }
        }
        let summary = Self.scalingSummary(
            current: current, desired: desired, recommendations: recommendations, steps: steps)
        return ScalingDecision(
            currentReplicas: current, desiredReplicas: desired, recommendations: recommendations,
            steps: steps, panic: panicReport, summary: summary
        )
    }

    /// Applies rate policies and bounds, noting the step when they change the count.
    private func limitStep(stabilized: Int, current: Int, now: Timestamp, steps: inout [ScalingStep]) -> Int {
        let behavior = policy.behavior
        let limited = HorizontalScaler.limitRate(
            desired: stabilized, current: current, minReplicas: policy.target.minReplicas,
            maxReplicas: policy.target.maxReplicas,
            now: now, behavior: behavior, history: state.history
        )
        if limited.replicas != stabilized {
            steps.append(
                ScalingStep(
                    kind: Self.stepKind(for: limited.limit), from: stabilized, to: limited.replicas,
                    detail: limitDetail(
                        limited.limit, rules: stabilized > current ? behavior.scaleUp : behavior.scaleDown)
                ))
        }
        return limited.replicas
    }

    /// Names whose values are costs: declared cost signals and the built-in names.
    var costSignalNames: Set<String> {
        var names = Set(CostSignal.allCases.map(\.rawValue))
        for signal in policy.signals {
            if case .cost = signal.source { names.insert(signal.name) } else { names.remove(signal.name) }
        }
        return names
    }

    static func stepKind(for limit: HorizontalScaler.Limit) -> ScalingStep.Kind {
        switch limit {
        case .scaleUpLimit, .scaleDownLimit: .rateLimit
        case .tooManyReplicas, .tooFewReplicas, .desiredWithinRange: .bounds
        }
    }

    private func limitDetail(_ limit: HorizontalScaler.Limit, rules: ScalingRules) -> String {
        let policies = rules.policies.map {
            "\($0.value) \($0.type == .pods ? "pods" : "%") per \(NumberText.format($0.period.secondsValue))s"
        }
        switch limit {
        case .scaleUpLimit:
            return
                "ScaleUpLimit: growing faster than the scale-up policies allow (\(policies.joined(separator: ", ")), select \(rules.selectPolicy.rawValue))"
        case .scaleDownLimit:
            return
                "ScaleDownLimit: shrinking faster than the scale-down policies allow (\(policies.joined(separator: ", ")), select \(rules.selectPolicy.rawValue))"
        case .tooManyReplicas:
            return "TooManyReplicas: maxReplicas is \(policy.target.maxReplicas)"
        case .tooFewReplicas:
            return "TooFewReplicas: minReplicas is \(policy.target.minReplicas)"
        case .desiredWithinRange:
            return "DesiredWithinRange"
        }
    }

    static func scalingSummary(current: Int, desired: Int, recommendations: [ScaleRecommendation], steps: [ScalingStep])
        -> String
    {
        let head =
            desired == current
            ? "hold at \(current) replica\(current == 1 ? "" : "s")" : "scale \(current) → \(desired)"
        var parts: [String] = []
        let driver = recommendations.max { $0.replicas < $1.replicas }
        if let driver {
            var text = "\(driver.rule): \(driver.formula)"
            if let note = driver.note { text += " (\(note))" }
            parts.append(text)
        } else {
            parts.append("no scale rule")
        }
        for step in steps where step.kind != .highestRecommendation && step.from != step.to {
            parts.append("\(step.kind.rawValue) \(step.from) → \(step.to): \(step.detail)")
        }
        return head + ": " + parts.joined(separator: "; ")
    }
}
