import BallastCore
import Testing

/// Cases from `TestScalingWithRules` and `TestNormalizeDesiredReplicas` in Kubernetes'
/// `pkg/controller/podautoscaler/horizontal_test.go`, run through ``HorizontalScaler``.
struct KubernetesRateCasesTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var minReplicas: Int
        var maxReplicas: Int
        var scaleUp: ScalingRules = .defaultScaleUp
        var scaleDown: ScalingRules = .defaultScaleDown
        /// Past scale-ups as (replicas added, seconds ago).
        var upEvents: [(Int, Int64)] = []
        var current: Int
        var desired: Int
        var expected: Int
        var limit: HorizontalScaler.Limit
        var description: String { name }
    }

    /// Kubernetes' `generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)` with selectPolicy Max.
    static func rules(pods: Int, podsPeriod: Int64, percent: Int, percentPeriod: Int64, window: Int64 = 0)
        -> ScalingRules
    {
        var policies: [ScalingPolicy] = []
        if pods != 0 { policies.append(ScalingPolicy(type: .pods, value: pods, period: .seconds(podsPeriod))) }
        if percent != 0 {
            policies.append(ScalingPolicy(type: .percent, value: percent, period: .seconds(percentPeriod)))
        }
        return ScalingRules(stabilizationWindow: .seconds(window), policies: policies, selectPolicy: .max)
    }

    /// Kubernetes' `generateEventsUniformDistribution([1, 5, 9], 120)`: 100 s, 60 s and 20 s ago. The 60 s event
    /// sits just outside a 60 s period there (its clock moved on), so it is placed 61 s ago here.
    static let spreadEvents: [(Int, Int64)] = [(1, 100), (5, 61), (9, 20)]

    @Test(arguments: [
        Case(
            name: "within range", minReplicas: 3, maxReplicas: 8, current: 5, desired: 7, expected: 7,
            limit: .desiredWithinRange),
        Case(
            name: "below minReplicas", minReplicas: 2, maxReplicas: 8, current: 3, desired: 1, expected: 2,
            limit: .tooFewReplicas),
        Case(
            name: "minReplicas 0", minReplicas: 0, maxReplicas: 10, current: 1, desired: 0, expected: 0,
            limit: .desiredWithinRange),
        Case(
            name: "maxReplicas below scale-up limit", minReplicas: 1, maxReplicas: 10, current: 20, desired: 1000,
            expected: 10, limit: .tooManyReplicas),
        Case(
            name: "more than maxReplicas", minReplicas: 100, maxReplicas: 150, current: 100, desired: 1000,
            expected: 150, limit: .tooManyReplicas),
        Case(
            name: "1 % scale-up rounds up to one pod", minReplicas: 1, maxReplicas: 2000,
            scaleUp: rules(pods: 0, podsPeriod: 0, percent: 1, percentPeriod: 60), current: 3, desired: 1000,
            expected: 4, limit: .scaleUpLimit),
        Case(
            name: "20 pods scale-down", minReplicas: 3, maxReplicas: 2000,
            scaleDown: rules(pods: 20, podsPeriod: 60, percent: 0, percentPeriod: 0), current: 1000, desired: 3,
            expected: 980, limit: .scaleDownLimit),
        Case(
            name: "default scale-up", minReplicas: 1, maxReplicas: 1000, current: 10, desired: 50, expected: 20,
            limit: .scaleUpLimit),
        Case(
            name: "pods policy larger than percent", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 100, podsPeriod: 60, percent: 100, percentPeriod: 60), current: 10, desired: 500,
            expected: 110, limit: .scaleUpLimit),
        Case(
            name: "percent policy larger than pods", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 2, podsPeriod: 60, percent: 100, percentPeriod: 60), current: 10, desired: 500,
            expected: 20, limit: .scaleUpLimit),
        Case(
            name: "large pods policy", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 100, podsPeriod: 60, percent: 0, percentPeriod: 0), current: 10, desired: 50,
            expected: 50, limit: .desiredWithinRange),
        Case(
            name: "pods policy limits", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 30, podsPeriod: 60, percent: 0, percentPeriod: 0), current: 10, desired: 50,
            expected: 40, limit: .scaleUpLimit),
        Case(
            name: "percent policy limits", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 0, podsPeriod: 0, percent: 200, percentPeriod: 60), current: 10, desired: 50,
            expected: 30, limit: .scaleUpLimit),
        Case(
            name: "scale-down pods 20 vs percent 1", minReplicas: 1, maxReplicas: 1000,
            scaleDown: rules(pods: 20, podsPeriod: 60, percent: 1, percentPeriod: 60, window: 300), current: 100,
            desired: 2, expected: 80,
            limit: .scaleDownLimit),
        Case(
            name: "scale-down pods 2 vs percent 1", minReplicas: 1, maxReplicas: 1000,
            scaleDown: rules(pods: 2, podsPeriod: 60, percent: 1, percentPeriod: 60, window: 300), current: 100,
            desired: 2, expected: 98,
            limit: .scaleDownLimit),
        Case(
            name: "scale-down to minReplicas", minReplicas: 5, maxReplicas: 1000,
            scaleDown: rules(pods: 0, podsPeriod: 0, percent: 100, percentPeriod: 60, window: 300), current: 10,
            desired: 2, expected: 5,
            limit: .tooFewReplicas),
        Case(
            name: "scale-down pods policy limits", minReplicas: 1, maxReplicas: 1000,
            scaleDown: rules(pods: 5, podsPeriod: 60, percent: 0, percentPeriod: 0, window: 300), current: 10,
            desired: 2, expected: 5,
            limit: .scaleDownLimit),
        Case(
            name: "maxReplicas with past events", minReplicas: 1, maxReplicas: 200,
            scaleUp: rules(pods: 300, podsPeriod: 60, percent: 0, percentPeriod: 0), upEvents: spreadEvents,
            current: 100, desired: 500,
            expected: 200, limit: .tooManyReplicas),
        Case(
            name: "no scale-up after many recent events", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 5, podsPeriod: 120, percent: 0, percentPeriod: 0), upEvents: spreadEvents,
            current: 100, desired: 500,
            expected: 100, limit: .scaleUpLimit),
        Case(
            name: "pods policy counts past events", minReplicas: 1, maxReplicas: 1000,
            scaleUp: rules(pods: 150, podsPeriod: 120, percent: 0, percentPeriod: 0), upEvents: spreadEvents,
            current: 100, desired: 500,
            expected: 235, limit: .scaleUpLimit),
    ])
    func scalingWithRules(_ c: Case) {
        let now = Timestamp(secondsSinceEpoch: 1_000_000)
        let history = ScalingHistory(scaleUpEvents: c.upEvents.map { .init(change: $0.0, time: now - .seconds($0.1)) })
        let behavior = ScalingBehavior(scaleUp: c.scaleUp, scaleDown: c.scaleDown, panic: nil)
        let result = HorizontalScaler.limitRate(
            desired: c.desired, current: c.current, minReplicas: c.minReplicas, maxReplicas: c.maxReplicas,
            now: now, behavior: behavior, history: history
        )
        #expect(result.replicas == c.expected)
        #expect(result.limit == c.limit)
    }

    @Test(
        arguments: [
            // name, past (replicas, minutes ago), desired, stabilized: a 5-minute downscale window keeps the highest.
            ("empty log", [], 5, 5),
            ("stabilize", [(4, 2), (5, 1)], 3, 5),
            ("no stabilize", [(1, 2), (2, 1)], 3, 3),
            ("no stabilize - old recommendations", [(10, 10), (9, 9)], 3, 3),
            ("stabilize - old recommendations", [(10, 10), (4, 1), (5, 2), (9, 9)], 3, 5),
        ] as [(String, [(Int, Int64)], Int, Int)])
    func normalizeDesiredReplicas(name: String, past: [(Int, Int64)], desired: Int, stabilized: Int) {
        let now = Timestamp(secondsSinceEpoch: 1_000_000)
        var history = ScalingHistory(
            recommendations: past.map { .init(replicas: $0.0, time: now - .seconds($0.1 * 60)) })
        let behavior = ScalingBehavior(panic: nil)
        // Kubernetes' test starts from a current count above every recommendation, so only the downscale window acts.
        let result = HorizontalScaler.stabilize(
            desired: desired, current: 100, now: now, behavior: behavior, history: &history)
        #expect(result == stabilized, "\(name)")
        #expect(history.recommendations.allSatisfy { now - $0.time <= .seconds(300) })
    }
}
