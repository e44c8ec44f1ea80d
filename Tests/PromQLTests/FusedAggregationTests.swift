import PromQL
import PromText
import Testing

/// An aggregation straight over a range function is computed in one pass over the series; its result must be the
/// one the same aggregation gives over the function's vector (forced here by `* 1`, which keeps every value and,
/// after a range function, every label).
struct FusedAggregationTests {
    static func fixture() -> Fixture {
        var fixture = Fixture()
        for (index, worker) in ["a", "b", "c", "d"].enumerated() {
            for bound in ["0.1", "1", "+Inf"] {
                let step = Double(index + 1) * (bound == "0.1" ? 1 : bound == "1" ? 3 : 4)
                // Worker c's counters reset halfway; worker d stops early, so the range sees fewer of its samples.
                let points = (0..<12).compactMap { second -> (seconds: Double, value: Double)? in
                    if worker == "d" && second > 7 { return nil }
                    let value = worker == "c" && second >= 6 ? Double(second - 6) * step : Double(second) * step
                    return (Double(second * 5), value)
                }
                fixture.add("h_bucket", ["worker": worker, "le": bound, "job": index < 2 ? "x" : "y"], points)
            }
        }
        return fixture
    }

    @Test(arguments: [
        ("sum by (le) (rate(h_bucket[30s]))",
         "sum by (le) (rate(h_bucket[30s]) * 1)"),
        ("sum by (le, job) (increase(h_bucket[1m]))",
         "sum by (le, job) (increase(h_bucket[1m]) * 1)"),
        ("sum without (worker) (rate(h_bucket[30s]))",
         "sum without (worker) (rate(h_bucket[30s]) * 1)"),
        ("sum(rate(h_bucket[30s]))",
         "sum(rate(h_bucket[30s]) * 1)"),
        ("avg by (job) (delta(h_bucket[40s]))",
         "avg by (job) (delta(h_bucket[40s]) * 1)"),
        ("max by (le) (irate(h_bucket[30s]))",
         "max by (le) (irate(h_bucket[30s]) * 1)"),
        ("min without (le) (avg_over_time(h_bucket[30s]))",
         "min without (le) (avg_over_time(h_bucket[30s]) * 1)"),
        ("count by (worker) (count_over_time(h_bucket[20s]))",
         "count by (worker) (count_over_time(h_bucket[20s]) * 1)"),
        ("stddev by (le) (sum_over_time(h_bucket[30s]))",
         "stddev by (le) (sum_over_time(h_bucket[30s]) * 1)"),
        ("quantile by (job) (0.9, max_over_time(h_bucket[1m]))",
         "quantile by (job) (0.9, max_over_time(h_bucket[1m]) * 1)"),
        ("group by (job) (min_over_time(h_bucket[1m]))",
         "group by (job) (min_over_time(h_bucket[1m]) * 1)"),
        ("sum by (le) (rate(h_bucket{job=\"y\"}[30s]))",
         "sum by (le) (rate(h_bucket{job=\"y\"}[30s]) * 1)"),
        ("sum by (le) (h_bucket)",
         "sum by (le) (h_bucket * 1)"),
        ("max without (worker) (h_bucket offset 20s)",
         "max without (worker) (h_bucket offset 20s * 1)"),
        ("avg by (job) (h_bucket{le!=\"+Inf\"})",
         "avg by (job) (h_bucket{le!=\"+Inf\"} * 1)"),
        ("count(h_bucket)",
         "count(h_bucket * 1)"),
        ("sum by (le) ((rate(h_bucket[30s] offset 10s)))",
         "sum by (le) ((rate(h_bucket[30s] offset 10s)) * 1)"),
    ])
    func equalsTheAggregationOverTheVector(query: String, unfused: String) throws {
        let fixture = Self.fixture()
        let fused = try fixture.evaluate(query, atSeconds: 55)
        let reference = try fixture.evaluate(unfused, atSeconds: 55)
        #expect(fused == reference, "\(query) against \(unfused)")
        guard case .vector(let samples) = fused else {
            Issue.record("\(query) did not give a vector")
            return
        }
        #expect(!samples.isEmpty)
    }

    @Test func lastOverTimeKeepsTheMetricNameForGrouping() throws {
        let fixture = Self.fixture()
        #expect(try fixture.vector("count by (__name__) (h_bucket)", atSeconds: 55) == ["{__name__=\"h_bucket\"}": 12])
        #expect(try fixture.vector("count by (__name__) (last_over_time(h_bucket[1m]))", atSeconds: 55)
            == ["{__name__=\"h_bucket\"}": 12])
    }
}

/// Batch evaluations remember each series' group by slot; the memo must follow the window as series come and go.
struct GroupingMemoTests {
    static func ingest(_ window: inout SeriesWindow, workers: [String], bounds: [String], second: Int) {
        var samples: [Sample] = []
        for worker in workers {
            for bound in bounds {
                samples.append(
                    Sample(name: "h_bucket", labels: ["worker": worker, "le": bound], value: Double(second * bound.count)))
            }
        }
        window.ingest(samples, at: Int64(second) * 1000, target: "page")
    }

    static func batch(_ window: inout SeriesWindow, at second: Int) throws -> [QueryValue] {
        let queries = ["sum by (le) (rate(h_bucket[30s]))", "count without (le) (rate(h_bucket[30s]))"]
        return try window.evaluate(queries.map { try Expression.parse($0) }, at: Int64(second) * 1000).map {
            try $0.get()
        }
    }

    static func single(_ window: SeriesWindow, at second: Int) throws -> [QueryValue] {
        let queries = ["sum by (le) (rate(h_bucket[30s]) * 1)", "count without (le) (rate(h_bucket[30s]) * 1)"]
        return try queries.map { try window.evaluate(try Expression.parse($0), at: Int64(second) * 1000) }
    }

    @Test func aRememberedGroupingFollowsSeriesThatComeAndGo() throws {
        var window = SeriesWindow(configuration: SeriesWindow.Configuration(retentionMilliseconds: 60_000))
        for second in stride(from: 0, through: 40, by: 5) {
            Self.ingest(&window, workers: ["a", "b"], bounds: ["0.1", "1", "+Inf"], second: second)
        }
        #expect(try Self.batch(&window, at: 40) == Self.single(window, at: 40))
        #expect(try Self.batch(&window, at: 40) == Self.single(window, at: 40), "the second batch reads the memo")
        // Worker a and bound 0.1 stop; after the retention their slots are swept, then reused by new series whose
        // labels differ, so a memo that outlived the sweep would put those in the wrong groups.
        let before = window.seriesCount
        for second in stride(from: 45, through: 150, by: 5) {
            Self.ingest(&window, workers: ["b"], bounds: ["1", "+Inf"], second: second)
        }
        #expect(try Self.batch(&window, at: 150) == Self.single(window, at: 150))
        #expect(window.seriesCount < before, "the sweep freed the slots of the series that stopped")
        for second in stride(from: 155, through: 200, by: 5) {
            Self.ingest(&window, workers: ["b", "c", "d"], bounds: ["1", "+Inf", "5"], second: second)
        }
        let batch = try Self.batch(&window, at: 200)
        #expect(batch == (try Self.single(window, at: 200)))
        guard case .vector(let sums) = batch[0] else {
            Issue.record("sum by (le) is not a vector")
            return
        }
        #expect(Set(sums.map { $0.labels["le"] ?? "" }) == ["1", "+Inf", "5"])
    }
}
