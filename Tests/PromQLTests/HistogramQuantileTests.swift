import PromQL
import PromText
import Testing

struct HistogramQuantileTests {
    /// Buckets (le, cumulative count), q, and the quantile worked out by hand from Prometheus' bucketQuantile.
    static let cases: [([(String, Double)], Double, Double)] = [
        // Rank 2 falls in (0.1, 0.5] holding 2 observations; 1 of them is needed.
        ([("0.1", 1), ("0.5", 3), ("+Inf", 4)], 0.5, 0.3),
        // Bucket order on input does not matter.
        ([("+Inf", 4), ("0.5", 3), ("0.1", 1)], 0.5, 0.3),
        // Lowest bucket starts at 0.
        ([("0.1", 2), ("0.5", 3), ("+Inf", 4)], 0.25, 0.05),
        // Rank in the +Inf bucket: the highest finite bound.
        ([("0.1", 1), ("0.5", 3), ("+Inf", 4)], 1, 0.5),
        ([("0.1", 1), ("0.5", 3), ("+Inf", 4)], 0.9, 0.5),
        // Lowest bound not positive: it is returned as is.
        ([("-1", 2), ("+Inf", 4)], 0.25, -1),
        ([("0", 2), ("1", 4), ("+Inf", 4)], 0.25, 0),
        // A count that goes down is raised to the one before (monotonicity fix): buckets become 2, 2, 4.
        ([("0.1", 2), ("0.5", 1), ("1", 4), ("+Inf", 4)], 0.75, 0.5 + 0.5 * (1.0 / 2)),
        // Equal bounds written differently ("1" and "1.0") merge by adding counts.
        ([("0.5", 1), ("1", 1), ("1.0", 1), ("+Inf", 3)], 0.5, 0.5 + 0.5 * (0.5 / 1)),
        ([("0.1", 1), ("+Inf", 4)], -0.5, -.infinity),
        ([("0.1", 1), ("+Inf", 4)], 1.5, .infinity),
        ([("0.1", 1), ("+Inf", 4)], .nan, .nan),
        // No +Inf bucket, too few buckets, no observations: NaN.
        ([("0.1", 1), ("0.5", 3)], 0.5, .nan),
        ([("+Inf", 3)], 0.5, .nan),
        ([("0.1", 0), ("+Inf", 0)], 0.5, .nan),
    ]

    @Test(arguments: cases)
    func matchesBucketQuantile(buckets: [(String, Double)], q: Double, expected: Double) throws {
        var fixture = Fixture()
        for (bound, count) in buckets {
            fixture.add("h_bucket", ["le": bound, "job": "a"], [(10, count)])
        }
        let value = try fixture.single("histogram_quantile(\(q.isNaN ? "NaN" : "\(q)"), h_bucket)", atSeconds: 10)
        #expect(approximatelyEqual(value, expected), "q \(q): \(String(describing: value)), expected \(expected)")
    }

    @Test func groupsByEveryLabelButLeAndDropsTheName() throws {
        var fixture = Fixture()
        for model in ["a", "b"] {
            fixture.add("h_bucket", ["le": "1", "model": model], [(10, 1)])
            fixture.add("h_bucket", ["le": "+Inf", "model": model], [(10, 2)])
        }
        // A series without a parseable le is skipped.
        fixture.add("h_bucket", ["le": "oops", "model": "a"], [(10, 9)])
        let result = try fixture.vector("histogram_quantile(0.5, h_bucket)", atSeconds: 10)
        #expect(result == ["{model=\"a\"}": 1, "{model=\"b\"}": 1])
    }

    @Test func sameLabelsFromTwoMetricNamesIsAnError() throws {
        var fixture = Fixture()
        for name in ["h_bucket", "g_bucket"] {
            fixture.add(name, ["le": "1"], [(10, 1)])
            fixture.add(name, ["le": "+Inf"], [(10, 2)])
        }
        #expect(throws: PromQLError.self) {
            try fixture.evaluate("histogram_quantile(0.5, {__name__=~\".*_bucket\"})", atSeconds: 10)
        }
    }
}
