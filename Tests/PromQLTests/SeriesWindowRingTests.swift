import PromQL
import PromText
import Testing

/// Range reads over a window whose per-series ring has wrapped many times and grown, with staleness markers
/// inside the range, against a plain list of what was ingested.
struct SeriesWindowRingTests {
    /// One sample a second for 200 s, a 60 s retention; the series vanishes (goes stale) every `gap` seconds and
    /// comes back the next second.
    static func window(gap: Int) -> (SeriesWindow, [(seconds: Int, value: Double)]) {
        var window = SeriesWindow(configuration: SeriesWindow.Configuration(retentionMilliseconds: 60_000))
        var live: [(seconds: Int, value: Double)] = []
        for second in 1...200 {
            let present = gap == 0 || second % gap != 0
            let samples = present ? [Sample(name: "x", labels: ["job": "a"], value: Double(second * 3 % 17))] : []
            window.ingest(samples, at: Int64(second) * 1000, target: "t")
            if present { live.append((second, Double(second * 3 % 17))) }
        }
        return (window, live)
    }

    @Test(arguments: [
        // (gap between absences in seconds, evaluation second, range in seconds)
        (0, 200, 30), (0, 200, 59), (0, 170, 45), (7, 200, 30), (7, 195, 59), (5, 150, 20), (3, 200, 10),
    ])
    func rangeFunctionsSeeExactlyTheLiveSamplesInTheRange(gap: Int, at second: Int, range: Int) throws {
        let (window, live) = Self.window(gap: gap)
        // The window keeps the last 60 s of the 200 it was fed: samples from second 140 on.
        let kept = live.filter { $0.seconds >= 140 }
        let inRange = kept.filter { $0.seconds >= second - range && $0.seconds <= second }.map(\.value)
        func value(_ query: String) throws -> Double? {
            guard case .vector(let samples) = try window.evaluate(try Expression.parse(query), at: Int64(second) * 1000)
            else { return nil }
            return samples.first?.value
        }
        #expect(try value("count_over_time(x[\(range)s])") == Double(inRange.count))
        #expect(try value("sum_over_time(x[\(range)s])") == inRange.reduce(0, +))
        #expect(try value("max_over_time(x[\(range)s])") == inRange.max())
        #expect(try value("min_over_time(x[\(range)s])") == inRange.min())
        #expect(try value("last_over_time(x[\(range)s])") == inRange.last)
        let latest = kept.last { $0.seconds <= second }
        let stale = latest.map { $0.seconds != second } ?? true
        #expect(try value("x") == (stale ? nil : latest?.value), "an instant read at a stale second finds nothing")
    }
}
