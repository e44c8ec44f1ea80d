import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import Logging
import PolicyFile
import Store
import Synchronization

/// Breach → actuation latency of the real controller loop: a ``ControllerDaemon`` ticking every interval with the
/// embedded scraper, a SQLite state store in a temporary folder and an actuator that notes when it is called.
///
/// The daemon scrapes in slices and evaluates after each, as `ballast controller` does. Each trial starts a fresh
/// daemon over the same pages, lets it scrape every target twice, switches one random target's page
/// to a breach (queue waits that put the fleet's `queue_p95` above 1 s, against a `for: 0s` rule at 0.5 s) at a
/// random moment within an interval, and measures the time from the switch to `Actuator.apply`.
enum ActuationLatencyBenchmark {
    /// What the trials measured, in milliseconds.
    struct Result: Sendable {
        var trials: Int
        /// Trials in which no scale-out was applied within the deadline.
        var missed: Int
        var latenciesMilliseconds: [Double]
    }

    /// The policy the trials run: one query signal and a scale rule that acts on the first tick above 0.5 s.
    static let policyYAML = """
        apiVersion: ballast/v1
        kind: Policy
        metadata:
          name: bench-latency
        spec:
          target:
            model: smollm2-135m
            minReplicas: 1
            maxReplicas: 10
          signals:
            queue_p95: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))
          rules:
            - name: queue-time
              when: queue_p95 > 500ms
              for: 0s
              action: {scale: {target: 500ms}}
        """

    /// Calm pages' queue waits spread below 80 ms, so `queue_p95` is about 76 ms until a breach.
    static let calmQueueWaitScale = 0.02

    static func measure(
        pages: BenchPages, ports: [Int], client: HTTPClient, interval: Duration, trials: Int,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Result {
        let document = try PolicyLoader.parseDocument(policyYAML, file: "bench-latency-policy.yaml")
        let targets = BenchPages.scrapeTargets(count: pages.targets, ports: ports)
        var latencies: [Double] = []
        var missed = 0
        for trial in 0..<trials {
            let index = Int.random(in: 0..<pages.targets)
            if let latency = try await runTrial(
                document: document, targets: targets, pages: pages, breaching: index, client: client,
                interval: interval)
            {
                latencies.append(latency)
                progress(String(format: "trial %d: target %d, breach → apply %.1f ms", trial + 1, index, latency))
            } else {
                missed += 1
                progress("trial \(trial + 1): target \(index), no scale-out applied within the deadline")
            }
        }
        return Result(trials: trials, missed: missed, latenciesMilliseconds: latencies)
    }

    /// One trial; the latency in milliseconds, or `nil` when nothing was applied within 10 intervals plus 5 s.
    private static func runTrial(
        document: PolicyDocument, targets: [ScrapeTarget], pages: BenchPages, breaching index: Int,
        client: HTTPClient, interval: Duration
    ) async throws -> Double? {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ballast-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            pages.endBreach()
            try? FileManager.default.removeItem(at: directory)
        }
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let queries = SignalQueries(document: document)
        let policy = document.policy
        let deployment = ManagedDeployment(
            key: DeploymentKey(policy: policy.name, model: policy.target.model, version: policy.target.version),
            policy: policy, queries: queries.queries,
            observe: { readings, fleet in queries.observation(from: readings, fleet: fleet) })
        let scraper = Scraper(
            configuration: Scraper.Configuration(
                interval: interval, longestRangeMilliseconds: queries.longestRangeMilliseconds),
            targets: StaticTargets(targets), httpClient: client)
        let actuator = TimestampingActuator()
        let quiet = Logger(label: "ballast.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let daemon = ControllerDaemon(
            deployments: [deployment], source: EmbeddedMetricsSource(scraper: scraper), actuator: actuator,
            store: store, alerts: AlertNotifier(client: nil, logger: quiet),
            configuration: ControllerDaemon.Configuration(interval: interval), logger: quiet,
            refresh: { now in await scraper.scrapeSlice(now: now) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run() }
            defer { group.cancelAll() }
            let clock = ContinuousClock()
            // Two scrapes of every target first, so the window holds calm samples for the rate to start from.
            let warmDeadline = clock.now + interval * 10 + .seconds(30)
            while await scraper.statistics().scrapesTotal < 2 * targets.count {
                guard clock.now < warmDeadline else {
                    throw ControllerBenchmark.BenchError(
                        message: "The controller loop did not scrape every target twice within 10 intervals plus 30 s; lower --targets or raise --interval.")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let parts = interval.components
            let intervalNanoseconds = max(1, parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
            try await Task.sleep(for: .nanoseconds(Int64.random(in: 0..<intervalNanoseconds)))
            let flip = pages.startBreach(of: index)
            let deadline = flip + interval * 10 + .seconds(5)
            while clock.now < deadline {
                if let applied = actuator.firstScaleOut(after: flip) {
                    let elapsed = applied - flip
                    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }
    }
}

/// An ``Actuator`` that runs nothing: one ready replica, and each `apply` noted with the instant it was called.
final class TimestampingActuator: Actuator {
    private let applied = Mutex<[(instant: ContinuousClock.Instant, replicas: Int)]>([])

    func fleet(of deployment: DeploymentKey, now: Timestamp) async -> FleetState {
        FleetState(desiredReplicas: 1, readyReplicas: 1)
    }

    func apply(_ desired: DesiredState, now: Timestamp) async -> ActuationOutcome {
        let instant = ContinuousClock.now
        applied.withLock { $0.append((instant, desired.replicas)) }
        return ActuationOutcome(succeeded: true, summary: "noted \(desired.replicas) replicas")
    }

    func endpoint(of deployment: DeploymentKey) async -> String? { nil }

    /// The first apply after `instant` that asked for more than one replica.
    func firstScaleOut(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        applied.withLock { calls in calls.first { $0.instant >= instant && $0.replicas > 1 }?.instant }
    }
}
