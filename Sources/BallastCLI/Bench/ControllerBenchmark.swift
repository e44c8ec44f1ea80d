import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import NIOCore
import PolicyFile
import PromText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives the embedded ``Scraper`` and ``EmbeddedMetricsSource`` against in-process loopback targets: each round
/// scrapes every target once and evaluates a policy's queries (the default policy's, from the command), as a controller tick does.
///
/// Targets are paths on a few loopback servers (one per 50 targets, so descriptors stay few); each serves a
/// synthetic worker page whose counters advance every second and wrap every four. The servers run in this
/// process, so the CPU time measured includes serving the pages: the scraper alone costs less.
struct ControllerBenchmark {
    /// What one run measured.
    struct Result: Encodable {
        var targets: Int
        var seriesPerPage: Int
        var pageBytes: Int
        var rounds: Int
        /// Wall-clock seconds of the timed rounds.
        var seconds: Double
        /// CPU seconds of the whole process over the timed rounds (user + system, every thread, from getrusage).
        var cpuSeconds: Double
        var scrapesPerSecond: Double
        /// Targets scraped and evaluated per wall-clock second.
        var targetsPerSecond: Double
        /// Targets scraped and evaluated per CPU second: throughput per core.
        var targetsPerCPUSecond: Double
        var scrapeLatencyP50Milliseconds: Double
        var scrapeLatencyP99Milliseconds: Double
        /// Mean time to evaluate every query of the policy once, in milliseconds.
        var evaluationMilliseconds: Double
        var failedScrapes: Int
        var seriesInWindow: Int

        var json: String { (try? JSONOutput.line(self)) ?? "{}" }

        var summary: String {
            "Scraped and evaluated \(targets) targets × \(seriesPerPage) series, \(rounds) rounds in "
                + String(format: "%.1f s: %.0f targets/s, %.0f targets per CPU second, ", seconds, targetsPerSecond, targetsPerCPUSecond)
                + String(format: "scrape p50 %.1f ms, p99 %.1f ms, evaluation %.1f ms", scrapeLatencyP50Milliseconds, scrapeLatencyP99Milliseconds, evaluationMilliseconds)
                + (failedScrapes > 0 ? ", \(failedScrapes) failed scrapes." : ".")
        }
    }

    static let targetsPerServer = 50
    static let generations = 4

    static func measure(
        targets: Int, series: Int, duration: Duration, policy: PolicyDocument, progress: @escaping @Sendable (String) -> Void
    ) async throws -> Result {
        progress("building \(targets) pages of \(series) series")
        let pages: [[ByteBuffer]] = (0..<targets).map { worker in
            (0..<generations).map { step in
                ByteBuffer(bytes: SyntheticWorkerPage.bytes(worker: worker, step: step, series: series))
            }
        }
        let pageBytes = pages.first?.first?.readableBytes ?? 0
        // The worker contract alone has about 160 series; `series` pads above that, never trims.
        let seriesPerPage = SyntheticWorkerPage.families(worker: 0, step: 0, series: series)
            .reduce(0) { $0 + $1.samples.count }
        let queries = SignalQueries(document: policy)
        let serverCount = (targets + targetsPerServer - 1) / targetsPerServer
        let handler: @Sendable (MetricsPageServer.Request) async -> MetricsPageServer.Page = { request in
            // Paths are /t/<index>/metrics; the generation follows the wall clock, so no state is shared.
            let parts = request.path.split(separator: "/")
            guard parts.count == 3, let index = Int(parts[1]), pages.indices.contains(index) else {
                return MetricsPageServer.Page(status: 404, body: ByteBuffer(string: "no such target\n"))
            }
            let generation = Int(Date().timeIntervalSince1970) % generations
            return MetricsPageServer.Page(body: pages[index][generation])
        }
        return try await withServers(serverCount, handler: handler) { ports in
            progress("\(serverCount) loopback servers up; scraping for \(duration)")
            let list = (0..<targets).map { index in
                ScrapeTarget(
                    instance: "worker-\(index)",
                    url: "http://127.0.0.1:\(ports[index / targetsPerServer])/t/\(index)/metrics")
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let result = try await run(
                    targets: list, queries: queries, client: client, duration: duration, series: seriesPerPage,
                    pageBytes: pageBytes)
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    private static func run(
        targets: [ScrapeTarget], queries: SignalQueries, client: HTTPClient, duration: Duration, series: Int,
        pageBytes: Int
    ) async throws -> Result {
        let scraper = Scraper(
            configuration: Scraper.Configuration(
                interval: .seconds(5), timeout: .seconds(10),
                longestRangeMilliseconds: queries.longestRangeMilliseconds),
            targets: StaticTargets(targets), httpClient: client)
        let source = EmbeddedMetricsSource(scraper: scraper)
        // Logical time moves one interval per round, so the window holds what a real 5 s cadence would.
        var now = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
        await scraper.scrapeOnce(now: now)
        _ = await source.read(queries.queries, at: now)
        let warmFailures = await scraper.statistics().scrapesFailed
        if warmFailures == targets.count {
            let reason = await scraper.health().first?.lastError ?? "unknown"
            throw BenchError(message: "Every scrape of the warm-up round failed; the first said: \(reason)")
        }

        let clock = ContinuousClock()
        let start = clock.now
        let cpuBefore = processCPUSeconds()
        var rounds = 0
        var latencies: [Double] = []
        var evaluation = Duration.zero
        repeat {
            now += .seconds(5)
            await scraper.scrapeOnce(now: now)
            let evaluationStart = clock.now
            _ = await source.read(queries.queries, at: now)
            evaluation += clock.now - evaluationStart
            latencies.append(contentsOf: await scraper.health().compactMap(\.lastDurationSeconds))
            rounds += 1
        } while clock.now - start < duration
        let elapsed = clock.now - start
        let cpuSeconds = processCPUSeconds() - cpuBefore
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let statistics = await scraper.statistics()
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            return latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.down)))] * 1000
        }
        let scraped = Double(targets.count * rounds)
        return Result(
            targets: targets.count, seriesPerPage: series, pageBytes: pageBytes, rounds: rounds, seconds: seconds,
            cpuSeconds: cpuSeconds, scrapesPerSecond: scraped / seconds, targetsPerSecond: scraped / seconds,
            targetsPerCPUSecond: scraped / cpuSeconds, scrapeLatencyP50Milliseconds: percentile(0.5),
            scrapeLatencyP99Milliseconds: percentile(0.99),
            evaluationMilliseconds: Double(evaluation.components.attoseconds) * 1e-15 / Double(rounds)
                + Double(evaluation.components.seconds) * 1000 / Double(rounds),
            failedScrapes: statistics.scrapesFailed - warmFailures, seriesInWindow: statistics.seriesInWindow)
    }

    /// Runs `count` page servers, nested, and hands their ports to `body`.
    private static func withServers<T: Sendable>(
        _ count: Int, handler: @escaping @Sendable (MetricsPageServer.Request) async -> MetricsPageServer.Page,
        ports: [Int] = [], _ body: ([Int]) async throws -> T
    ) async throws -> T {
        if ports.count == count { return try await body(ports) }
        return try await MetricsPageServer.withServer(handler: handler) { port in
            try await withServers(count, handler: handler, ports: ports + [port], body)
        }
    }

    /// CPU time of this process so far (user + system, every thread), in seconds, from getrusage.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            let who = RUSAGE_SELF.rawValue
        #else
            let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    struct BenchError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
