import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import PolicyFile
import PromText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives the embedded ``Scraper`` and ``EmbeddedMetricsSource`` against loopback targets: each round scrapes
/// every target once and evaluates a policy's queries, as a controller tick does; then measures breach →
/// actuation latency through the real controller loop (``ActuationLatencyBenchmark``).
///
/// Targets are paths on a few loopback servers (one per 50 targets, so descriptors stay few); each serves a
/// synthetic worker page whose counters advance every second and wrap every four. The servers run in a child
/// process by default, so this process's CPU time is the controller side's alone; the child's is reported apart.
struct ControllerBenchmark {
    /// Where the page servers run.
    enum PageServers: String, Sendable {
        /// A child process of the same executable: the measured CPU time is the controller side's only.
        case child
        /// This process: the measured CPU time includes serving the pages.
        case inProcess = "in-process"
    }

    /// What one run measured.
    struct Result: Encodable {
        var targets: Int
        var seriesPerPage: Int
        var pageBytes: Int
        var rounds: Int
        /// Wall-clock seconds of the timed rounds.
        var seconds: Double
        /// `child` or `in-process`.
        var pageServers: String
        /// CPU seconds of this process over the timed rounds (user + system, every thread, from getrusage).
        var cpuSeconds: Double
        /// CPU seconds of the page server process over the timed rounds; `nil` when the pages are served in process.
        var pageServerCPUSeconds: Double?
        var scrapesPerSecond: Double
        /// Targets scraped and evaluated per wall-clock second.
        var targetsPerSecond: Double
        /// Targets scraped and evaluated per CPU second of this process: throughput per core of the controller
        /// side when the pages are served by a child, of controller and servers together when in process.
        var targetsPerCPUSecond: Double
        /// Targets per CPU second of this process and the page servers together.
        var targetsPerTotalCPUSecond: Double
        var scrapeLatencyP50Milliseconds: Double
        var scrapeLatencyP99Milliseconds: Double
        /// Slices per round, each followed by an evaluation of every query, as in the controller.
        var evaluationsPerRound: Int
        /// Mean time to evaluate every query of the policy once, in milliseconds.
        var evaluationMilliseconds: Double
        var failedScrapes: Int
        var seriesInWindow: Int
        /// Tick interval of the latency trials, in milliseconds.
        var intervalMilliseconds: Double
        /// Breach → actuation trials run, and how many saw no scale-out in time.
        var latencyTrials: Int
        var latencyTrialsMissed: Int
        /// Time from a page switching to a breach to `Actuator.apply`, in milliseconds; `nil` without trials.
        var actuationLatencyP50Milliseconds: Double?
        var actuationLatencyP99Milliseconds: Double?
        var actuationLatencyMaxMilliseconds: Double?
        /// Whether every trial acted within one interval plus 100 ms of the breach; `nil` without trials.
        var actuationWithinIntervalPlus100ms: Bool?

        var json: String { (try? JSONOutput.line(self)) ?? "{}" }

        var summary: String {
            var text =
                "Scraped and evaluated \(targets) targets × \(seriesPerPage) series, \(rounds) rounds in "
                + String(format: "%.1f s: %.0f targets/s, %.0f targets per CPU second", seconds, targetsPerSecond, targetsPerCPUSecond)
                + (pageServers == "child"
                    ? String(format: " (%.0f with the page servers), ", targetsPerTotalCPUSecond)
                    : " (page servers included), ")
                + String(format: "scrape p50 %.1f ms, p99 %.1f ms, evaluation %.1f ms (%d a round)", scrapeLatencyP50Milliseconds, scrapeLatencyP99Milliseconds, evaluationMilliseconds, evaluationsPerRound)
                + (failedScrapes > 0 ? ", \(failedScrapes) failed scrapes" : "")
            if let p50 = actuationLatencyP50Milliseconds, let p99 = actuationLatencyP99Milliseconds,
                let maximum = actuationLatencyMaxMilliseconds
            {
                text += String(
                    format: "; breach → actuation p50 %.0f ms, p99 %.0f ms, max %.0f ms at a %.0f ms interval",
                    p50, p99, maximum, intervalMilliseconds)
            }
            if latencyTrialsMissed > 0 { text += ", \(latencyTrialsMissed) of \(latencyTrials) trials not acted on" }
            return text + "."
        }
    }

