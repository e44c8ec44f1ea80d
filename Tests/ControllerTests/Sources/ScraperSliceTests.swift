import AsyncHTTPClient
import BallastCore
@testable import Controller
import Testing

/// ``Scraper/scrapeSlice(now:)``: every target once per interval, in slices no larger than the configured size.
struct ScraperSliceTests {
    @Test(arguments: [
        // (targets, targets per slice, slices per interval)
        (1, 200, 1),
        (5, 200, 1),
        (10, 3, 4),
        (12, 4, 3),
        (13, 1, 13),
    ])
    func everyTargetOncePerIntervalInItsSlice(targets: Int, perSlice: Int, slices: Int) async throws {
        try await ScraperTests.withTargets { store, client, target in
            let paths = (0..<targets).map { "/t\($0)" }
            for path in paths { await store.set(path, text: "x 1\n") }
            let scraper = Scraper(
                configuration: Scraper.Configuration(interval: .seconds(10), targetsPerSlice: perSlice),
                targets: StaticTargets(paths.map(target)), httpClient: client)
            var time = ScraperTests.start
            var scrapedBy: [[String]] = []
            for interval in 0..<2 {
                for slice in 0..<slices {
                    time += .milliseconds(10_000 / slices)
                    let count = await scraper.scrapeSlice(now: time)
                    #expect(count == slices, "interval \(interval), slice \(slice)")
                    let scraped = await scraper.health().filter { $0.lastScrape == time }.map(\.target.url)
                    if interval == 0 { scrapedBy.append(scraped) } else {
                        // A target keeps its slice from one interval to the next.
                        #expect(scraped == scrapedBy[slice], "slice \(slice) changed its targets")
                    }
                }
            }
            let all = scrapedBy.flatMap { $0 }
            #expect(all.count == targets, "each target is scraped once per interval")
            #expect(Set(all).count == targets)
            let statistics = await scraper.statistics()
            #expect(statistics.scrapesTotal == 2 * targets)
        }
    }

    @Test(arguments: [
        // (targets, evaluation seconds, slices): 200 targets a slice, evaluations within a quarter of 1 s.
        (0, 0.0, 1),
        (1, 0.0, 1),
        (200, 0.0, 1),
        (201, 0.0, 2),
        (1000, 0.0, 5),
        (1000, 0.040, 5),
        (1000, 0.060, 4),
        (1000, 0.125, 2),
        (1000, 0.3, 1),
        (10_000, 0.5, 1),
        (10_000, 0.001, 50),
    ])
    func slicesFitTheEvaluationBudget(targets: Int, evaluationSeconds: Double, slices: Int) {
        let configuration = Scraper.Configuration(interval: .seconds(1), targetsPerSlice: 200)
        #expect(Scraper.slices(targets: targets, configuration: configuration, evaluationSeconds: evaluationSeconds) == slices)
    }

    @Test func aGrowingFleetGetsMoreSlicesAtTheNextInterval() async throws {
        try await ScraperTests.withTargets { store, client, target in
            let paths = (0..<6).map { "/t\($0)" }
            for path in paths { await store.set(path, text: "x 1\n") }
            let targets = MutableTargets(paths.prefix(2).map(target))
            let scraper = Scraper(
                configuration: Scraper.Configuration(interval: .seconds(10), targetsPerSlice: 2),
                targets: targets, httpClient: client)
            var time = ScraperTests.start
            time += .milliseconds(1)
            #expect(await scraper.scrapeSlice(now: time) == 1)
            await targets.set(paths.map(target))
            time += .milliseconds(1)
            // The new list is read at the start of the next interval, which then has three slices.
            #expect(await scraper.scrapeSlice(now: time) == 3)
            #expect(await scraper.scrapeSlice(now: time + .milliseconds(1)) == 3)
            #expect(await scraper.scrapeSlice(now: time + .milliseconds(2)) == 3)
            let health = await scraper.health()
            #expect(health.count == 6)
            #expect(await scraper.statistics().scrapesTotal == 2 + 6)
            #expect(health.allSatisfy { $0.up }, "every target of the grown fleet was scraped within one interval")
        }
    }
}
