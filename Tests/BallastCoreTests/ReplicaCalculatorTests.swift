import BallastCore
import Testing

/// The HPA formula, `desired = ceil(current × value / target)`, checked against the worked examples of
/// the Kubernetes "Horizontal Pod Autoscaling" page (Algorithm details) and Ballast's startup rules.
struct ReplicaCalculatorTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var current: Int
        var ready: Int
        var starting: Int = 0
        var value: Double
        var target: Double
        var expected: Int
        var description: String { name }
    }

    @Test(arguments: [
        // Kubernetes docs: "if the current metric value is 200m, and the desired value is 100m, the number of replicas will be doubled".
        Case(name: "200m vs 100m doubles 1", current: 1, ready: 1, value: 200, target: 100, expected: 2),
        Case(name: "200m vs 100m doubles 4", current: 4, ready: 4, value: 200, target: 100, expected: 8),
        // "If the current value is instead 50m, you'll halve the number of replicas".
        Case(name: "50m vs 100m halves", current: 4, ready: 4, value: 50, target: 100, expected: 2),
        // Tolerance 0.1: a ratio of 1.05 or 0.92 changes nothing.
        Case(name: "ratio 1.05 within tolerance", current: 4, ready: 4, value: 105, target: 100, expected: 4),
        Case(name: "ratio 0.92 within tolerance", current: 10, ready: 10, value: 92, target: 100, expected: 10),
        Case(name: "ratio 1.11 outside tolerance", current: 4, ready: 4, value: 111, target: 100, expected: 5),
        // Ballast's queue-time example: ceil(2 × 0.84 / 0.5) = 4.
        Case(name: "queue p95 0.84 s vs 0.5 s", current: 2, ready: 2, value: 0.84, target: 0.5, expected: 4),
        Case(name: "rounds up", current: 3, ready: 3, value: 0.7, target: 0.5, expected: 5),
        // Starting replicas count as capacity: 2 ready at twice the target need 4, and 2 are already starting.
        Case(
            name: "starting replicas absorb demand", current: 4, ready: 2, starting: 2, value: 1.0, target: 0.5,
            expected: 4),
        Case(
            name: "demand beyond starting replicas", current: 4, ready: 2, starting: 2, value: 1.5, target: 0.5,
            expected: 6),
        // Scale-down counts starting replicas as loaded: ceil(2 × 0.1 / 0.5 + 2) = 3.
        Case(
            name: "scale-down keeps starting replicas", current: 4, ready: 2, starting: 2, value: 0.1, target: 0.5,
            expected: 3),
        Case(name: "nothing ready yet", current: 3, ready: 0, starting: 3, value: 0, target: 0.5, expected: 3),
        Case(name: "from zero replicas", current: 0, ready: 0, value: 1.2, target: 0.5, expected: 3),
        Case(name: "zero load scales to zero", current: 4, ready: 4, value: 0, target: 0.5, expected: 0),
        Case(name: "+Inf is capped", current: 2, ready: 2, value: .infinity, target: 0.5, expected: Int(Int32.max)),
        Case(name: "huge is capped", current: 2, ready: 2, value: 1e300, target: 1e-300, expected: Int(Int32.max)),
    ])
    func recommends(_ c: Case) {
        let outcome = ReplicaCalculator.recommend(
            current: c.current, ready: c.ready, starting: c.starting, value: c.value, target: c.target, tolerance: 0.1
        )
        guard case .replicas(let replicas, _, _) = outcome else {
            Issue.record("expected a count, got \(outcome)")
            return
        }
        #expect(replicas == c.expected)
    }

    @Test func formulaShowsTheNumbers() {
        let outcome = ReplicaCalculator.recommend(
            current: 2, ready: 2, starting: 0, value: 0.84, target: 0.5, tolerance: 0.1)
        #expect(outcome == .replicas(4, formula: "ceil(2 × 0.84 / 0.5) = 4", note: nil))
    }

    @Test(arguments: [
        (0.5, 0.0, "the scale target is 0; write a positive number such as 0.5"),
        (0.5, -1.0, "the scale target is -1; write a positive number such as 0.5"),
        (0.5, Double.infinity, "the scale target is +Inf; write a positive number such as 0.5"),
        (-0.5, 1.0, "the value -0.5 is negative; the formula needs a load of 0 or more"),
        (-Double.infinity, 1.0, "the value -Inf is negative; the formula needs a load of 0 or more"),
    ])
    func refusesNumbersTheFormulaCannotUse(value: Double, target: Double, reason: String) {
        let outcome = ReplicaCalculator.recommend(
            current: 2, ready: 2, starting: 0, value: value, target: target, tolerance: 0.1)
        #expect(outcome == .unusable(reason: reason))
    }
}
