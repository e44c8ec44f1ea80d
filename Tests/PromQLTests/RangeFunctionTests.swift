import PromQL
import PromText
import Testing

struct RangeFunctionTests {
    /// Samples (seconds, value), expression, evaluation second, and the value worked out by hand from
    /// Prometheus' extrapolatedRate.
    static let cases: [([(Double, Double)], String, Double, Double)] = [
        // Samples on both edges: no extrapolation; the reset at 20 s adds back 20.
        ([(0, 10), (10, 20), (20, 5), (30, 15)], "increase(x[30s])", 30, 25),
        ([(0, 10), (10, 20), (20, 5), (30, 15)], "rate(x[30s])", 30, 25.0 / 30),
        // Edges 5 s away, within 1.1 x 10 s: extrapolate over the whole 30 s.
        ([(5, 10), (15, 20), (25, 30)], "increase(x[30s])", 30, 20.0 * 30 / 20),
        ([(5, 10), (15, 20), (25, 30)], "rate(x[30s])", 30, 1),
        // The counter would reach zero 1 s before the first sample: extrapolate only that far back.
        ([(5, 1), (15, 11), (25, 21)], "increase(x[30s])", 30, 20.0 * 26 / 20),
        // Edges 20 s away, beyond 1.1 x 10 s: extend by half an interval on each side.
        ([(20, 100), (30, 110), (40, 120)], "increase(x[60s])", 60, 20.0 * 30 / 20),
        // A first value of 0 puts the zero point on the first sample: no extrapolation to the left.
        ([(20, 0), (30, 10), (40, 20)], "increase(x[60s])", 60, 20.0 * 25 / 20),
        // delta: no reset handling, no zero point.
        ([(5, 10), (15, 0), (25, 5)], "delta(x[30s])", 30, -5.0 * 30 / 20),
        ([(0, 10), (10, 20), (20, 5)], "irate(x[30s])", 20, 0.5),
        ([(0, 10), (10, 20), (20, 26)], "irate(x[30s])", 20, 0.6),
        ([(0, 10), (10, 20), (20, 5)], "idelta(x[30s])", 20, -15),
        ([(0, 1), (10, 2), (20, 6)], "avg_over_time(x[20s])", 20, 3),
        ([(0, 1), (10, 7), (20, 6)], "max_over_time(x[20s])", 20, 7),
        ([(0, 4), (10, 2), (20, 6)], "min_over_time(x[20s])", 20, 2),
        ([(0, 1), (10, 2), (20, 6)], "sum_over_time(x[20s])", 20, 9),
        ([(0, 1), (10, 2), (20, 6)], "last_over_time(x[20s])", 20, 6),
        // Closed range (Prometheus 2): the sample exactly 20 s back counts.
        ([(0, 1), (10, 2), (20, 6)], "count_over_time(x[20s])", 20, 3),
        ([(0, 1), (10, 2), (20, 6)], "count_over_time(x[20s] offset 10s)", 30, 3),
        ([(0, 1), (10, 2), (20, 6)], "count_over_time(x[10s] offset 10s)", 30, 2),
    ]

    @Test(arguments: cases)
    func matchesHandComputation(points: [(Double, Double)], expression: String, atSeconds: Double, expected: Double)
        throws
    {
        var fixture = Fixture()
        fixture.add("x", ["job": "a"], points.map { (seconds: $0.0, value: $0.1) })
        let value = try fixture.single(expression, atSeconds: atSeconds)
        #expect(
            approximatelyEqual(value, expected), "\(expression) = \(String(describing: value)), expected \(expected)")
    }

    @Test func leftOpenRangesDropTheLeftEdge() throws {
        var fixture = Fixture(configuration: .init(rangeBoundaries: .leftOpen))
        fixture.add("x", [:], [(0, 1), (10, 2), (20, 6)])
        #expect(try fixture.single("count_over_time(x[20s])", atSeconds: 20) == 2)
    }

    @Test func rateNeedsTwoSamples() throws {
        var fixture = Fixture()
        fixture.add("x", [:], [(10, 1)])
        #expect(try fixture.vector("rate(x[1m])", atSeconds: 20).isEmpty)
        #expect(try fixture.vector("irate(x[1m])", atSeconds: 20).isEmpty)
        #expect(try fixture.single("count_over_time(x[1m])", atSeconds: 20) == 1)
    }

    @Test func rangeFunctionsDropTheNameExceptLastOverTime() throws {
        var fixture = Fixture()
        fixture.add("x", ["a": "1"], [(0, 1), (10, 2)])
        #expect(try fixture.vector("rate(x[1m])", atSeconds: 10).keys.sorted() == ["{a=\"1\"}"])
        #expect(
            try fixture.vector("last_over_time(x[1m])", atSeconds: 10).keys.sorted() == ["{__name__=\"x\",a=\"1\"}"])
    }
}
