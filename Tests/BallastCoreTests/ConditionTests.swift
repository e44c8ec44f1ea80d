import BallastCore
import Testing

struct ConditionTests {
    static let a = Condition.compare(signal: "a", op: .greater, threshold: 1)
    static let b = Condition.compare(signal: "b", op: .less, threshold: 1)

    enum Expected: Sendable { case breached, clear, unknown }

    @Test(
        arguments: [
            (Condition.compare(signal: "a", op: .greater, threshold: 1), ["a": 2.0], Expected.breached),
            (Condition.compare(signal: "a", op: .greaterOrEqual, threshold: 1), ["a": 1.0], .breached),
            (Condition.compare(signal: "a", op: .lessOrEqual, threshold: 1), ["a": 1.5], .clear),
            (Condition.compare(signal: "a", op: .notEqual, threshold: 1), ["a": 1.0], .clear),
            (Condition.compare(signal: "a", op: .greater, threshold: 1), ["a": .infinity], .breached),
            (Condition.compare(signal: "a", op: .greater, threshold: 1), ["a": .nan], .unknown),
            (Condition.compare(signal: "a", op: .greater, threshold: 1), [:], .unknown),
            (Condition.all([a, b]), ["a": 2, "b": 0], .breached),
            (Condition.all([a, b]), ["a": 2, "b": 2], .clear),
            (Condition.all([a, b]), ["a": 2], .unknown),
            // One false part settles `all` whatever the missing part would say.
            (Condition.all([a, b]), ["a": 0], .clear),
            (Condition.any([a, b]), ["a": 0, "b": 2], .clear),
            (Condition.any([a, b]), ["a": 0], .unknown),
            // One true part settles `any`.
            (Condition.any([a, b]), ["b": 0], .breached),
            (
                Condition.any([Condition.all([a, b]), .compare(signal: "c", op: .equal, threshold: 3)]),
                ["a": 2, "b": 0], .breached
            ),
            (Condition.all([]), [:], .breached),
            (Condition.any([]), [:], .clear),
        ] as [(Condition, [String: Double], Expected)])
    func evaluatesWithThreeValuedLogic(condition: Condition, values: [String: Double], expected: Expected) {
        let outcome = condition.evaluate(values.mapValues { SignalReading.value($0) })
        switch (outcome, expected) {
        case (.breached, .breached), (.clear, .clear), (.unknown, .unknown):
            break
        default:
            Issue.record("expected \(expected), got \(outcome)")
        }
    }

    @Test func unknownNamesTheSignalAndWhy() {
        let outcome = Self.a.evaluate(["a": .failed(reason: "connection refused to 127.0.0.1:9090")])
        #expect(outcome == .unknown(reason: "a could not be read: connection refused to 127.0.0.1:9090"))
        let stale = Self.a.evaluate(["a": .stale(since: Timestamp(millisecondsSinceEpoch: 42))])
        #expect(stale == .unknown(reason: "a is stale: its newest sample is from @42ms"))
    }

    @Test func explainsWithValuesSubstituted() {
        let condition = Condition.all([Self.a, Self.b])
        #expect(
            condition.explained(["a": .value(0.84), "b": .missing(reason: "x")]) == "all(a (0.84) > 1, b (missing) < 1)"
        )
        #expect(condition.comparisons(["a": .value(2)]).map(\.signal) == ["a", "b"])
    }
}
