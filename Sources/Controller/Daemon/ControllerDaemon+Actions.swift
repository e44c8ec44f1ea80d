import BallastCore
import Logging

extension ControllerDaemon {
    /// Carries out a tick's planned actions and records each outcome.
    ///
    /// Scale and shard actions of one tick share a desired state, so it is applied once and both are
    /// marked with its outcome.
    func perform(_ actions: [ActionRecord], now: Timestamp) async {
        let moves = actions.filter { $0.desired != nil }
        if let desired = moves.last?.desired {
            let outcome = await actuator.apply(desired, now: ControllerClock.now())
            var running: Int?
            for action in moves {
                guard action.kind == "shard", outcome.succeeded else {
                    await finish(action, outcome: outcome, now: now)
                    continue
                }
                // A runtime that cannot shard reconciles replicas and keeps its shard count; the shard decision
                // then stands as a recommendation, recorded as not carried out.
                if running == nil { running = await actuator.fleet(of: desired.deployment, now: now).shards }
                let shards = running ?? desired.shards
                var result = outcome
                if shards < desired.shards {
                    result.succeeded = false
                    result.summary =
                        "Sharding into \(desired.shards) is recommended, but the runtime runs \(shards) shard(s) per "
                        + "replica: \(outcome.summary)"
                }
                await finish(action, outcome: result, now: now)
            }
        }
        for action in actions where action.desired == nil {
            await performOther(action, now: now)
        }
    }

    /// Alerts, quantizations and rollouts.
    func performOther(_ action: ActionRecord, now: Timestamp) async {
        guard let decisionID = action.decisionID, let decision = try? await store.decision(id: decisionID),
            let planned = decision.evaluation.actions.first(where: { $0.rule == decision.rule })
        else {
            await update(
                action, status: .failed,
                detail: "The decision behind this action could not be read back from the state file.", now: now)
            return
        }
        let rule = decision.rule ?? action.kind
        switch planned.directive {
        case .alert(let severity, let summary, let webhook):
            let delivery = await alerts.raise(
                AlertNotifier.Alert(
                    deployment: action.deployment, rule: rule, severity: severity, summary: summary,
                    condition: planned.condition,
                    time: now),
                webhook: webhook)
            counters.alerts += 1
            await recordEvent(
                EventRecord(
                    time: now, level: severity == "critical" ? "error" : "warning", deployment: action.deployment,
                    reason: "alert", message: "\(rule): \(summary)"))
            await update(action, status: delivery.delivered ? .succeeded : .failed, detail: delivery.detail, now: now)
        case .quantize(let format, let maxQualityLoss, let keep):
            guard let quantization else {
                await update(
                    action, status: .failed,
                    detail:
                        "Quantization needs a local model file; start the controller with --model PATH to evaluate "
                        + "\(format) candidates.", now: now)
                return
            }
            let costNow = decision.evaluation.signals.first { $0.name == CostSignal.costPerInference.rawValue }?
                .reading.number
            await update(action, status: .running, detail: "quantizing to \(format)", now: now)
            await quantization.submit(
                QuantizationJobs.Request(
                    actionKey: action.key, deployment: action.deployment, format: format,
                    maxQualityLoss: maxQualityLoss, keep: keep, costPerInference: costNow))
        case .rollout(let operation, let version):
            await update(
                action, status: .failed,
                detail:
                    "Rollout \(operation)\(version.map { " of \($0)" } ?? "") was decided, but this controller runs "
                    + "no rollout driver; start the canary by hand.", now: now)
        case .shard:
            await update(action, status: .failed, detail: "A shard action carries no desired state.", now: now)
        }
    }

    /// Records an applied desired state's outcome on `action`, and an event when it failed.
    func finish(_ action: ActionRecord, outcome: ActuationOutcome, now: Timestamp) async {
        counters.countAction(kind: action.kind, succeeded: outcome.succeeded)
        if !outcome.succeeded {
            logger.error(
                "\(action.request) failed: \(outcome.summary)",
                metadata: ["policy": "\(action.deployment.policy)", "action": "\(action.key)"])
            await recordEvent(
                EventRecord(
                    time: now, level: "error", deployment: action.deployment, reason: "actuation-failed",
                    message: "\(action.request) failed: \(outcome.summary)"))
        }
        do {
            try await store.updateAction(
                key: action.key, status: outcome.succeeded ? .succeeded : .failed, detail: outcome.summary,
                commands: outcome.commands, result: nil, at: ControllerClock.now())
        } catch {
            logger.error(
                "Could not record an action's outcome.", metadata: ["action": "\(action.key)", "error": "\(error)"])
        }
    }

    /// Moves `action` to `status`, logging store failures instead of throwing: the loop keeps running.
    func update(
        _ action: ActionRecord, status: ActionStatus, detail: String?, result: String? = nil, now: Timestamp
    ) async {
        if status.isFinal { counters.countAction(kind: action.kind, succeeded: status == .succeeded) }
        do {
            try await store.updateAction(
                key: action.key, status: status, detail: detail, commands: [], result: result, at: now)
        } catch {
            logger.error(
                "Could not record an action's outcome.", metadata: ["action": "\(action.key)", "error": "\(error)"])
        }
    }

    /// Appends an event to the store, logging (not throwing) when that fails.
    func recordEvent(_ event: EventRecord) async {
        do {
            try await store.record(event)
        } catch {
            logger.error("Could not record an event.", metadata: ["event": "\(event.reason)", "error": "\(error)"])
        }
    }
}