    static func measure(
        targets: Int, series: Int, duration: Duration, policy: PolicyDocument, pageServers: PageServers,
        interval: Duration, latencyTrials: Int, progress: @escaping @Sendable (String) -> Void
    ) async throws -> Result {
        progress("building \(targets) pages of \(series) series")
        // The worker contract alone has about 160 series; `series` pads above that, never trims.
        let seriesPerPage = SyntheticWorkerPage.families(worker: 0, step: 0, series: series)
            .reduce(0) { $0 + $1.samples.count }
        let queries = SignalQueries(document: policy)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var result: Result
            switch pageServers {
            case .child:
                let child = try await PageServerProcess.start(targets: targets, series: series)
                do {
                    progress("\(child.ports.count) loopback servers up in process \(child.process.processIdentifier)")
                    result = try await run(
                        targets: BenchPages.scrapeTargets(count: targets, ports: child.ports), queries: queries,
                        client: client, duration: duration, series: seriesPerPage,
                        pageBytes: SyntheticWorkerPage.bytes(worker: 0, step: 0, series: series).count,
                        serverCPU: { child.cpuSeconds() }, progress: progress)
                    result.pageServers = PageServers.child.rawValue
                    child.stop()
                } catch {
                    child.stop()
                    throw error
                }
            case .inProcess:
                let pages = BenchPages(targets: targets, series: series)
                result = try await pages.withServers { ports in
                    progress("\(ports.count) loopback servers up in this process")
                    return try await run(
                        targets: BenchPages.scrapeTargets(count: targets, ports: ports), queries: queries, client: client,
                        duration: duration, series: seriesPerPage, pageBytes: pages.pageBytes, serverCPU: { nil },
                        progress: progress)
                }
            }
            // Attoseconds to milliseconds in one division, so 0.2 s is exactly 200.
            result.intervalMilliseconds =
                (Double(interval.components.seconds) * 1e18 + Double(interval.components.attoseconds)) / 1e15
            if latencyTrials > 0 {
                let pages = BenchPages(
                    targets: targets, series: series, queueWaitScale: ActuationLatencyBenchmark.calmQueueWaitScale)
                let latency = try await pages.withServers { ports in
                    progress("breach → actuation: \(latencyTrials) trials at a \(interval) interval")
                    return try await ActuationLatencyBenchmark.measure(
                        pages: pages, ports: ports, client: client, interval: interval, trials: latencyTrials,
                        progress: progress)
                }
                result.latencyTrials = latency.trials
                result.latencyTrialsMissed = latency.missed
                let sorted = latency.latenciesMilliseconds.sorted()
                if !sorted.isEmpty {
                    result.actuationLatencyP50Milliseconds = nearestRank(0.5, sorted)
                    result.actuationLatencyP99Milliseconds = nearestRank(0.99, sorted)
                    result.actuationLatencyMaxMilliseconds = sorted.last
                }
                result.actuationWithinIntervalPlus100ms =
                    latency.missed == 0 && (sorted.last ?? .infinity) <= result.intervalMilliseconds + 100
            }
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The nearest-rank percentile of sorted values.
    static func nearestRank(_ p: Double, _ sorted: [Double]) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }

    private static func run(
        targets: [ScrapeTarget], queries: SignalQueries, client: HTTPClient, duration: Duration, series: Int,
        pageBytes: Int, serverCPU: () -> Double?, progress: @Sendable (String) -> Void
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
        progress("scraping for \(duration)")
        let cpuBefore = processCPUSeconds()
        let serverCPUBefore = serverCPU()
        var rounds = 0
        var latencies: [Double] = []
        var evaluation = Duration.zero
        var evaluations = 0
        // As the controller does: a round is made of slices, and the queries are evaluated after each.
        var slices = 1
        repeat {
            var slice = 0
            repeat {
                now += .seconds(5) / slices
                slices = await scraper.scrapeSlice(now: now)
                let evaluationStart = clock.now
                _ = await source.read(queries.queries, at: now)
                evaluation += clock.now - evaluationStart
                evaluations += 1
                slice += 1
            } while slice < slices
            latencies.append(contentsOf: await scraper.health().compactMap(\.lastDurationSeconds))
            rounds += 1
        } while clock.now - start < duration
        let elapsed = clock.now - start
        let cpuSeconds = processCPUSeconds() - cpuBefore
        let serverCPUSeconds = serverCPU().flatMap { after in serverCPUBefore.map { after - $0 } }
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
            pageServers: PageServers.inProcess.rawValue, cpuSeconds: cpuSeconds, pageServerCPUSeconds: serverCPUSeconds,
            scrapesPerSecond: scraped / seconds, targetsPerSecond: scraped / seconds,
            targetsPerCPUSecond: scraped / cpuSeconds,
            targetsPerTotalCPUSecond: scraped / (cpuSeconds + (serverCPUSeconds ?? 0)),
            scrapeLatencyP50Milliseconds: percentile(0.5),
            scrapeLatencyP99Milliseconds: percentile(0.99),
            evaluationsPerRound: Int((Double(evaluations) / Double(max(1, rounds))).rounded()),
            evaluationMilliseconds: Double(evaluation.components.attoseconds) * 1e-15 / Double(evaluations)
                + Double(evaluation.components.seconds) * 1000 / Double(evaluations),
            failedScrapes: statistics.scrapesFailed - warmFailures, seriesInWindow: statistics.seriesInWindow,
            intervalMilliseconds: 0, latencyTrials: 0, latencyTrialsMissed: 0)
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
