import BallastCore
import BallastTestSupport
import BallastTesting
import Controller
import Logging
import Synchronization
import Testing

/// The loop ticks as many times per interval as its refresh hook asks: a scraper that scrapes in slices gets an
/// evaluation after every slice.
struct ControllerDaemonSliceTests {
    /// Counts refresh calls and answers a fixed number of ticks per interval.
    final class Slices: Sendable {
        let perInterval: Int
        private let calls = Mutex(0)

        init(perInterval: Int) { self.perInterval = perInterval }

        func refresh(_ now: Timestamp) -> Int {
            calls.withLock { $0 += 1 }
            return perInterval
        }

        var count: Int { calls.withLock { $0 } }
    }

    static func daemon(interval: Duration, slices: Slices) -> ControllerDaemon {
        ControllerDaemon(
            deployments: [DaemonFixture.deployment(DaemonFixture.policy())], source: ScriptedMetricsSource(),
            actuator: RecordingActuator(), store: InMemoryStateStore(),
            alerts: AlertNotifier(client: nil, logger: Logger(label: "test.alerts")),
            configuration: ControllerDaemon.Configuration(interval: interval), logger: Logger(label: "test.controller"),
            refresh: { now in slices.refresh(now) })
    }

    @Test func aTickReturnsWhatTheRefreshHookAsks() async {
        let slices = Slices(perInterval: 7)
        let daemon = Self.daemon(interval: .seconds(5), slices: slices)
        #expect(await daemon.tick(now: DaemonFixture.at(0)) == 7)
        #expect(slices.count == 1)
        #expect(await daemon.status(now: DaemonFixture.at(0)).ticks == 1)
    }

    @Test func theLoopTicksAsOftenPerIntervalAsTheHookAsks() async throws {
        // One tick an hour unless the hook asks for 36,000 an hour: three ticks arrive within the deadline (even
        // one stretched by a busy test run) only when the loop divides the interval.
        let slices = Slices(perInterval: 36_000)
        let daemon = Self.daemon(interval: .seconds(3_600), slices: slices)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run() }
            defer { group.cancelAll() }
            try await waitUntil("the loop ticked three times", timeout: .seconds(30)) { slices.count >= 3 }
        }
    }
}
