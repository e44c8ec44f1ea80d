import AsyncHTTPClient
import BallastCore
import Controller
import NIOCore
import PromQL
import PromText
import Testing

struct EmbeddedMetricsSourceTests {
    @Test func readingsEqualPromQLOverTheSameSamples() async throws {
        let queries = SignalQueries(document: try Policies.document("policies/default.yaml"))
        try await ScraperTests.withTargets { store, client, target in
            let targets = [target("/w0"), target("/w1")]
            let scraper = Scraper(
                configuration: Scraper.Configuration(longestRangeMilliseconds: queries.longestRangeMilliseconds),
                targets: StaticTargets(targets), httpClient: client)
            let source = EmbeddedMetricsSource(scraper: scraper)
            var reference = SeriesWindow(longestRangeMilliseconds: queries.longestRangeMilliseconds)
            var time = ScraperTests.start
            for step in 0..<8 {
                for (worker, target) in targets.enumerated() {
                    let families = SyntheticWorkerPage.families(worker: worker, step: step)
                    var page: [UInt8] = []
                    PromTextWriter.emit(families, into: &page)
                    await store.set("/w\(worker)", page: MetricsPageServer.Page(body: ByteBuffer(bytes: page)))
                    let samples = families.flatMap(\.samples).map { sample -> Sample in
                        var sample = sample
                        sample.labels["instance"] = target.instance
                        return sample
                    }
                    reference.ingest(samples, at: time.millisecondsSinceEpoch, target: target.url)
                }
                await scraper.scrapeOnce(now: time)
                time += .seconds(5)
            }
            let now = time - .seconds(5)
            let readings = await source.read(queries.queries, at: now)
            #expect(readings.count == queries.queries.count)
            var values = 0
            for query in queries.queries {
                let expected = QueryReading.reading(ofQuery: query.text, in: reference, at: now.millisecondsSinceEpoch)
                #expect(readings[query.name] == expected, "\(query.name): \(query.text)")
                if expected.number != nil { values += 1 }
            }
            // The synthetic pages carry every metric the default policy reads.
            #expect(values >= 12, "\(readings)")
            #expect(await source.health().map(\.up) == [true, true])
        }
    }

    @Test func badQueriesFailAndEmptyOnesAreMissing() async throws {
        try await ScraperTests.withTargets { store, client, target in
            await store.set("/a", text: "x{i=\"1\"} 1\nx{i=\"2\"} 2\n")
            let scraper = Scraper(targets: StaticTargets([target("/a")]), httpClient: client)
            await scraper.scrapeOnce(now: ScraperTests.start)
            let source = EmbeddedMetricsSource(scraper: scraper)
            let queries = [
                NamedQuery(name: "sum", text: "sum(x)"),
                NamedQuery(name: "many", text: "x"),
                NamedQuery(name: "absent", text: "sum(nothing_here)"),
                NamedQuery(name: "syntax", text: "sum(x"),
                NamedQuery(name: "unsupported", text: "label_replace(x, \"a\", \"b\", \"c\", \"d\")"),
                NamedQuery(name: "scalar", text: "2 * 3"),
            ]
            let readings = await source.read(queries, at: ScraperTests.start)
            #expect(readings["sum"] == .value(3))
            #expect(readings["many"] == .failed(reason: "the query returned 2 series; aggregate it to one, e.g. max(…) or sum(…)"))
            #expect(readings["absent"] == .missing(reason: QueryReading.emptyReason))
            #expect(readings["scalar"] == .value(6))
            for name in ["syntax", "unsupported"] {
                guard case .failed(let reason) = readings[name] else {
                    Issue.record("\(name) did not fail: \(String(describing: readings[name]))")
                    continue
                }
                #expect(reason.hasPrefix("column "), "\(reason)")
            }
            // A second read reuses the parsed expressions (failures included).
            _ = await source.read(queries, at: ScraperTests.start)
            #expect(await source.cachedQueryCount == queries.count)
        }
    }
}
