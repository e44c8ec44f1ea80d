extension PolicyEvaluator {
    /// Everything the evaluator remembers between ticks; `Codable` so a restarted controller resumes.
    public struct State: Hashable, Sendable, Codable {
        /// Timing state of each rule, by rule name.
        public var rules: [String: RuleTracker]
        /// Past recommendations and scale events for the HPA `behavior`.
        public var history: ScalingHistory
        /// Panic mode's memory.
        public var panic: PanicState

        /// A fresh state: no rule has seen anything, no history, not panicking.
        public init(
            rules: [String: RuleTracker] = [:], history: ScalingHistory = ScalingHistory(),
            panic: PanicState = PanicState()
        ) {
            self.rules = rules
            self.history = history
            self.panic = panic
        }
    }

    /// Panic mode's memory: when it started and when it ends unless triggered again.
    public struct PanicState: Hashable, Sendable, Codable {
        /// When the current panic began; `nil` when not panicking.
        public var since: Timestamp?
        /// When the current panic ends without a new trigger; `nil` when not panicking.
        public var until: Timestamp?

        /// Not panicking.
        public init(since: Timestamp? = nil, until: Timestamp? = nil) {
            self.since = since
            self.until = until
        }
    }
}
