import PromQL
import Testing

struct ExpressionParseTests {
    /// Input and its canonical text.
    static let valid: [(String, String)] = [
        ("1", "1"),
        ("-1.5", "-1.5"),
        ("0x1F", "31"),
        ("1e3", "1000"),
        (".5", "0.5"),
        ("Inf", "Inf"),
        ("-inf", "-Inf"),
        ("NaN", "NaN"),
        ("\"a\\\"b\"", "\"a\\\"b\""),
        ("'single'", "\"single\""),
        ("`raw\\n`", "\"raw\\\\n\""),
        ("up", "up"),
        ("up{job=\"x\"}", "up{job=\"x\"}"),
        ("up{job!=\"x\",instance=~\"a.*\",mode!~'idle',}", "up{job!=\"x\", instance=~\"a.*\", mode!~\"idle\"}"),
        ("{__name__=~\"ballast_.*\"}", "{__name__=~\"ballast_.*\"}"),
        ("x[5m]", "x[5m]"),
        ("x[90m]", "x[1h30m]"),
        ("x[1h30m]", "x[1h30m]"),
        ("x[500ms]", "x[500ms]"),
        ("x[1d]", "x[1d]"),
        ("x offset 1m", "x offset 1m"),
        ("x[5m] offset 30s", "x[5m] offset 30s"),
        ("x offset -1m", "x offset -1m"),
        ("a + b * c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
        ("-2 ^ 2", "-2 ^ 2"),
        ("- x", "-x"),
        ("+x", "x"),
        ("a > bool 1", "a > bool 1"),
        ("1 == bool 1", "1 == bool 1"),
        ("a and b or c unless d", "a and b or c unless d"),
        ("a AND b", "a and b"),
        ("a * on(model) group_left(tier) b", "a * on(model) group_left(tier) b"),
        ("a / ignoring(worker) group_right b", "a / ignoring(worker) group_right() b"),
        ("a and on() b", "a and on() b"),
        ("sum(x)", "sum(x)"),
        ("sum by (le) (x)", "sum by (le) (x)"),
        ("sum(x) by (le, model)", "sum by (le, model) (x)"),
        ("avg without (worker) (x)", "avg without (worker) (x)"),
        ("max(x) without (a)", "max without (a) (x)"),
        ("topk(3, x)", "topk(3, x)"),
        ("bottomk by (model) (1, x)", "bottomk by (model) (1, x)"),
        ("quantile(0.9, x)", "quantile(0.9, x)"),
        ("count(x)", "count(x)"),
        ("stddev(x)", "stddev(x)"),
        ("rate(x[5m])", "rate(x[5m])"),
        ("rate((x[5m]))", "rate((x[5m]))"),
        (
            "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))",
            "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))"
        ),
        ("clamp(x, 0, 1)", "clamp(x, 0, 1)"),
        ("scalar(x) * vector(2)", "scalar(x) * vector(2)"),
        ("time()", "time()"),
        ("job:requests:rate5m", "job:requests:rate5m"),
        ("x # a comment", "x"),
        ("sum(x) / scalar(y)", "sum(x) / scalar(y)"),
    ]

    @Test(arguments: valid)
    func parsesToCanonicalText(input: String, canonical: String) throws {
        let expression = try Expression.parse(input)
        #expect(expression.text == canonical)
        // The canonical text parses back to the same expression.
        #expect(try Expression.parse(expression.text) == expression)
    }

    /// Input, the column the error names, and a phrase the message must contain.
    static let invalid: [(String, Int, String)] = [
        ("", 1, "empty"),
        ("rate(x[5m:1m])", 7, "subqueries are not supported"),
        ("max_over_time(rate(x[1m])[5m:1m])", 26, "subqueries are not supported"),
        ("x @ 100", 3, "@ modifier is not supported"),
        ("label_replace(x, \"a\", \"b\", \"c\", \"d\")", 1, "function \"label_replace\" is not supported"),
        ("predict_linear(x[5m], 60)", 1, "function \"predict_linear\" is not supported"),
        ("count_values(\"v\", x)", 1, "count_values is not supported"),
        ("nosuch(x)", 1, "unknown function \"nosuch\""),
        ("rat(x[5m])", 1, "unknown function \"rat\"; did you mean \"rate\"?"),
        ("histogram_quantil(0.9, x)", 1, "did you mean \"histogram_quantile\"?"),
        ("summ(x)", 1, "did you mean \"sum\"?"),
        ("rate(x)", 6, "expected type range vector"),
        ("rate(x[5m], 1)", 1, "takes 1 argument"),
        ("abs(x[5m])", 5, "expected type instant vector"),
        ("histogram_quantile(x, y)", 20, "expected type scalar"),
        ("sum(x[5m])", 1, "expected type instant vector in aggregation"),
        ("topk(x)", 1, "wrong number of arguments"),
        ("topk(y, x)", 1, "expected type scalar in aggregation parameter"),
        ("sum by (a) (x) by (b)", 16, "two grouping clauses"),
        ("x[5m] + 1", 7, "only scalar and instant vector"),
        ("1 > 2", 3, "must use the bool modifier"),
        ("a + bool b", 3, "bool modifier can only be used on comparison"),
        ("1 and x", 3, "set operator \"and\" not allowed"),
        ("a + group_left b", 5, "needs on(...) or ignoring(...)"),
        ("a and on(x) group_left b", 13, "no grouping allowed"),
        ("a * on(x) group_left(x) b", 11, "must not occur in on() and group_left()"),
        ("1 + on(x) b", 3, "needs vectors on both sides"),
        ("x{a=\"1\"", 8, "expected \"}\""),
        ("x{a==\"1\"}", 4, "single ="),
        ("x{a~\"1\"}", 4, "unexpected character"),
        ("x{a=1}", 5, "expected a quoted string"),
        ("x{a=~\"(\"}", 6, "invalid regular expression"),
        ("x{a=~\"(?=b)\"}", 6, "lookahead, which Prometheus' RE2 syntax does not support"),
        ("x{a!~'(a)\\\\1'}", 6, "backreference"),
        ("x{__name__=\"y\"}", 3, "metric name must not be set twice"),
        ("{a=\"\"}", 1, "at least one non-empty matcher"),
        ("{}", 1, "at least one non-empty matcher"),
        ("x[5]", 3, "expected a duration such as 5m"),
        ("x[1.5m]", 3, "bad number or duration syntax"),
        ("x[30s1m]", 3, "largest to smallest"),
        ("x[5m5m]", 3, "largest to smallest"),
        ("x[0s]", 2, "greater than zero"),
        ("x[5m][5m]", 6, "ranges are only allowed directly after a vector selector"),
        ("(x)[5m]", 4, "ranges are only allowed directly after a vector selector"),
        ("x offset", 9, "expected a duration"),
        ("x offset 1m offset 1m", 13, "offset modifier must be preceded by a vector selector"),
        ("sum(x) offset 1m", 8, "offset modifier must be preceded"),
        ("5m", 1, "a duration is only allowed in a range"),
        ("1x", 1, "bad number or duration syntax"),
        ("0xZ", 1, "invalid hexadecimal number"),
        ("\"open", 1, "unterminated string"),
        ("\"bad \\q\"", 7, "unknown escape sequence"),
        ("(x", 3, "closing the parenthesis opened at column 1"),
        ("x)", 2, "after a complete expression"),
        ("x y", 3, "after a complete expression"),
        ("sum(x", 6, "closing sum("),
        ("a +", 4, "end of input"),
        ("by", 1, "unexpected keyword \"by\""),
        ("x ! y", 3, "write != or !~"),
        ("$", 1, "unexpected character \"$\""),
        ("-x[5m]", 1, "unary expression only allowed"),
        ("sum by (a:b) (x)", 9, "expected a label name"),
        (
            String(repeating: "(", count: 300) + "x" + String(repeating: ")", count: 300), 257,
            "nests deeper than 256 levels"
        ),
    ]

    @Test(arguments: invalid)
    func rejectsWithColumnAndConstruct(input: String, column: Int, phrase: String) {
        #expect {
            try Expression.parse(input)
        } throws: { error in
            guard let error = error as? PromQLError else { return false }
            return error.column == column && error.description.hasPrefix("column \(column): ")
                && error.description.contains(phrase)
        }
    }

    @Test func listsSelectorsNamesAndLongestRange() throws {
        let expression = try Expression.parse(
            "sum(rate(a_total{x=\"1\"}[5m] offset 1m)) / sum(b) + max_over_time(a_total[10m]) + count({__name__=~\"c.*\"})"
        )
        #expect(expression.selectors.count == 4)
        #expect(expression.metricNames == ["a_total", "b"])
        #expect(expression.longestRangeMilliseconds == 600_000)
        #expect(expression.longestRange == .seconds(600))
        #expect(try Expression.parse("rate(x[5m] offset 10m)").longestRangeMilliseconds == 900_000)
        #expect(try Expression.parse("x").longestRangeMilliseconds == 0)
        #expect(try Expression.parse("{__name__=\"y\"}").metricNames == ["y"])
    }

    @Test(arguments: [
        ("1", "scalar"), ("x", "instant vector"), ("x[1m]", "range vector"), ("\"s\"", "string"),
        ("time()", "scalar"), ("sum(x)", "instant vector"), ("1 + x", "instant vector"),
    ])
    func reportsResultType(input: String, type: String) throws {
        #expect(try Expression.parse(input).resultType == type)
    }
}
