import BallastCore
import BallastTesting
import Testing

/// The HPA `behavior` (stabilization windows, rate policies, selectPolicy), checked against the
/// examples of the Kubernetes "Horizontal Pod Autoscaling" page, section "Configurable scaling behavior".
struct HorizontalScalerTests {
    /// Runs the normalization every `tick`, applying each result, and returns the replica counts.
    static func run(
        from start: Int, desired: Int, behavior: ScalingBehavior, ticks: Int, every tick: Duration,
        minReplicas: Int = 1, maxReplicas: Int = 1000
    ) -> [Int] {
        var history = ScalingHistory()
        var clock = ManualClock()
        var current = start
        var counts = [current]
        for _ in 0..<ticks {
            let stabilized = HorizontalScaler.stabilize(
                desired: desired, current: current, now: clock.now, behavior: behavior, history: &history)
            let limited = HorizontalScaler.limitRate(
                desired: stabilized, current: current, minReplicas: minReplicas, maxReplicas: maxReplicas,
                now: clock.now, behavior: behavior, history: history
            )
            history.recordScale(from: current, to: limited.replicas, now: clock.now, behavior: behavior)
            current = limited.replicas
            counts.append(current)
            clock.advance(by: tick)
        }
        return counts
    }

    static func scaleDown(_ policies: [ScalingPolicy], select: SelectPolicy, window: Duration = .zero)
        -> ScalingBehavior
    {
        ScalingBehavior(
            scaleDown: ScalingRules(stabilizationWindow: window, policies: policies, selectPolicy: select), panic: nil)
    }

    static let fourPodsOrTenPercent = [
        ScalingPolicy(type: .pods, value: 4, period: .seconds(60)),
        ScalingPolicy(type: .percent, value: 10, period: .seconds(60)),
    ]

    @Test func fourPodsOrTenPercentPerMinuteTakesTheLargerChange() {
        // Docs: "if there are 80 replicas and the target has to be scaled down to 10 replicas then during the first
        // step 8 replicas will be reduced. In the next iteration when the number of replicas is 72, 10% of the pods
        // is 7.2 but the number is rounded up to 8. ... When the number of replicas falls below 40 the first policy
        // (Pods) is applied and 4 replicas will be reduced at a time." (Stabilization set to 0 to show the rate alone.)
        let counts = Self.run(
            from: 80, desired: 10, behavior: Self.scaleDown(Self.fourPodsOrTenPercent, select: .max), ticks: 15,
            every: .seconds(60))
        #expect(counts == [80, 72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10, 10])
    }

    @Test func selectPolicyMinTakesTheSmallerChange() {
        let counts = Self.run(
            from: 80, desired: 10, behavior: Self.scaleDown(Self.fourPodsOrTenPercent, select: .min), ticks: 4,
            every: .seconds(60))
        // 10 % of 80 is 8, 4 pods is 4: Min removes 4. Below 40 the percent policy removes fewer.
        #expect(counts == [80, 76, 72, 68, 64])
        let small = Self.run(
            from: 30, desired: 10, behavior: Self.scaleDown(Self.fourPodsOrTenPercent, select: .min), ticks: 2,
            every: .seconds(60))
        #expect(small == [30, 27, 24])
    }

