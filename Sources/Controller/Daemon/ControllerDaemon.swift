public import BallastCore
public import Logging
public import ServiceLifecycle

/// The controller's loop: observe → evaluate → decide → record → act, once per tick for every deployment.
///
/// An actor that owns the evaluators and desired states. It reads metrics through a ``MetricsSource``,
/// the fleet and its changes through an ``Actuator``, and keeps everything that must survive a restart in
/// a ``StateStore``: a decision and its planned actions are committed in one transaction before any action
/// runs, and each action's outcome is written after, so a controller killed at any point resumes without
/// repeating a completed action or losing a planned one.
public actor ControllerDaemon: Service {
    /// How often the loop runs and what it keeps.
    public struct Configuration: Sendable {
        /// Time between ticks. Default 5 s; the policies' `for:` durations and windows are measured in
        /// real time, so a shorter interval only reacts sooner.
        public var interval: Duration
        /// Decisions kept in memory for status pages, per deployment. Default 20.
        public var recentDecisions: Int

        /// Creates a configuration.
        public init(interval: Duration = .seconds(5), recentDecisions: Int = 20) {
            self.interval = interval
            self.recentDecisions = recentDecisions
        }
    }

    /// Everything the daemon knows about one deployment between ticks.
    struct Managed: Sendable {
        var deployment: ManagedDeployment
        var evaluator: PolicyEvaluator
        var desired: DesiredState
        var fingerprint: String?
        var paused = false
        var lastEvaluation: Evaluation?
        var lastFleet: FleetState?
        var recent: [DecisionRecord] = []
    }

    let configuration: Configuration
    let source: any MetricsSource
    let actuator: any Actuator
    let store: any StateStore
    let alerts: AlertNotifier
    let quantization: QuantizationJobs?
    let logger: Logger
    /// Runs before each tick's reads and returns how many ticks the coming interval should have. The embedded
    /// scraper scrapes one slice of its targets here, so a breach on a page is acted on in the tick that scraped
    /// it, and a large fleet is evaluated after every slice instead of once after all of its scrapes.
    let refresh: (@Sendable (Timestamp) async -> Int)?
    var managed: [String: Managed] = [:]
    let order: [String]
    var started = false
    /// Counters for the controller's own `/metrics`.
    var counters = ControllerCounters()

    /// Creates a daemon for `deployments`; call ``start(now:)`` (or ``run()``) before ticking.
    public init(
        deployments: [ManagedDeployment], source: any MetricsSource, actuator: any Actuator, store: any StateStore,
        alerts: AlertNotifier, quantization: QuantizationJobs? = nil, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "ballast.controller"),
        refresh: (@Sendable (Timestamp) async -> Int)? = nil
    ) {
        self.configuration = configuration
        self.source = source
        self.actuator = actuator
        self.store = store
        self.alerts = alerts
        self.quantization = quantization
        self.logger = logger
        self.refresh = refresh
        self.order = deployments.map(\.key.policy)
        for deployment in deployments {
            managed[deployment.key.policy] = Managed(
                deployment: deployment, evaluator: PolicyEvaluator(policy: deployment.policy),
                desired: deployment.initialDesiredState)
        }
    }

    /// Runs ``start(now:)``, then a tick every ``Configuration/interval`` until graceful shutdown or cancellation.
    public func run() async throws {
        try await start(now: ControllerClock.now())
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {
            logger.info("Controller loop stopped.")
        }
    }

    private func loop() async throws {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            let ticks = await tick(now: ControllerClock.now())
            next = next.advanced(by: configuration.interval / max(1, ticks))
            // A tick that overran its interval starts the next one at once instead of piling up.
            if next < clock.now { next = clock.now }
            try await Task.sleep(until: next, clock: clock)
        }
    }

    /// One pass over every deployment at `now`; returns how many ticks the coming interval should have
    /// (one unless the refresh hook scrapes in slices).
    @discardableResult
    public func tick(now: Timestamp) async -> Int {
        let began = ContinuousClock.now
        let ticks = await refresh?(now) ?? 1
        for policy in order {
            await tick(policy: policy, now: now)
        }
        counters.ticks += 1
        counters.lastTickSeconds = (ContinuousClock.now - began).seconds
        return ticks
    }

    /// Stops or resumes acting on `policy`'s scale and shard decisions; they are still evaluated and
    /// recorded. Returns false when no such policy is managed.
    public func setPaused(_ paused: Bool, policy: String, now: Timestamp) async -> Bool {
        guard managed[policy] != nil else { return false }
        managed[policy]?.paused = paused
        await recordEvent(
            EventRecord(
                time: now, level: "info", deployment: managed[policy]?.deployment.key,
                reason: paused ? "paused" : "resumed",
                message: paused
                    ? "Scaling of \(policy) is paused; decisions are recorded but not carried out."
                    : "Scaling of \(policy) is resumed."))
        return true
    }

    private func tick(policy: String, now: Timestamp) async {
        guard var entry = managed[policy] else { return }
        let key = entry.deployment.key
        var fleet = await actuator.fleet(of: key, now: now)
        // The stored desired state is the authority on what was asked; a runtime that restarted may not know.
        // Shards stay as the runtime reports them: a runtime that cannot shard keeps running one.
        fleet.desiredReplicas = entry.desired.replicas
        let readings = await source.read(entry.deployment.queries, at: now)
        let observation = entry.deployment.observe(readings, fleet)

        var evaluator = entry.evaluator
        let evaluation = evaluator.decide(observed: observation, now: now)
        let plan = TickPlanner.plan(
            previous: entry.desired, evaluation: evaluation, lastFingerprint: entry.fingerprint, paused: entry.paused)

        let commit = TickCommit(
            state: DeploymentState(desired: plan.desired, evaluator: evaluator.state, updatedAt: now),
            decisions: plan.decisions, actions: plan.actions)
        let stored: [DecisionRecord]
        do {
            stored = try await store.commit(commit)
        } catch {
            // Nothing is acted on that could not be recorded; the next tick decides again from the old state.
            counters.storeFailures += 1
            logger.error(
                "Could not record the tick; no action taken.",
                metadata: ["policy": "\(policy)", "error": "\(error)"])
            entry.lastEvaluation = evaluation
            entry.lastFleet = fleet
            managed[policy] = entry
            return
        }
        entry.evaluator = evaluator
        entry.desired = plan.desired
        entry.fingerprint = plan.fingerprint
        entry.lastEvaluation = evaluation
        entry.lastFleet = fleet
        entry.recent = Array((stored.reversed() + entry.recent).prefix(configuration.recentDecisions))
        managed[policy] = entry

        for decision in stored {
            counters.countDecision(policy: policy, kind: decision.kind, rule: decision.rule)
            let level: Logger.Level = decision.kind == "hold" ? .debug : .info
            logger.log(
                level: level, "\(decision.summary)",
                metadata: ["policy": "\(policy)", "decision": "\(decision.id ?? 0)", "kind": "\(decision.kind)"])
        }
        let actions = plan.actions.map { action -> ActionRecord in
            var action = action
            if let index = action.decisionID, stored.indices.contains(Int(index)) {
                action.decisionID = stored[Int(index)].id
            }
            return action
        }
        await perform(actions, now: now)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
