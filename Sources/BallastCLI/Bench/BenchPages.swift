import BallastCore
import Controller
import Foundation
import NIOCore
import Synchronization

/// The synthetic worker pages `ballast bench controller` serves: one per target at `/t/<index>/metrics`, whose
/// counters advance every second and wrap every four, and one target at a time switchable to a breach page.
final class BenchPages: Sendable {
    static let targetsPerServer = 50
    static let generations = 4
    /// Slow queue waits a breach page adds: enough for one target to carry a fleet of 100,000 past any p95 limit.
    static let breachObservations = 1e9

    let series: Int
    let queueWaitScale: Double?
    private let pages: [[ByteBuffer]]
    /// The breaching target and its pages; the lock is held only to swap or read the reference.
    private let breach = Mutex<(index: Int, pages: [ByteBuffer])?>(nil)

    /// Builds every target's pages; `queueWaitScale` as in ``SyntheticWorkerPage``.
    init(targets: Int, series: Int, queueWaitScale: Double? = nil) {
        self.series = series
        self.queueWaitScale = queueWaitScale
        pages = (0..<targets).map { worker in
            (0..<Self.generations).map { step in
                ByteBuffer(
                    bytes: SyntheticWorkerPage.bytes(
                        worker: worker, step: step, series: series, queueWaitScale: queueWaitScale))
            }
        }
    }

    var targets: Int { pages.count }
    var pageBytes: Int { pages.first?.first?.readableBytes ?? 0 }
    var serverCount: Int { (pages.count + Self.targetsPerServer - 1) / Self.targetsPerServer }

    /// The answer to a request for `path`: the target's page of the current second, or 404.
    func page(path: String) -> MetricsPageServer.Page {
        // Paths are /t/<index>/metrics; the generation follows the wall clock, so servers share no counters.
        let parts = path.split(separator: "/")
        guard parts.count == 3, let index = Int(parts[1]), pages.indices.contains(index) else {
            return MetricsPageServer.Page(status: 404, body: ByteBuffer(string: "no such target\n"))
        }
        let generation = Int(Date().timeIntervalSince1970) % Self.generations
        if let breached = breach.withLock({ $0 }), breached.index == index {
            return MetricsPageServer.Page(body: breached.pages[generation])
        }
        return MetricsPageServer.Page(body: pages[index][generation])
    }

    /// Builds target `index`'s breach pages, then switches the target to them; returns the instant of the switch.
    func startBreach(of index: Int) -> ContinuousClock.Instant {
        let breachPages = (0..<Self.generations).map { step in
            ByteBuffer(
                bytes: SyntheticWorkerPage.bytes(
                    worker: index, step: step, series: series, queueWaitScale: queueWaitScale,
                    slowQueueWaits: Self.breachObservations))
        }
        return breach.withLock { state in
            state = (index, breachPages)
            return ContinuousClock.now
        }
    }

    /// Switches every target back to its ordinary pages.
    func endBreach() {
        breach.withLock { $0 = nil }
    }

    /// The URL of every target on servers listening on `ports`.
    static func scrapeTargets(count: Int, ports: [Int]) -> [ScrapeTarget] {
        (0..<count).map { index in
            ScrapeTarget(
                instance: "worker-\(index)",
                url: "http://127.0.0.1:\(ports[index / targetsPerServer])/t/\(index)/metrics")
        }
    }

    /// Runs the servers for these pages in this process while `body` runs; `body` gets their ports.
    func withServers<T: Sendable>(_ body: ([Int]) async throws -> T) async throws -> T {
        try await Self.withServers(serverCount, handler: { [self] request in page(path: request.path) }, body)
    }

    private static func withServers<T: Sendable>(
        _ count: Int, handler: @escaping @Sendable (MetricsPageServer.Request) async -> MetricsPageServer.Page,
        ports: [Int] = [], _ body: ([Int]) async throws -> T
    ) async throws -> T {
        if ports.count == count { return try await body(ports) }
        return try await MetricsPageServer.withServer(handler: handler) { port in
            try await withServers(count, handler: handler, ports: ports + [port], body)
        }
    }
}
