import PromQL
import Testing

struct ExpressionRangesTests {
    @Test(arguments: [
        ("rate(x[1m])", Int64(6000), "rate(x[6s])"),
        (
            "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))", 6000,
            "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[6s])))"
        ),
        (
            "sum(rate(a[5m])) / sum(rate(b{status=\"ok\"}[10m] offset 1m))", 10_000,
            "sum(rate(a[10s])) / sum(rate(b{status=\"ok\"}[10s] offset 1m))"
        ),
        ("max(a / b)", 6000, "max(a / b)"),
        ("-(increase(a[1h]))", 500, "-(increase(a[500ms]))"),
        ("quantile(0.5, avg_over_time(a[2m]))", 30_000, "quantile(0.5, avg_over_time(a[30s]))"),
        ("topk(2, a) > bool 3", 6000, "topk(2, a) > bool 3"),
    ])
    func replacesEveryRangeAndNothingElse(text: String, milliseconds: Int64, expected: String) throws {
        let rewritten = try Expression.parse(text).withRanges(milliseconds: milliseconds)
        #expect(rewritten.text == expected)
        // The rewritten text parses back to the same expression.
        #expect(try Expression.parse(rewritten.text) == rewritten)
    }

    @Test func longestRangeFollowsTheRewrite() throws {
        let expression = try Expression.parse("sum(rate(a[5m])) + sum(rate(b[1m]))")
        #expect(expression.withRanges(milliseconds: 6000).longestRangeMilliseconds == 6000)
    }
}
