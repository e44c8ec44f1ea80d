import BallastCore
import BallastTesting
import Controller
import Foundation
import Logging

/// A daemon over scripted metrics, a recording actuator and a store, with a policy whose numbers are easy
/// to follow: scale on `queue_p95` above 0.5 s held 30 s, shard above 85 % memory, alert above 90 %.
struct DaemonFixture {
    static let key = DeploymentKey(policy: "chat", model: "chat")

    static func policy(webhook: String? = nil) -> Policy {
        Policy(
            name: "chat",
            target: Target(model: "chat", minReplicas: 1, maxReplicas: 6),
            signals: [
                Signal(name: "queue_p95", source: .query("queue")),
                Signal(name: "memory_ratio", source: .query("memory")),
            ],
            rules: [
                Rule(
                    name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: 0.5),
                    forDuration: .seconds(30), action: .scale(ScaleAction(target: 0.5))),
                Rule(
                    name: "memory-shard", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.85),
                    action: .shard(ShardAction())),
                Rule(
                    name: "memory-alert", condition: .compare(signal: "memory_ratio", op: .greater, threshold: 0.9),
                    action: .alert(AlertAction(severity: .critical, summary: "memory high", webhook: webhook))),
            ],
            behavior: ScalingBehavior(panic: nil)
        )
    }

    static func deployment(_ policy: Policy) -> ManagedDeployment {
        ManagedDeployment(
            key: key, policy: policy,
            queries: [NamedQuery(name: "queue_p95", text: "queue"), NamedQuery(name: "memory_ratio", text: "memory")],
            observe: { readings, fleet in Observation(readings: readings, fleet: fleet) })
    }

    let source = ScriptedMetricsSource()
    let runtime: RecordingActuator
    let store: any StateStore
    let daemon: ControllerDaemon

    init(store: any StateStore, policy: Policy = DaemonFixture.policy(), actuator: RecordingActuator = RecordingActuator()) {
        self.store = store
        self.runtime = actuator
        self.daemon = ControllerDaemon(
            deployments: [Self.deployment(policy)], source: source, actuator: runtime, store: store,
            alerts: AlertNotifier(client: nil, logger: Logger(label: "test.alerts")),
            logger: Logger(label: "test.controller"))
    }

    static func at(_ seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: 1_000_000 + seconds) }
}
