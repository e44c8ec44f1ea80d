public import BallastCore
import Logging

extension ControllerDaemon {
    /// Restores every deployment from the store, finishes what a previous run left unfinished, and
    /// brings the runtime to the desired states. Returns one line per thing it resumed, for the log.
    ///
    /// Completed actions are never run again. A planned scale or shard whose desired state is still
    /// current is applied now (once: applying a desired state is idempotent); one overtaken by a newer
    /// decision is marked superseded. Planned alerts are sent; quantizations are started again.
    @discardableResult
    public func start(now: Timestamp) async throws -> [String] {
        guard !started else { return [] }
        var report: [String] = []
        let states = try await store.deploymentStates()
        for policy in order {
            guard var entry = managed[policy], let saved = states[policy] else { continue }
            let target = entry.deployment.policy.target
            var desired = saved.desired
            let bounded = min(max(desired.replicas, target.minReplicas), target.maxReplicas)
            if bounded != desired.replicas {
                report.append(
                    "\(policy): stored desired replicas \(desired.replicas) lie outside the policy's "
                        + "\(target.minReplicas)…\(target.maxReplicas); using \(bounded)")
                desired.replicas = bounded
            }
            entry.desired = desired
            entry.evaluator = PolicyEvaluator(policy: entry.deployment.policy, state: saved.evaluator)
            managed[policy] = entry
            report.append("\(policy): resumed at \(desired.replicas) replicas × \(desired.shards) shards")
        }

        var resumedMoves: [String: [ActionRecord]] = [:]
        for action in try await store.unfinishedActions() {
            guard let entry = managed[action.deployment.policy] else {
                await update(
                    action, status: .failed,
                    detail: "The policy \(action.deployment.policy) is no longer configured; the action was dropped.",
                    now: now)
                continue
            }
            if let desired = action.desired {
                if desired == entry.desired {
                    resumedMoves[action.deployment.policy, default: []].append(action)
                } else {
                    await update(
                        action, status: .superseded,
                        detail: "A later decision changed the desired state before this one was carried out.",
                        now: now)
                }
                continue
            }
            report.append("\(action.deployment.policy): resuming \(action.kind) action \(action.key)")
            await performOther(action, now: now)
        }

        for policy in order {
            guard let entry = managed[policy] else { continue }
            let outcome = await actuator.apply(entry.desired, now: ControllerClock.now())
            for action in resumedMoves[policy] ?? [] {
                report.append("\(policy): finished \(action.request) left by the previous run")
                await finish(action, outcome: outcome, now: now)
            }
            if !outcome.succeeded {
                report.append("\(policy): could not reach the desired state yet: \(outcome.summary)")
                await recordEvent(
                    EventRecord(
                        time: now, level: "error", deployment: entry.deployment.key, reason: "actuation-failed",
                        message: "Bringing \(policy) to \(entry.desired.replicas) replicas failed: \(outcome.summary)"))
            }
        }
        started = true
        for line in report { logger.info("\(line)") }
        return report
    }
}
