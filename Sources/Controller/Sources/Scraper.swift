public import AsyncHTTPClient
public import BallastCore
import Foundation
import NIOCore
import NIOHTTP1
public import PromQL
import PromText
public import ServiceLifecycle

/// Scrapes every target's metrics page into one in-memory ``SeriesWindow`` that the ``EmbeddedMetricsSource``
/// queries with PromQL.
///
/// Each target is scraped in its own task with its own timeout, so a slow or broken target never delays the
/// others; pages are parsed off the actor and only ingestion is serialised. Like Prometheus, every sample gets
/// the target's labels and `instance` (labels on the page win, as with `honor_labels`), each target also gets
/// `up`, `scrape_duration_seconds` and `scrape_samples_scraped` series, and series that vanish (or whose target
/// fails or goes away) get a staleness marker. Memory is bounded by the retention and a per-target series cap.
///
/// ``run()`` scrapes on a timer, each target at its own offset within the interval so scrapes spread out;
/// ``scrapeSlice(now:)`` scrapes one slice of a round, for a controller that evaluates after each slice;
/// ``scrapeOnce(now:)`` does one whole round without timers, for tests and benchmarks.
public actor Scraper: Service {
    /// How often and how carefully targets are scraped, and how much history is kept.
    public struct Configuration: Sendable, Hashable {
        /// Time between two scrapes of one target. Default 5 s.
        public var interval: Duration
        /// How long one scrape (request and whole body) may take. Default `min(interval, 10s)`.
        public var timeout: Duration
        /// How much history the window keeps, in milliseconds: the longest range queries read plus two intervals.
        /// Default: one minute plus two intervals.
        public var retentionMilliseconds: Int64
        /// Most series one page may hold; a larger page fails its scrape with `up` 0, as Prometheus'
        /// `sample_limit` does. Default 50,000: a busy vLLM page has about 2,000.
        public var maximumSeriesPerTarget: Int
        /// Largest page body in bytes. Default 32 MiB.
        public var maximumPageBytes: Int
        /// Most targets ``scrapeSlice(now:)`` scrapes in one call. Default 350: about 45 ms of scraping on two
        /// cores, so a breach on any target is evaluated that soon after its scrape. Smaller slices react sooner
        /// and cost more: every slice is followed by an evaluation over all targets.
        public var targetsPerSlice: Int
        /// Largest share of the interval that evaluations may take, which caps the slices per interval: each
        /// slice is followed by an evaluation over every target, so without a cap a fleet ten times larger would
        /// cost a hundred times the evaluation. Default 0.25.
        public var evaluationShare: Double

        /// Creates a configuration; `timeout` defaults to `min(interval, 10s)` and retention to
        /// `longestRangeMilliseconds` (default one minute) plus two intervals.
        public init(
            interval: Duration = .seconds(5), timeout: Duration? = nil, longestRangeMilliseconds: Int64 = 60_000,
            maximumSeriesPerTarget: Int = 50_000, maximumPageBytes: Int = 32 << 20, targetsPerSlice: Int = 350,
            evaluationShare: Double = 0.25
        ) {
            self.interval = interval
            self.timeout = timeout ?? min(interval, ScrapeSettings.maximumDefaultTimeout)
            self.retentionMilliseconds = max(0, longestRangeMilliseconds) + 2 * Scraper.milliseconds(interval)
            self.maximumSeriesPerTarget = max(1, maximumSeriesPerTarget)
            self.maximumPageBytes = max(1, maximumPageBytes)
            self.targetsPerSlice = max(1, targetsPerSlice)
            self.evaluationShare = evaluationShare.isFinite ? min(1, max(0, evaluationShare)) : 0.25
        }

        /// The configuration for a policy's `spec.scrape` and the queries it evaluates.
        public init(settings: ScrapeSettings, queries: SignalQueries) {
            self.init(
                interval: settings.interval, timeout: settings.timeout,
                longestRangeMilliseconds: queries.longestRangeMilliseconds)
        }

        var windowConfiguration: SeriesWindow.Configuration {
            let interval = max(1, Scraper.milliseconds(self.interval))
            // Twice the samples the retention holds at the nominal interval: room for jitter, never unbounded.
            let perSeries = Int(min(Int64(1 << 20), retentionMilliseconds / interval * 2 + 16))
            return SeriesWindow.Configuration(
                retentionMilliseconds: retentionMilliseconds, maximumSamplesPerSeries: perSeries)
        }
    }

    /// One target and how its scrapes go.
    struct TargetState {
        var target: ScrapeTarget
        /// Labels added to every sample: the target's labels and `instance`, sorted, ready to merge.
        var extraLabels: [Label]
        var health: TargetHealth
        var inFlight = false
        /// Offset of this target's scrapes within the interval, in milliseconds.
        var offsetMilliseconds: Int64
        var nextDue: ContinuousClock.Instant?
        /// The layout of the last page that parsed, so an unchanged page is read as values only.
        var layout: PageLayout?
    }

    /// What one scrape brought back, computed off the actor.
    struct ScrapeResult: Sendable {
        /// Samples of a page parsed in full, target labels merged; empty on the fast path.
        var samples: [Sample]
        var error: String?
        var durationSeconds: Double
        /// Values of a page that matched the target's layout, in the order of its last full parse.
        var values: [Double]? = nil
        /// The page behind ``values``, parsed on the actor only if the window no longer holds the target's series.
        var page: ByteBuffer? = nil
        var contentType = ""
        /// The layout of a page parsed in full, for the next scrape.
        var layout: PageLayout? = nil

        /// Number of samples the page held.
        var sampleCount: Int { values?.count ?? samples.count }
    }

    /// What a download brought back.
    enum Download: Sendable {
        case parsed([Sample], PageLayout?)
        case values([Double], ByteBuffer, String)
    }

    /// The settings this scraper was created with.
    public nonisolated let configuration: Configuration
    private let provider: any TargetProvider
    private let client: HTTPClient
    private var window: SeriesWindow
    private var states: [String: TargetState] = [:]
    private var order: [String] = []
    private var stats = ScraperStatistics()
    private var lastDiscoveryError: String?
    /// The slice ``scrapeSlice(now:)`` scrapes next, and how many slices the current interval has.
    private var nextSlice = 0
    private var sliceCount = 1
    /// How long the last ``readings(of:at:)`` took, in seconds: the cost of one evaluation.
    private var lastEvaluationSeconds = 0.0

    /// Creates a scraper.
    ///
    /// - Parameters:
    ///   - configuration: interval, timeout, retention and limits.
    ///   - targets: asked for the target list before every round.
    ///   - httpClient: shared client for every scrape; the caller owns it and shuts it down.
    public init(configuration: Configuration = Configuration(), targets: any TargetProvider, httpClient: HTTPClient) {
        self.configuration = configuration
        self.provider = targets
        self.client = httpClient
        self.window = SeriesWindow(configuration: configuration.windowConfiguration)
    }

    // MARK: Reading

    /// Every known target's health, in discovery order.
    public func health() -> [TargetHealth] {
        order.compactMap { states[$0]?.health }
    }

    /// Counters for the controller's `/metrics`.
    public func statistics() -> ScraperStatistics {
        var result = stats
        result.targets = states.count
        result.seriesInWindow = window.seriesCount
        return result
    }

    /// Why the last target discovery failed, or `nil` when it succeeded; the scraper then kept its last list.
    public func discoveryError() -> String? { lastDiscoveryError }

    /// Evaluates `expressions` over the window at `timeMilliseconds`, each to one reading (see ``QueryReading``).
    ///
    /// Subexpressions the queries share are evaluated once for all of them.
    public func readings(of expressions: [PromQL.Expression], at timeMilliseconds: Int64) -> [SignalReading] {
        let clock = ContinuousClock()
        let began = clock.now
        defer { lastEvaluationSeconds = Self.seconds(clock.now - began) }
        return window.evaluate(expressions, at: timeMilliseconds).map { result in
            switch result {
            case .success(let value): return QueryReading.reading(of: value)
            case .failure(let error): return .failed(reason: "\(error)")
            }
        }
    }

    /// Evaluates one expression over the window, as Prometheus' `/api/v1/query` would.
    public func evaluate(_ expression: PromQL.Expression, at timeMilliseconds: Int64) throws(PromQLError) -> QueryValue {
        try window.evaluate(expression, at: timeMilliseconds)
    }

    // MARK: Scraping

    /// One round without timers: asks for targets, scrapes all of them concurrently with samples stamped `now`,
    /// and returns when every scrape has finished or timed out. A target still being scraped is skipped.
    public func scrapeOnce(now: Timestamp) async {
        await refreshTargets(at: now.millisecondsSinceEpoch)
        await scrape(at: now) { _ in true }
    }

    /// One slice of a round: the targets whose offset falls in the next of ``sliceCount`` equal parts of the
    /// interval, scraped concurrently with samples stamped `now`. Returns how many slices the interval has, so
    /// the caller calls this that many times per interval.
    ///
    /// The first slice of an interval asks for targets and sets the count to fit ``Configuration/targetsPerSlice``;
    /// a target keeps its slice while the count stays, so it is scraped once per interval. A controller that
    /// evaluates after each slice sees a change on a page right after the slice that scraped it, instead of after
    /// a round over every target.
    public func scrapeSlice(now: Timestamp) async -> Int {
        if nextSlice == 0 {
            await refreshTargets(at: now.millisecondsSinceEpoch)
            sliceCount = Self.slices(
                targets: order.count, configuration: configuration, evaluationSeconds: lastEvaluationSeconds)
        }
        let slice = nextSlice
        let count = sliceCount
        nextSlice = (nextSlice + 1) % count
        let interval = max(1, Self.milliseconds(configuration.interval))
        await scrape(at: now) { state in
            Int(state.offsetMilliseconds * Int64(count) / interval) == slice
        }
        return count
    }

    /// Slices for an interval: enough for at most ``Configuration/targetsPerSlice`` targets each, but no more
    /// than evaluations of `evaluationSeconds` fit in ``Configuration/evaluationShare`` of the interval.
    static func slices(targets: Int, configuration: Configuration, evaluationSeconds: Double) -> Int {
        let wanted = max(1, (targets + configuration.targetsPerSlice - 1) / configuration.targetsPerSlice)
        guard evaluationSeconds > 0 else { return wanted }
        let affordable = seconds(configuration.interval) * configuration.evaluationShare / evaluationSeconds
        return max(1, Int(min(affordable, Double(wanted))))
    }

    /// Scrapes the targets `include` picks that are not still being scraped, concurrently, stamped `time`.
    private func scrape(at now: Timestamp, including include: (TargetState) -> Bool) async {
        let due = order.filter { key in states[key].map { !$0.inFlight && include($0) } ?? false }
        for key in due { states[key]?.inFlight = true }
        let jobs = due.compactMap { key in states[key].map { (key, $0.target.url, $0.extraLabels, $0.layout) } }
        let settings = fetchSettings
        await withTaskGroup(of: Void.self) { group in
            for (key, url, extra, layout) in jobs {
                group.addTask {
                    let result = await Self.fetch(url: url, extra: extra, layout: layout, settings: settings)
                    await self.record(result, key: key, at: now.millisecondsSinceEpoch)
                }
            }
        }
    }

    /// Scrapes on a timer until cancelled or a graceful shutdown: each target every interval at its own offset,
    /// targets asked for once per interval. Samples are stamped with the wall-clock time the scrape started.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    private func loop() async {
        let clock = ContinuousClock()
        let interval = configuration.interval
        await withDiscardingTaskGroup { group in
            var nextRefresh = clock.now
            while !Task.isCancelled {
                if clock.now >= nextRefresh {
                    await refreshTargets(at: Self.wallMilliseconds())
                    nextRefresh = clock.now + interval
                    schedule(now: clock.now, wall: Self.wallMilliseconds())
                }
                let now = clock.now
                let settings = fetchSettings
                for key in order {
                    guard var state = states[key], !state.inFlight, let due = state.nextDue, due <= now else {
                        continue
                    }
                    state.inFlight = true
                    // A target that fell behind (a long pause) resumes on its grid instead of catching up.
                    var next = due + interval
                    while next <= now { next += interval }
                    state.nextDue = next
                    states[key] = state
                    let url = state.target.url
                    let extra = state.extraLabels
                    let layout = state.layout
                    group.addTask {
                        let started = Self.wallMilliseconds()
                        let result = await Self.fetch(url: url, extra: extra, layout: layout, settings: settings)
                        await self.record(result, key: key, at: started)
                    }
                }
                var wake = nextRefresh
                for state in states.values { if let due = state.nextDue, due < wake { wake = due } }
                do {
                    try await Task.sleep(until: wake, clock: clock)
                } catch {
                    break
                }
            }
            group.cancelAll()
        }
    }

    /// Gives new targets their first due time on their offset's grid.
    private func schedule(now: ContinuousClock.Instant, wall: Int64) {
        let interval = max(1, Self.milliseconds(configuration.interval))
        for key in order {
            guard var state = states[key], state.nextDue == nil else { continue }
            let delay = ((state.offsetMilliseconds - wall % interval) % interval + interval) % interval
            state.nextDue = now + .milliseconds(delay)
            states[key] = state
        }
    }

    /// Replaces the target list with the provider's; removed targets' series go stale at `time`.
    private func refreshTargets(at time: Int64) async {
        let targets: [ScrapeTarget]
        do {
            targets = try await provider.targets()
            lastDiscoveryError = nil
        } catch {
            lastDiscoveryError = "\(error)"
            stats.discoveryFailures += 1
            return
        }
        var newOrder: [String] = []
        var keep: Set<String> = []
        let interval = max(1, Self.milliseconds(configuration.interval))
        for target in targets where keep.insert(target.url).inserted {
            newOrder.append(target.url)
            if var state = states[target.url] {
                if state.target != target {
                    state.target = target
                    state.extraLabels = Self.extraLabels(of: target)
                    state.layout = nil
                    state.health.target = target
                    states[target.url] = state
                }
            } else {
                states[target.url] = TargetState(
                    target: target, extraLabels: Self.extraLabels(of: target), health: TargetHealth(target: target, up: false),
                    offsetMilliseconds: Int64(truncatingIfNeeded: Self.stableHash(target.url) % UInt64(interval)))
            }
        }
        for key in order where !keep.contains(key) {
            states[key] = nil
            window.markTargetDown(key, at: time)
        }
        order = newOrder
    }

    /// Ingests one scrape's result, with the target's `up`, `scrape_duration_seconds` and `scrape_samples_scraped`.
    private func record(_ result: ScrapeResult, key: String, at time: Int64) {
        guard var state = states[key] else { return }  // removed while it was being scraped
        state.inFlight = false
        var result = result
        let extra = state.extraLabels
        let targetLabels = Labels(extra)
        if let values = result.values, result.error == nil {
            // An unchanged page: its values go to the series the window already holds for this target.
            let scraped = Double(values.count)
            if window.ingest(values: values + [1, result.durationSeconds, scraped], at: time, target: key) {
                finish(&state, key: key, up: true, samples: values.count, durationSeconds: result.durationSeconds, at: time)
                return
            }
            // The window lost the target's series (it failed or was swept since): read the page in full.
            result = Self.parse(result.page ?? ByteBuffer(), contentType: result.contentType, url: state.target.url, extra: extra, result: result)
        }
        var samples = result.error == nil ? result.samples : []
        if result.error == nil, samples.count > configuration.maximumSeriesPerTarget {
            let count = samples.count
            samples = []
            state.health.lastError =
                "\(state.target.url) returned \(count) series, above the limit of \(configuration.maximumSeriesPerTarget) per target; drop series on the worker or raise the scraper's maximumSeriesPerTarget."
        } else {
            state.health.lastError = result.error
        }
        let up = state.health.lastError == nil
        // Only a page that went into the window as it is may be read by layout next time.
        state.layout = up ? result.layout : nil
        // Target labels were merged off the actor, in the scrape's own task.
        var merged = samples
        merged.reserveCapacity(samples.count + 3)
        merged.append(Sample(name: "up", labels: targetLabels, value: up ? 1 : 0))
        merged.append(Sample(name: "scrape_duration_seconds", labels: targetLabels, value: result.durationSeconds))
        merged.append(Sample(name: "scrape_samples_scraped", labels: targetLabels, value: Double(samples.count)))
        window.ingest(merged, at: time, target: key)
        finish(&state, key: key, up: up, samples: samples.count, durationSeconds: result.durationSeconds, at: time)
    }

    /// Updates the target's health and the counters after a scrape went into the window.
    private func finish(
        _ state: inout TargetState, key: String, up: Bool, samples: Int, durationSeconds: Double, at time: Int64
    ) {
        if up { state.health.lastError = nil }
        state.health.up = up
        state.health.lastScrape = Timestamp(millisecondsSinceEpoch: time)
        state.health.lastDurationSeconds = durationSeconds
        if up { state.health.samples = samples }
        states[key] = state
        stats.scrapesTotal += 1
        if !up { stats.scrapesFailed += 1 }
        stats.samplesScraped += samples
        stats.scrapeDurationSecondsSum += durationSeconds
    }

    // MARK: Off the actor

    struct FetchSettings: Sendable {
        var client: HTTPClient
        var timeout: Duration
        var maximumPageBytes: Int
    }

    private var fetchSettings: FetchSettings {
        FetchSettings(client: client, timeout: configuration.timeout, maximumPageBytes: configuration.maximumPageBytes)
    }

    /// Fetches and parses one page within the timeout and adds the target's labels; failures become a sentence
    /// naming the URL.
    private static func fetch(
        url: String, extra: [Label], layout: PageLayout?, settings: FetchSettings
    ) async -> ScrapeResult {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: Result<Download, ScrapeFailure> = await withTaskGroup(of: Result<Download, ScrapeFailure>?.self) {
            group in
            group.addTask { await download(url: url, extra: extra, layout: layout, settings: settings) }
            group.addTask {
                do {
                    try await Task.sleep(for: settings.timeout)
                } catch {
                    return nil
                }
                return .failure(timedOut(url: url, settings: settings))
            }
            var first: Result<Download, ScrapeFailure>?
            for await result in group {
                if let result {
                    first = result
                    break
                }
            }
            group.cancelAll()
            return first ?? .failure(ScrapeFailure("\(url): the scrape was cancelled."))
        }
        let duration = seconds(clock.now - start)
        switch outcome {
        case .success(.parsed(let samples, let layout)):
            return ScrapeResult(samples: samples, error: nil, durationSeconds: duration, layout: layout)
        case .success(.values(let values, let page, let contentType)):
            return ScrapeResult(
                samples: [], error: nil, durationSeconds: duration, values: values, page: page,
                contentType: contentType)
        case .failure(let failure):
            return ScrapeResult(samples: [], error: failure.description, durationSeconds: duration)
        }
    }

    private static func download(url: String, extra: [Label], layout: PageLayout?, settings: FetchSettings) async
        -> Result<Download, ScrapeFailure>
    {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/plain;version=0.0.4;q=1,*/*;q=0.1")
        request.headers.add(name: "User-Agent", value: "ballast-controller")
        let body: ByteBuffer
        let contentType: String
        do {
            let response = try await settings.client.execute(request, timeout: .nanoseconds(Self.nanoseconds(settings.timeout)))
            guard response.status == .ok else {
                return .failure(
                    ScrapeFailure(
                        "\(url) answered HTTP \(response.status.code) \(response.status.reasonPhrase); expected 200 with a metrics page."
                    ))
            }
            contentType = response.headers.first(name: "Content-Type") ?? ""
            body = try await response.body.collect(upTo: settings.maximumPageBytes)
        } catch is NIOTooManyBytesError {
            return .failure(
                ScrapeFailure(
                    "\(url) sent a page larger than \(settings.maximumPageBytes) bytes; drop series on the worker or raise maximumPageBytes."
                ))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return .failure(timedOut(url: url, settings: settings))
        } catch is CancellationError {
            return .failure(ScrapeFailure("\(url): the scrape was cancelled."))
        } catch {
            return .failure(ScrapeFailure("\(url) is unreachable: \(error); check that the worker runs and listens there."))
        }
        if let layout, let values = layout.values(in: body.readableBytesView) {
            return .success(.values(values, body, contentType))
        }
        let parsed = parse(body, contentType: contentType, url: url, extra: extra)
        if let error = parsed.error { return .failure(ScrapeFailure(error)) }
        return .success(.parsed(parsed.samples, parsed.layout))
    }

    /// Parses a page in full and merges the target's labels into every sample; a page that does not parse gives
    /// a result with the error sentence. Starts from `result` to keep its duration.
    private static func parse(
        _ body: ByteBuffer, contentType: String, url: String, extra: [Label],
        result: ScrapeResult = ScrapeResult(samples: [], error: nil, durationSeconds: 0)
    ) -> ScrapeResult {
        var result = result
        result.values = nil
        result.page = nil
        do {
            let families = try PromTextParser.parse(
                body.readableBytesView, format: ExpositionFormat(contentType: contentType))
            var samples: [Sample] = []
            var flat: [Sample] = []
            let total = families.reduce(0) { $0 + $1.samples.count }
            samples.reserveCapacity(total)
            flat.reserveCapacity(total)
            for family in families {
                flat.append(contentsOf: family.samples)
                for sample in family.samples { samples.append(merging(extra, into: sample)) }
            }
            result.samples = samples
            result.layout = PageLayout(page: body.readableBytesView, samples: flat)
        } catch {
            result.samples = []
            result.layout = nil
            result.error = "\(url) sent a page that does not parse: \(error)"
        }
        return result
    }

    private static func timedOut(url: String, settings: FetchSettings) -> ScrapeFailure {
        ScrapeFailure(
            "\(url) did not answer within the scrape timeout of \(seconds(settings.timeout)) s; check that the worker is responsive and reachable, or raise scrape.timeout."
        )
    }

    struct ScrapeFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Helpers

    /// The target's labels and `instance`, as pairs for ``merging(_:into:)``.
    static func extraLabels(of target: ScrapeTarget) -> [Label] {
        var labels = target.labels
        labels["instance"] = target.instance
        return Labels(labels.map { Label($0.key, $0.value) }).pairs
    }

    /// The sample with the target's labels added; a label the page sets wins.
    ///
    /// This runs for every sample of every scrape: the subscript setter appends and re-sorts a handful of
    /// pairs, several times cheaper than building a `Labels` from a merged sequence.
    static func merging(_ extra: [Label], into sample: Sample) -> Sample {
        var merged = sample
        for label in extra where merged.labels[label.name] == nil {
            merged.labels[label.name] = label.value
        }
        return merged
    }

    /// FNV-1a of the URL: a per-target offset that stays the same across restarts, like Prometheus' target hash.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    static func wallMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