    @Test func tenPercentOrFivePodsAtMostPerMinute() {
        // Docs: limit the removal rate to 10 % per minute and never more than 5 pods, with selectPolicy Min.
        let behavior = Self.scaleDown(
            [
                ScalingPolicy(type: .percent, value: 10, period: .seconds(60)),
                ScalingPolicy(type: .pods, value: 5, period: .seconds(60)),
            ],
            select: .min
        )
        #expect(
            Self.run(from: 100, desired: 1, behavior: behavior, ticks: 3, every: .seconds(60)) == [100, 95, 90, 85])
    }

    @Test func disabledNeverScalesThatWay() {
        let behavior = Self.scaleDown(Self.fourPodsOrTenPercent, select: .disabled)
        #expect(Self.run(from: 80, desired: 10, behavior: behavior, ticks: 3, every: .seconds(60)) == [80, 80, 80, 80])
    }

    @Test func rateCountsEveryChangeInsideThePeriod() {
        // Ticks every 20 s inside a 60 s period: 8 removed at t=0, nothing more until that event leaves the period.
        let counts = Self.run(
            from: 80, desired: 10, behavior: Self.scaleDown(Self.fourPodsOrTenPercent, select: .max), ticks: 5,
            every: .seconds(20))
        #expect(counts == [80, 72, 72, 72, 64, 64])
    }

    @Test func defaultScaleUpIsFourPodsOrDoublePerFifteenSeconds() {
        // Docs default: "4 pods or a 100% of the currently running replicas may at most be added every 15 seconds".
        let behavior = ScalingBehavior(panic: nil)
        #expect(
            Self.run(from: 1, desired: 40, behavior: behavior, ticks: 4, every: .seconds(15)) == [1, 5, 10, 20, 40])
        // Within one period the events already made count against the limit.
        #expect(Self.run(from: 1, desired: 40, behavior: behavior, ticks: 3, every: .seconds(5)) == [1, 5, 5, 5])
    }

    @Test func scaleUpStopsAtMaxReplicas() {
        let behavior = ScalingBehavior(panic: nil)
        var history = ScalingHistory()
        let limited = HorizontalScaler.limitRate(
            desired: 50, current: 8, minReplicas: 1, maxReplicas: 10, now: .epoch, behavior: behavior, history: history
        )
        #expect(limited.replicas == 10)
        #expect(limited.limit == .tooManyReplicas)
        let rated = HorizontalScaler.limitRate(
            desired: 50, current: 8, minReplicas: 1, maxReplicas: 100, now: .epoch, behavior: behavior, history: history
        )
        #expect(rated.replicas == 16)
        #expect(rated.limit == .scaleUpLimit)
        history.recordScale(from: 8, to: 16, now: .epoch, behavior: behavior)
        #expect(history.scaleUpEvents.map(\.change) == [8])
    }

    @Test func scaleDownStopsAtMinReplicas() {
        let limited = HorizontalScaler.limitRate(
            desired: 0, current: 3, minReplicas: 2, maxReplicas: 10, now: .epoch, behavior: ScalingBehavior(panic: nil),
            history: ScalingHistory()
        )
        #expect(limited.replicas == 2)
        #expect(limited.limit == .tooFewReplicas)
    }

    @Test func scaleDownWaitsForTheWholeWindow() {
        // Docs default: scale-down uses the highest recommendation of the last 300 s. The load fell at t=15 s,
        // so the recommendation of 10 made at t=0 keeps the fleet at 10 until t=300 s, when it leaves the window.
        let behavior = ScalingBehavior(panic: nil)
        var history = ScalingHistory()
        var clock = ManualClock()
        var current = 10
        var changedAt: Duration?
        for tick in 0...21 {
            let desired = tick == 0 ? 10 : 2
            let stabilized = HorizontalScaler.stabilize(
                desired: desired, current: current, now: clock.now, behavior: behavior, history: &history)
            let limited = HorizontalScaler.limitRate(
                desired: stabilized, current: current, minReplicas: 1, maxReplicas: 10, now: clock.now,
                behavior: behavior, history: history
            )
            if limited.replicas != current && changedAt == nil { changedAt = .seconds(15 * tick) }
            history.recordScale(from: current, to: limited.replicas, now: clock.now, behavior: behavior)
            current = limited.replicas
            clock.advance(by: .seconds(15))
        }
        #expect(changedAt == .seconds(300))
        #expect(current == 2)
    }

    @Test func shorterDownscaleWindow() {
        // Docs: "stabilizationWindowSeconds: 60" lets the same drop happen after one minute.
        let behavior = Self.scaleDown(
            [ScalingPolicy(type: .percent, value: 100, period: .seconds(15))], select: .max, window: .seconds(60))
        var history = ScalingHistory()
        var current = 10
        var counts: [Int] = []
        for tick in 0...5 {
            let now = Timestamp.epoch + .seconds(15 * tick)
            let stabilized = HorizontalScaler.stabilize(
                desired: tick == 0 ? 10 : 2, current: current, now: now, behavior: behavior, history: &history)
            current =
                HorizontalScaler.limitRate(
                    desired: stabilized, current: current, minReplicas: 1, maxReplicas: 10, now: now,
                    behavior: behavior, history: history
                ).replicas
            counts.append(current)
        }
        #expect(counts == [10, 10, 10, 10, 2, 2])
    }

    @Test func scaleUpWindowTakesTheLowestRecentRecommendation() {
        let behavior = ScalingBehavior(
            scaleUp: ScalingRules(
                stabilizationWindow: .seconds(60),
                policies: [ScalingPolicy(type: .pods, value: 100, period: .seconds(15))]),
            panic: nil
        )
        var history = ScalingHistory()
        let start = Timestamp.epoch
        #expect(
            HorizontalScaler.stabilize(desired: 8, current: 4, now: start, behavior: behavior, history: &history) == 8)
        #expect(
            HorizontalScaler.stabilize(
                desired: 6, current: 4, now: start + .seconds(15), behavior: behavior, history: &history) == 6)
        #expect(
            HorizontalScaler.stabilize(
                desired: 10, current: 4, now: start + .seconds(30), behavior: behavior, history: &history) == 6)
        // At 75 s the 6 from 15 s has left the 60 s window; the lowest left is 10.
        #expect(
            HorizontalScaler.stabilize(
                desired: 12, current: 4, now: start + .seconds(76), behavior: behavior, history: &history) == 10)
    }

    @Test func absurdPolicyValuesDoNotTrap() {
        let behavior = ScalingBehavior(
            scaleUp: ScalingRules(
                stabilizationWindow: .zero, policies: [ScalingPolicy(type: .pods, value: Int.max, period: .seconds(15))]
            ),
            scaleDown: ScalingRules(
                stabilizationWindow: .zero,
                policies: [
                    ScalingPolicy(type: .pods, value: Int.max, period: .seconds(15)),
                    ScalingPolicy(type: .percent, value: Int.max, period: .seconds(15)),
                ]),
            panic: nil
        )
        let up = HorizontalScaler.limitRate(
            desired: 500, current: 5, minReplicas: 1, maxReplicas: 100, now: .epoch, behavior: behavior,
            history: ScalingHistory())
        #expect(up.replicas == 100)
        let down = HorizontalScaler.limitRate(
            desired: 0, current: 5, minReplicas: 1, maxReplicas: 100, now: .epoch, behavior: behavior,
            history: ScalingHistory())
        #expect(down.replicas == 1)
    }
}
