import PromQL
import PromText
import Testing

struct OperatorTests {
    /// Two workers of model m, one of model n, and an info series per model.
    static func fleet() -> Fixture {
        var fixture = Fixture()
        fixture.add("depth", ["model": "m", "worker": "1"], [(10, 4)])
        fixture.add("depth", ["model": "m", "worker": "2"], [(10, 6)])
        fixture.add("depth", ["model": "n", "worker": "3"], [(10, 1)])
        fixture.add("limit", ["model": "m", "worker": "1"], [(10, 5)])
        fixture.add("limit", ["model": "m", "worker": "2"], [(10, 5)])
        fixture.add("info", ["model": "m", "tier": "light"], [(10, 1)])
        fixture.add("info", ["model": "n", "tier": "heavy"], [(10, 1)])
        return fixture
    }

    /// Expression and its result as label text to value, worked out from the fleet above.
    static let cases: [(String, [String: Double])] = [
        ("depth{worker=\"1\"}", ["{__name__=\"depth\",model=\"m\",worker=\"1\"}": 4]),
        ("depth{worker=\"1\"} * 2", ["{model=\"m\",worker=\"1\"}": 8]),
        ("-depth{worker=\"1\"}", ["{model=\"m\",worker=\"1\"}": -4]),
        (
            "depth > 3",
            ["{__name__=\"depth\",model=\"m\",worker=\"1\"}": 4, "{__name__=\"depth\",model=\"m\",worker=\"2\"}": 6]
        ),
        (
            "3 < depth{model=\"m\"}",
            ["{__name__=\"depth\",model=\"m\",worker=\"1\"}": 4, "{__name__=\"depth\",model=\"m\",worker=\"2\"}": 6]
        ),
        (
            "depth > bool 3",
            ["{model=\"m\",worker=\"1\"}": 1, "{model=\"m\",worker=\"2\"}": 1, "{model=\"n\",worker=\"3\"}": 0]
        ),
        ("depth / limit", ["{model=\"m\",worker=\"1\"}": 0.8, "{model=\"m\",worker=\"2\"}": 1.2]),
        ("depth > limit", ["{__name__=\"depth\",model=\"m\",worker=\"2\"}": 6]),
        ("depth >= bool limit", ["{model=\"m\",worker=\"1\"}": 0, "{model=\"m\",worker=\"2\"}": 1]),
        ("depth + on(worker) limit", ["{worker=\"1\"}": 9, "{worker=\"2\"}": 11]),
        (
            "depth * on(model) group_left(tier) info",
            [
                "{model=\"m\",tier=\"light\",worker=\"1\"}": 4, "{model=\"m\",tier=\"light\",worker=\"2\"}": 6,
                "{model=\"n\",tier=\"heavy\",worker=\"3\"}": 1,
            ]
        ),
        (
            "info * on(model) group_right depth",
            ["{model=\"m\",worker=\"1\"}": 4, "{model=\"m\",worker=\"2\"}": 6, "{model=\"n\",worker=\"3\"}": 1]
        ),
        (
            "depth and limit",
            ["{__name__=\"depth\",model=\"m\",worker=\"1\"}": 4, "{__name__=\"depth\",model=\"m\",worker=\"2\"}": 6]
        ),
        ("depth unless limit", ["{__name__=\"depth\",model=\"n\",worker=\"3\"}": 1]),
        (
            "depth{model=\"n\"} or limit",
            [
                "{__name__=\"depth\",model=\"n\",worker=\"3\"}": 1, "{__name__=\"limit\",model=\"m\",worker=\"1\"}": 5,
                "{__name__=\"limit\",model=\"m\",worker=\"2\"}": 5,
            ]
        ),
        ("depth and on(model) info{tier=\"heavy\"}", ["{__name__=\"depth\",model=\"n\",worker=\"3\"}": 1]),
        ("sum(depth)", ["{}": 11]),
        ("sum by (model) (depth)", ["{model=\"m\"}": 10, "{model=\"n\"}": 1]),
        ("sum(depth) by (model)", ["{model=\"m\"}": 10, "{model=\"n\"}": 1]),
        ("avg without (worker) (depth)", ["{model=\"m\"}": 5, "{model=\"n\"}": 1]),
        ("max(depth)", ["{}": 6]),
        ("min by (model) (depth)", ["{model=\"m\"}": 4, "{model=\"n\"}": 1]),
        ("count(depth)", ["{}": 3]),
        ("group by (model) (depth)", ["{model=\"m\"}": 1, "{model=\"n\"}": 1]),
        ("stdvar by (model) (depth)", ["{model=\"m\"}": 1, "{model=\"n\"}": 0]),
        ("stddev by (model) (depth)", ["{model=\"m\"}": 1, "{model=\"n\"}": 0]),
        ("quantile(0.5, depth)", ["{}": 4]),
        ("quantile(0.75, depth)", ["{}": 5]),
        ("topk(1, depth)", ["{__name__=\"depth\",model=\"m\",worker=\"2\"}": 6]),
        (
            "bottomk by (model) (1, depth)",
            ["{__name__=\"depth\",model=\"m\",worker=\"1\"}": 4, "{__name__=\"depth\",model=\"n\",worker=\"3\"}": 1]
        ),
        ("topk(0, depth)", [:]),
        ("sum by (__name__) (depth)", ["{__name__=\"depth\"}": 11]),
        (
            "clamp(depth, 2, 5)",
            ["{model=\"m\",worker=\"1\"}": 4, "{model=\"m\",worker=\"2\"}": 5, "{model=\"n\",worker=\"3\"}": 2]
        ),
        ("clamp_min(depth{model=\"n\"}, 2)", ["{model=\"n\",worker=\"3\"}": 2]),
        ("clamp_max(depth{model=\"n\"}, 0.5)", ["{model=\"n\",worker=\"3\"}": 0.5]),
        ("abs(depth{model=\"n\"} - 3)", ["{model=\"n\",worker=\"3\"}": 2]),
        ("vector(2) + scalar(depth{model=\"n\"})", ["{}": 3]),
        ("sum(depth) / scalar(count(depth))", ["{}": 11.0 / 3]),
        ("nothing", [:]),
        ("sum(nothing)", [:]),
    ]

