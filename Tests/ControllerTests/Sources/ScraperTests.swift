import BallastTestSupport
import AsyncHTTPClient
import BallastCore
import Controller
import PromQL
import PromText
import Testing

struct ScraperTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    /// Runs `body` with a page server on loopback, a shared HTTP client, and the target URL of a path.
    static func withTargets(
        _ body: (PageStore, HTTPClient, (String) -> ScrapeTarget) async throws -> Void
    ) async throws {
        let store = PageStore()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await MetricsPageServer.withServer(handler: { await store.answer($0) }) { port in
                try await body(store, client) { path in
                    ScrapeTarget(instance: "127.0.0.1:\(port)\(path)", url: "http://127.0.0.1:\(port)\(path)")
                }
                await store.release()
            }
        } catch {
            await store.release()
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func value(_ scraper: Scraper, _ query: String, at time: Timestamp) async throws -> QueryValue {
        try await scraper.evaluate(try Expression.parse(query), at: time.millisecondsSinceEpoch)
    }

    static func numbers(_ scraper: Scraper, _ query: String, at time: Timestamp) async throws -> [String: Double] {
        numbers(try await value(scraper, query, at: time))
    }

    static func numbers(_ value: QueryValue) -> [String: Double] {
        guard case .vector(let samples) = value else { return [:] }
        var result: [String: Double] = [:]
        for sample in samples { result[sample.labels["instance"] ?? ""] = sample.value }
        return result
    }

    @Test func scrapesEveryTargetWithItsLabelsAndUp() async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/a", text: "x{job=\"page\"} 1\ny 5\n")
            await store.set("/b", text: "x 2\n")
            var a = target("/a")
            a.labels = ["job": "static", "zone": "z1"]
            let scraper = Scraper(targets: StaticTargets([a, target("/b")]), httpClient: client)
            await scraper.scrapeOnce(now: Self.start)

            let x = try await Self.value(scraper, "x", at: Self.start)
            guard case .vector(let samples) = x else {
                Issue.record("x is not a vector: \(x)")
                return
            }
            #expect(samples.count == 2)
            let fromA = samples.first { $0.labels["instance"] == a.instance }
            // The page's job wins over the target's, as with honor_labels; the target's other labels are added.
            #expect(fromA?.labels["job"] == "page")
            #expect(fromA?.labels["zone"] == "z1")
            let observed1 = try await Self.numbers(scraper, "up", at: Self.start)
            #expect(observed1.values.sorted() == [1, 1])
            #expect(
                try await Self.numbers(scraper, "scrape_samples_scraped", at: Self.start)
                    == [a.instance: 2, target("/b").instance: 1])
            let health = await scraper.health()
            #expect(health.map(\.up) == [true, true])
            #expect(health.map(\.samples) == [2, 1])
            #expect(health.allSatisfy { $0.lastScrape == Self.start && $0.lastError == nil })
            let statistics = await scraper.statistics()
            #expect(statistics.scrapesTotal == 2)
            #expect(statistics.scrapesFailed == 0)
            #expect(statistics.samplesScraped == 3)
            #expect(statistics.targets == 2)
        }
    }

    @Test func aHangingTargetDoesNotDelayTheOthers() async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/fast", text: "x 1\n")
            await store.hang("/slow")
            let scraper = Scraper(
                configuration: Scraper.Configuration(interval: .seconds(30), timeout: .seconds(30)),
                targets: StaticTargets([target("/slow"), target("/fast")]), httpClient: client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await scraper.scrapeOnce(now: Self.start) }
                try await waitUntil("the fast target's sample in the window") {
                    try await Self.numbers(scraper, "x", at: Self.start) == [target("/fast").instance: 1]
                }
                // The slow scrape is still pending: its request is held and it has no result yet.
                #expect(await store.waiting == 1)
                #expect(await scraper.health().first { $0.target.url.hasSuffix("/slow") }?.lastScrape == nil)
                await store.release()
                try await group.waitForAll()
            }
            let slow = await scraper.health().first { $0.target.url.hasSuffix("/slow") }
            #expect(slow?.up == false)
            #expect(slow?.lastError?.contains("answered HTTP 503") == true)
        }
    }

    @Test func aTargetPastItsTimeoutIsDown() async throws {
        try await Self.withTargets { store, client, target in
            await store.hang("/slow")
            let scraper = Scraper(
                configuration: Scraper.Configuration(interval: .seconds(1), timeout: .milliseconds(200)),
                targets: StaticTargets([target("/slow")]), httpClient: client)
            await scraper.scrapeOnce(now: Self.start)
            let health = await scraper.health()
            #expect(health.first?.up == false)
            #expect(
                health.first?.lastError?.contains("did not answer within the scrape timeout of 0.2 s") == true,
                "\(health)")
            let observed2 = try await Self.numbers(scraper, "up", at: Self.start)
            #expect(observed2.values.first == 0)
        }
    }

    @Test(arguments: [
        ("x 1\ny{a=\"1\" 2\n", "line 2, column 9"),
        ("x 1\nx 2\n", "line 2, column 1"),
        ("x one\n", "line 1, column 3"),
    ])
    func aGarbagePageIsDownWithLineAndColumn(page: String, position: String) async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/m", text: "x 1\n")
            let scraper = Scraper(targets: StaticTargets([target("/m")]), httpClient: client)
            await scraper.scrapeOnce(now: Self.start)
            await store.set("/m", text: page)
            let later = Self.start + .seconds(5)
            await scraper.scrapeOnce(now: later)
            let health = await scraper.health()
            #expect(health.first?.up == false)
            #expect(health.first?.lastError?.contains("does not parse: \(position)") == true, "\(health)")
            let observed3 = try await Self.numbers(scraper, "up", at: later)
            #expect(observed3.values.first == 0)
            // The page's series went stale with the failed scrape.
            let observed4 = try await Self.numbers(scraper, "x", at: later)
            #expect(observed4.isEmpty)
            #expect(await scraper.statistics().scrapesFailed == 1)
        }
    }

    @Test func removedTargetsAndVanishedSeriesGoStale() async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/a", text: "x 1\ngone 1\n")
            await store.set("/b", text: "x 2\n")
            let targets = MutableTargets([target("/a"), target("/b")])
            let scraper = Scraper(targets: targets, httpClient: client)
            await scraper.scrapeOnce(now: Self.start)
            let observed5 = try await Self.numbers(scraper, "x", at: Self.start)
            #expect(observed5.count == 2)

            await targets.set([target("/a")])
            await store.set("/a", text: "x 1\n")
            let later = Self.start + .seconds(5)
            await scraper.scrapeOnce(now: later)
            // Without staleness, the lookback delta would still return b's series for five minutes.
            let observed6 = try await Self.numbers(scraper, "x", at: later)
            #expect(observed6 == [target("/a").instance: 1])
            let observed7 = try await Self.numbers(scraper, "up", at: later)
            #expect(observed7 == [target("/a").instance: 1])
            let observed8 = try await Self.numbers(scraper, "gone", at: later)
            #expect(observed8.isEmpty)
            #expect(await scraper.health().map(\.target) == [target("/a")])
        }
    }

    @Test func aPageAboveTheSeriesCapIsDown() async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/big", text: (0..<5).map { "x{i=\"\($0)\"} 1\n" }.joined())
            await store.set("/small", text: "x 1\n")
            let scraper = Scraper(
                configuration: Scraper.Configuration(maximumSeriesPerTarget: 3),
                targets: StaticTargets([target("/big"), target("/small")]), httpClient: client)
            await scraper.scrapeOnce(now: Self.start)
            let health = await scraper.health()
            #expect(health.map(\.up) == [false, true])
            #expect(health[0].lastError?.contains("returned 5 series, above the limit of 3 per target") == true)
            let observed9 = try await Self.numbers(scraper, "x", at: Self.start)
            #expect(observed9 == [target("/small").instance: 1])
            #expect(await scraper.statistics().seriesInWindow < 10)
        }
    }

    @Test func aFailedDiscoveryKeepsTheLastTargets() async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/a", text: "x 1\n")
            let targets = MutableTargets([target("/a")])
            let scraper = Scraper(targets: targets, httpClient: client)
            await scraper.scrapeOnce(now: Self.start)
            await targets.fail("file_sd file t.json is not valid JSON.")
            await scraper.scrapeOnce(now: Self.start + .seconds(5))
            #expect(await scraper.discoveryError() == "file_sd file t.json is not valid JSON.")
            #expect(await scraper.health().map(\.up) == [true])
            #expect(await store.requestCount("/a") == 2)
            #expect(await scraper.statistics().discoveryFailures == 1)
        }
    }

    @Test func anUnreachableTargetIsDown() async throws {
        try await Self.withTargets { _, client, _ in
            let closed = try await MetricsPageServer.withServer(handler: { _ in MetricsPageServer.Page(text: "") }) {
                $0
            }
            let target = ScrapeTarget(instance: "127.0.0.1:\(closed)")
            // The HTTP client retries refused connections until the deadline, so this ends as a timeout.
            let scraper = Scraper(
                configuration: Scraper.Configuration(interval: .seconds(5), timeout: .milliseconds(300)),
                targets: StaticTargets([target]), httpClient: client)
            await scraper.scrapeOnce(now: Self.start)
            let health = await scraper.health()
            #expect(health.first?.up == false)
            #expect(health.first?.lastError?.hasPrefix(target.url) == true, "\(health)")
        }
    }

    @Test func runScrapesOnATimerUntilCancelled() async throws {
        try await Self.withTargets { store, client, target in
            await store.set("/a", text: "x 1\n")
            await store.set("/b", text: "x 2\n")
            let scraper = Scraper(
                // A generous timeout: on a loaded machine a 100 ms timeout would fail scrapes, not the timer.
                configuration: Scraper.Configuration(interval: .milliseconds(100), timeout: .seconds(10)),
                targets: StaticTargets([target("/a"), target("/b")]), httpClient: client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scraper.run() }
                try await waitUntil("three scrapes of each target, both up") {
                    let a = await store.requestCount("/a")
                    let b = await store.requestCount("/b")
                    let health = await scraper.health()
                    return a >= 3 && b >= 3 && health.count == 2 && health.allSatisfy(\.up)
                }
                group.cancelAll()
            }
        }
    }
}
