/// Evaluates one policy tick by tick: observations and time in, decisions out.
///
/// A value-type state machine in the manner of Hummingbird's: ``decide(observed:now:)`` reads an
/// ``Observation`` at `now`, advances every rule's timers, runs the HPA algorithm with its
/// `behavior`, panic mode, startup capacity and scale-down safety, and returns an ``Evaluation``
/// that says what to do and why. It performs no I/O and reads no clock. The controller calls it
/// every tick and performs the decisions; `ballast policy explain` calls it once. The
/// ``state`` is `Codable`, so a restarted controller continues where it stopped.
///
/// The evaluator assumes the runtime carries out each scaling decision: it records the scale
/// event at decision time, as the Kubernetes HPA does when it updates the scale subresource.
public struct PolicyEvaluator: Sendable {
    /// The policy evaluated.
    public let policy: Policy
    /// The memory carried between ticks.
    public internal(set) var state: State

    /// Creates an evaluator for `policy`, resuming from `state` (default: fresh).
    public init(policy: Policy, state: State = State()) {
        self.policy = policy
        self.state = state
    }

    /// Evaluates `policy` once against `observed` at `now`, with a fresh state: what `policy explain` shows.
    /// Rules with a `for:` duration therefore report `pending`.
    public static func explain(policy: Policy, observed: Observation, now: Timestamp) -> Evaluation {
        var evaluator = PolicyEvaluator(policy: policy)
        return evaluator.decide(observed: observed, now: now)
    }

    /// Evaluates the policy against `observed` at `now` and advances the state.
    public mutating func decide(observed: Observation, now: Timestamp) -> Evaluation {
        let (readings, signals) = resolveReadings(observed)
        var statuses: [String: RuleStatus] = [:]
        var due: Set<String> = []
        let names = Set(policy.rules.map(\.name))
        state.rules = state.rules.filter { names.contains($0.key) }
        for rule in policy.rules {
            var tracker = state.rules[rule.name] ?? RuleTracker()
            let step = tracker.advance(
                outcome: rule.condition.evaluate(readings), forDuration: rule.forDuration, now: now)
            state.rules[rule.name] = tracker
            statuses[rule.name] = step.status
            if step.actionDue { due.insert(rule.name) }
        }

        let scaling = decideScaling(observed: observed, readings: readings, statuses: statuses, now: now)
        var notes: [String: String] = [:]
        let actions = decideActions(observed: observed, readings: readings, due: due, notes: &notes, now: now)

        let rules = policy.rules.map { rule in
            RuleEvaluation(
                rule: rule.name,
                action: rule.action.kind,
                status: statuses[rule.name] ?? .inactive,
                condition: rule.condition.explained(readings),
                note: notes[rule.name]
            )
        }
        return Evaluation(
            policy: policy.name, time: now, signals: signals, rules: rules, scaling: scaling, actions: actions)
    }

    /// Readings of every declared signal, plus the built-in cost signals, NaN turned into missing.
    func resolveReadings(_ observed: Observation) -> ([String: SignalReading], [SignalValue]) {
        var readings: [String: SignalReading] = [:]
        var values: [SignalValue] = []
        let fleet = observed.fleet
        let billed = max(0, fleet.readyReplicas) + fleet.startingSince.count

        func cost(_ kind: CostSignal, name: String) -> SignalValue {
            let reading = CostCalculator.reading(
                of: kind, price: policy.price, billedReplicas: billed, throughput: observed.throughput)
            var formula: String?
            if let price = policy.price, reading.number != nil {
                let rate =
                    kind == .costPerInference
                    ? observed.throughput.requestsPerSecond : observed.throughput.tokensPerSecond
                formula = rate.number.map {
                    CostCalculator.formula(of: kind, price: price, billedReplicas: billed, perSecond: $0)
                }
            }
            return SignalValue(name: name, reading: reading, formula: formula)
        }

        for signal in policy.signals {
            let value: SignalValue
            switch signal.source {
            case .query:
                let reading =
                    observed.readings[signal.name]?.normalized
                    ?? .missing(reason: "no reading was supplied for signal \(signal.name)")
                value = SignalValue(name: signal.name, reading: reading, formula: nil)
            case .cost(let kind):
                value = cost(kind, name: signal.name)
            }
            readings[signal.name] = value.reading
            values.append(value)
        }
        // Rules may name the built-in cost signals without declaring them.
        let referenced = Set(policy.rules.flatMap { $0.condition.signalNames })
        for kind in CostSignal.allCases where readings[kind.rawValue] == nil && referenced.contains(kind.rawValue) {
            let value = cost(kind, name: kind.rawValue)
            readings[kind.rawValue] = value.reading
            values.append(value)
        }
        for name in referenced.sorted() where readings[name] == nil {
            let reading: SignalReading = .missing(
                reason: "no signal named \(name) is declared; add it under spec.signals or fix the rule's spelling"
            )
            readings[name] = reading
            values.append(SignalValue(name: name, reading: reading, formula: nil))
        }
        return (readings, values)
    }
}