    @Test(arguments: cases)
    func evaluates(expression: String, expected: [String: Double]) throws {
        let fixture = Self.fleet()
        let result = try fixture.vector(expression, atSeconds: 10)
        #expect(result.keys.sorted() == expected.keys.sorted())
        for (labels, value) in expected {
            #expect(
                approximatelyEqual(result[labels], value),
                "\(labels): \(String(describing: result[labels])), expected \(value)")
        }
    }

    /// Scalar expressions and their values.
    static let scalars: [(String, Double)] = [
        ("2 ^ 3 ^ 2", 512), ("-2 ^ 2", -4), ("2 * 3 + 4 % 3", 7), ("7 % -3", 1), ("1 / 0", .infinity),
        ("0 / 0", .nan), ("1 > bool 2", 0), ("2 >= bool 2", 1), ("NaN == bool NaN", 0), ("NaN != bool NaN", 1),
        ("(1 + 2) * 3", 9), ("- - 3", 3), ("0x10", 16), ("time()", 10), ("scalar(nothing)", .nan),
    ]

    @Test(arguments: scalars)
    func evaluatesScalars(expression: String, expected: Double) throws {
        let value = try Self.fleet().single(expression, atSeconds: 10)
        #expect(approximatelyEqual(value, expected), "\(expression) = \(String(describing: value))")
    }

    /// Expressions Prometheus rejects at evaluation time, with a phrase of its message.
    static let failures: [(String, String)] = [
        ("depth * on(model) limit", "many-to-many matching not allowed"),
        (
            "depth * on(model) group_left info{model=\"m\"} * on(model) depth",
            "found duplicate series for the match group {model=\"m\"} on the right hand-side"
        ),
        ("info * on(model) group_right depth * on(model) group_right info", "on the left hand-side"),
        ("depth * ignoring(worker) sum without (worker) (depth)", "many-to-one matching must be explicit"),
        (
            "{__name__=~\"depth|limit\", worker=\"1\"} * ignoring(worker) group_left sum by (model) (limit)",
            "grouping labels must ensure unique matches"
        ),
        (
            "depth{worker=\"1\"} * ignoring(worker) group_left {__name__=~\"limit|depth\", worker=\"2\"}",
            "many-to-many matching not allowed"
        ),
        ("{__name__=~\"depth|limit\", worker=\"1\"} * 1", "vector cannot contain metrics with the same labelset"),
    ]

    @Test(arguments: failures)
    func reportsMatchingErrors(expression: String, phrase: String) {
        #expect {
            try Self.fleet().evaluate(expression, atSeconds: 10)
        } throws: { error in
            (error as? PromQLError)?.description.contains(phrase) == true
        }
    }
}
