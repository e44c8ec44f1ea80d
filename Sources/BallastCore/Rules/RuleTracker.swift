/// The timing state of one rule: `for:` durations, firing episodes and cooldowns.
///
/// A value-type state machine: ``advance(outcome:forDuration:now:)`` takes the condition's
/// outcome at `now` and returns the rule's status and whether it should act. Missing readings
/// neither start nor reset the `for:` timer: the tracker holds where it was. A rule acts once per
/// firing episode (the condition holding without a break); with a cooldown it may act again when
/// the cooldown ends and the condition still holds.
public struct RuleTracker: Hashable, Sendable, Codable {
    /// When the condition started holding in the current run, or `nil` when it does not hold.
    public private(set) var breachedSince: Timestamp?
    /// Whether the condition has held for the rule's `for:` duration.
    public private(set) var isFiring: Bool
    /// Whether the rule acted in the current firing episode.
    public private(set) var actedInEpisode: Bool
    /// When the rule last acted.
    public private(set) var lastActed: Timestamp?
    /// The end of the current cooldown, if one runs.
    public private(set) var cooldownUntil: Timestamp?

    /// A rule that has seen nothing yet.
    public init() {
        breachedSince = nil
        isFiring = false
        actedInEpisode = false
        lastActed = nil
        cooldownUntil = nil
    }

    /// The result of one step: the status to report and whether the rule's action is due now.
    public struct Step: Hashable, Sendable {
        /// The rule's status after the step.
        public var status: RuleStatus
        /// True when the rule should act at this tick (the caller then calls ``recordAction(at:cooldown:)``).
        public var actionDue: Bool
    }

    /// Whether a cooldown is running at `now`.
    public func isCoolingDown(at now: Timestamp) -> Bool {
        guard let cooldownUntil else { return false }
        return now < cooldownUntil
    }

    /// Feeds the condition's outcome at `now`.
    public mutating func advance(outcome: ConditionOutcome, forDuration: Duration, now: Timestamp) -> Step {
        switch outcome {
        case .unknown(let reason):
            let last: String
            if isFiring {
                last = "firing"
            } else if let breachedSince {
                last = "pending since \(breachedSince)"
            } else {
                last = "inactive"
            }
            return Step(status: .held(reason: "\(reason); the rule holds its last state (\(last))"), actionDue: false)
        case .clear:
            breachedSince = nil
            isFiring = false
            actedInEpisode = false
            if let cooldownUntil, now < cooldownUntil {
                return Step(status: .coolingDown(until: cooldownUntil), actionDue: false)
            }
            return Step(status: .inactive, actionDue: false)
        case .breached:
            let since = breachedSince ?? now
            breachedSince = since
            let held = now - since
            if !isFiring && held < forDuration {
                return Step(status: .pending(since: since, remaining: forDuration - held), actionDue: false)
            }
            isFiring = true
            if let cooldownUntil, now < cooldownUntil {
                return Step(status: .coolingDown(until: cooldownUntil), actionDue: false)
            }
            // Once per episode; a cooldown that has ended re-arms the rule while the condition still holds.
            let rearmed = cooldownUntil != nil
            return Step(status: .firing, actionDue: !actedInEpisode || rearmed)
        }
    }

    /// Notes that the rule acted at `now`; a positive `cooldown` keeps it quiet until `now + cooldown`.
    public mutating func recordAction(at now: Timestamp, cooldown: Duration) {
        actedInEpisode = true
        lastActed = now
        cooldownUntil = cooldown > .zero ? now + cooldown : nil
    }
}
