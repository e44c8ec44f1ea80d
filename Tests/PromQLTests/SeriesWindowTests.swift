import PromQL
import PromText
import Testing

struct SeriesWindowTests {
    /// Evaluation second and whether `x` (one sample at 100 s) is returned, closed versus left-open lookback.
    @Test(arguments: [(100.0, true), (399.999, true), (400.0, true), (400.001, false), (99.999, false)])
    func instantSelectorsLookBackFiveMinutes(atSeconds: Double, present: Bool) throws {
        var fixture = Fixture()
        fixture.add("x", [:], [(100, 7)])
        #expect(try fixture.vector("x", atSeconds: atSeconds).isEmpty == !present)
    }

    @Test func leftOpenLookbackExcludesTheEdge() throws {
        var fixture = Fixture(configuration: .init(rangeBoundaries: .leftOpen))
        fixture.add("x", [:], [(100, 7)])
        #expect(try fixture.vector("x", atSeconds: 400).isEmpty)
        #expect(try fixture.single("x", atSeconds: 399.999) == 7)
    }

    @Test func instantSelectorsTakeTheLatestSampleAtOrBeforeTheTime() throws {
        var fixture = Fixture()
        fixture.add("x", [:], [(10, 1), (20, 2), (30, 3)])
        #expect(try fixture.single("x", atSeconds: 25) == 2)
        #expect(try fixture.single("x", atSeconds: 30) == 3)
        #expect(try fixture.single("x offset 10s", atSeconds: 30) == 2)
    }

    @Test func seriesMissingFromATargetsScrapeGoStale() throws {
        var window = SeriesWindow()
        let a = Sample(name: "x", labels: ["worker": "a"], value: 1)
        let b = Sample(name: "x", labels: ["worker": "b"], value: 2)
        window.ingest([a, b], at: 10_000, target: "t1")
        window.ingest([a], at: 20_000, target: "t1")
        let expression = try Expression.parse("count(x)")
        #expect(try window.evaluate(expression, at: 15_000) == .vector([VectorSample(labels: [:], value: 2)]))
        #expect(try window.evaluate(expression, at: 20_000) == .vector([VectorSample(labels: [:], value: 1)]))
        // The staleness marker is not a sample for range functions.
        #expect(
            try window.evaluate(try Expression.parse("count_over_time(x{worker=\"b\"}[1m])"), at: 20_000)
                == .vector([VectorSample(labels: ["worker": "b"], value: 1)]))
        // The series comes back when scraped again.
        window.ingest([a, b], at: 30_000, target: "t1")
        #expect(try window.evaluate(expression, at: 30_000) == .vector([VectorSample(labels: [:], value: 2)]))
        window.markTargetDown("t1", at: 40_000)
        #expect(try window.evaluate(expression, at: 40_000) == .vector([]))
    }

    @Test func markStaleHidesOneSeries() throws {
        var window = SeriesWindow()
        window.ingest([Sample(name: "x", value: 1)], at: 10_000)
        window.markStale(.init(name: "x", labels: [:]), at: 11_000)
        #expect(try window.evaluate(try Expression.parse("x"), at: 10_500) != .vector([]))
        #expect(try window.evaluate(try Expression.parse("x"), at: 11_000) == .vector([]))
    }

    @Test func ingestedNaNIsAValueNotAStalenessMarker() throws {
        var fixture = Fixture()
        fixture.add("x", [:], [(10, .nan)])
        let value = try fixture.single("x", atSeconds: 10)
        #expect(value?.isNaN == true)
    }

    @Test func outOfOrderAndDuplicateSamplesAreDropped() throws {
        var fixture = Fixture()
        fixture.add("x", [:], [(20, 2), (10, 1), (20, 5)])
        #expect(fixture.window.sampleCount == 1)
        #expect(try fixture.single("x", atSeconds: 20) == 2)
    }

    @Test func samplesWithoutTimestampGetTheScrapeTime() throws {
        var window = SeriesWindow()
        window.ingest(
            [Sample(name: "x", value: 1), Sample(name: "y", value: 2, timestampMilliseconds: 5_000)], at: 9_000)
        #expect(try window.evaluate(try Expression.parse("x"), at: 8_999) == .vector([]))
        #expect(try window.evaluate(try Expression.parse("y"), at: 5_000) != .vector([]))
    }

    @Test func emptyLabelValuesAreAbsentLabels() throws {
        var window = SeriesWindow()
        window.ingest([Sample(name: "x", labels: ["a": "", "b": "1"], value: 1)], at: 1000)
        window.ingest([Sample(name: "x", labels: ["b": "1"], value: 2)], at: 2000)
        #expect(window.seriesCount == 1)
        #expect(
            try window.evaluate(try Expression.parse("x{a=\"\"}"), at: 2000)
                == .vector([VectorSample(labels: ["__name__": "x", "b": "1"], value: 2)]))
    }

    @Test func retentionBoundsMemory() throws {
        var window = SeriesWindow(longestRangeMilliseconds: 60_000)
        #expect(window.configuration.retentionMilliseconds == 360_000)
        // Two hours of 1 s scrapes of a steady series, plus a series that stops after the first minute.
        for second in 0..<7200 {
            var samples = [Sample(name: "steady", value: Double(second))]
            if second < 60 { samples.append(Sample(name: "gone", value: 1)) }
            window.ingest(samples, at: Int64(second) * 1000)
        }
        #expect(window.seriesCount == 1)
        #expect(window.sampleCount <= 361)
        #expect(window.sampleCount >= 360)
    }

    @Test func perSeriesCapDropsTheOldest() throws {
        var window = SeriesWindow(configuration: .init(maximumSamplesPerSeries: 10))
        for step in 0..<100 {
            window.ingest([Sample(name: "x", value: Double(step))], at: Int64(step))
        }
        #expect(window.sampleCount == 10)
        let value = try window.evaluate(try Expression.parse("count_over_time(x[1s])"), at: 99)
        #expect(value == .vector([VectorSample(labels: [:], value: 10)]))
    }

    @Test func selectorsWithoutNameSearchEveryMetric() throws {
        var fixture = Fixture()
        fixture.add("ballast_a", ["m": "1"], [(10, 1)])
        fixture.add("ballast_b", ["m": "2"], [(10, 2)])
        fixture.add("other", ["m": "1"], [(10, 3)])
        #expect(try fixture.vector("{__name__=~\"ballast_.*\"}", atSeconds: 10).count == 2)
        #expect(try fixture.vector("{m=\"1\"}", atSeconds: 10).count == 2)
        #expect(try fixture.vector("{__name__!~\"ballast_.*\", m=~\".+\"}", atSeconds: 10).count == 1)
        // Regular expressions match whole values, with or without metacharacters.
        #expect(try fixture.vector("{__name__=~\"ballast\"}", atSeconds: 10).isEmpty)
        #expect(try fixture.vector("{__name__=~\"ballast_a|other\"}", atSeconds: 10).count == 2)
        #expect(try fixture.vector("{__name__=~\"ballast_[ab]|oth\"}", atSeconds: 10).count == 2)
        #expect(try fixture.vector("{__name__=~\"b.*\"}", atSeconds: 10).count == 2)
        #expect(try fixture.vector("{__name__=~\"x\", m=\"1\"} or {m=\"2\"}", atSeconds: 10).count == 1)
    }
}
