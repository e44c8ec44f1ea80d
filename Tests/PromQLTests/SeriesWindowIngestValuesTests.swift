import PromQL
import PromText
import Testing

struct SeriesWindowIngestValuesTests {
    static let samples = [
        Sample(name: "requests_total", labels: ["instance": "a", "status": "ok"], value: 1),
        Sample(name: "requests_total", labels: ["instance": "a", "status": "error"], value: 2),
        Sample(name: "depth", labels: ["instance": "a"], value: 3),
    ]

    @Test func valuesGoToTheSeriesTheTargetSentLastTime() throws {
        var window = SeriesWindow()
        window.ingest(Self.samples, at: 1000, target: "a")
        let accepted = window.ingest(values: [10, 20, 30], at: 2000, target: "a")
        #expect(accepted)
        let value = try window.evaluate(try Expression.parse("sum(requests_total)"), at: 2000)
        #expect(value == .vector([VectorSample(labels: Labels(), value: 30)]))
        let depth = try window.evaluate(try Expression.parse("depth"), at: 2000)
        #expect(depth == .vector([VectorSample(labels: ["__name__": "depth", "instance": "a"], value: 30)]))
        #expect(window.sampleCount == 6)
    }

    @Test(arguments: [
        ("a", [1.0, 2.0]),  // fewer values than series
        ("b", [1.0, 2.0, 3.0]),  // a target never ingested
    ])
    func refusesValuesThatDoNotMatchTheTargetsSeries(target: String, values: [Double]) {
        var window = SeriesWindow()
        window.ingest(Self.samples, at: 1000, target: "a")
        let accepted = window.ingest(values: values, at: 2000, target: target)
        #expect(!accepted)
        #expect(window.sampleCount == 3)
    }

    @Test func seriesForgottenByTheSweepComeBack() throws {
        var window = SeriesWindow(configuration: .init(retentionMilliseconds: 10_000))
        window.ingest(Self.samples, at: 1000, target: "a")
        // Another target's scrape long after sweeps every series of "a" out of the window.
        window.ingest([Sample(name: "other", value: 1)], at: 100_000, target: "b")
        #expect(window.seriesCount == 1)
        let accepted = window.ingest(values: [10, 20, 30], at: 101_000, target: "a")
        #expect(accepted)
        #expect(window.seriesCount == 4)
        let value = try window.evaluate(try Expression.parse("sum(requests_total)"), at: 101_000)
        #expect(value == .vector([VectorSample(labels: Labels(), value: 30)]))
    }

    @Test func batchEvaluationEqualsOneByOne() throws {
        var window = SeriesWindow()
        for step in 0..<4 {
            window.ingest(
                Self.samples.map { sample in
                    var sample = sample
                    sample.value *= Double(step + 1)
                    return sample
                }, at: Int64(step) * 15_000, target: "a")
        }
        let texts = [
            "sum by (status) (rate(requests_total[1m]))", "sum(rate(requests_total[1m]))",
            "sum by (status) (rate(requests_total[1m])) / 2", "depth", "nope(", "rate(depth[1m]) + on() group_left rate(depth[1m])",
        ]
        let expressions = texts.compactMap { try? Expression.parse($0) }
        let batch = window.evaluate(expressions, at: 45_000)
        for (expression, result) in zip(expressions, batch) {
            let single = Result { () throws(PromQLError) in try window.evaluate(expression, at: 45_000) }
            switch (single, result) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(expression.text)")
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)")
            default: Issue.record("\(expression.text): \(single) vs \(result)")
            }
        }
    }
}
