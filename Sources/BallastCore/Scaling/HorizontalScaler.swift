/// The Kubernetes HPA v2 normalization, step for step as `horizontal.go` does it:
/// stabilization windows (``stabilize(desired:current:now:behavior:history:)``), then rate policies
/// and replica bounds (``limitRate(desired:current:minReplicas:maxReplicas:now:behavior:history:)``).
///
/// Pure functions over a ``ScalingHistory``; the caller records the rescale it performs.
public enum HorizontalScaler {
    /// Why the rate step changed a recommendation; Kubernetes' `ScalingLimited` reasons.
    public enum Limit: String, Hashable, Sendable, Codable {
        /// Within every limit.
        case desiredWithinRange = "DesiredWithinRange"
        /// Growing faster than the scale-up policies allow.
        case scaleUpLimit = "ScaleUpLimit"
        /// Above `maxReplicas`.
        case tooManyReplicas = "TooManyReplicas"
        /// Shrinking faster than the scale-down policies allow.
        case scaleDownLimit = "ScaleDownLimit"
        /// Below `minReplicas`.
        case tooFewReplicas = "TooFewReplicas"
    }

    /// Stabilizes `desired` (Kubernetes' `stabilizeRecommendationWithBehaviors`): the lowest
    /// recommendation of the scale-up window and the highest of the scale-down window bound the
    /// result around `current`. Records `desired` in the history.
    public static func stabilize(
        desired: Int, current: Int, now: Timestamp, behavior: ScalingBehavior, history: inout ScalingHistory
    ) -> Int {
        let upCutoff = now - behavior.scaleUp.stabilizationWindow
        let downCutoff = now - behavior.scaleDown.stabilizationWindow
        var upRecommendation = desired
        var downRecommendation = desired
        for record in history.recommendations {
            if record.time > upCutoff { upRecommendation = min(record.replicas, upRecommendation) }
            if record.time > downCutoff { downRecommendation = max(record.replicas, downRecommendation) }
        }
        var recommendation = current
        if recommendation < upRecommendation { recommendation = upRecommendation }
        if recommendation > downRecommendation { recommendation = downRecommendation }
        // Kubernetes reuses one slot older than both windows; dropping all of them gives the same results.
        history.recommendations.removeAll { $0.time < upCutoff && $0.time < downCutoff }
        history.recommendations.append(.init(replicas: desired, time: now))
        return recommendation
    }

    /// Applies rate policies and replica bounds (Kubernetes' `convertDesiredReplicasWithBehaviorRate`).
    public static func limitRate(
        desired: Int, current: Int, minReplicas: Int, maxReplicas: Int, now: Timestamp,
        behavior: ScalingBehavior, history: ScalingHistory
    ) -> (replicas: Int, limit: Limit) {
        if desired > current {
            var scaleUpLimit = scaleUpLimit(current: current, now: now, rules: behavior.scaleUp, history: history)
            // Do not scale up further until older scale-up events leave the period.
            if scaleUpLimit < current { scaleUpLimit = current }
            let maximumAllowed: Int
            let reason: Limit
            if maxReplicas > scaleUpLimit {
                maximumAllowed = scaleUpLimit
                reason = .scaleUpLimit
            } else {
                maximumAllowed = maxReplicas
                reason = .tooManyReplicas
            }
            if desired > maximumAllowed { return (maximumAllowed, reason) }
        } else if desired < current {
            var scaleDownLimit = scaleDownLimit(current: current, now: now, rules: behavior.scaleDown, history: history)
            if scaleDownLimit > current { scaleDownLimit = current }
            let minimumAllowed: Int
            let reason: Limit
            if minReplicas < scaleDownLimit {
                minimumAllowed = scaleDownLimit
                reason = .scaleDownLimit
            } else {
                minimumAllowed = minReplicas
                reason = .tooFewReplicas
            }
            if desired < minimumAllowed { return (minimumAllowed, reason) }
        }
        return (desired, .desiredWithinRange)
    }

    /// The most replicas the scale-up policies allow now (Kubernetes' `calculateScaleUpLimitWithScalingRules`).
    public static func scaleUpLimit(current: Int, now: Timestamp, rules: ScalingRules, history: ScalingHistory) -> Int {
        if rules.selectPolicy == .disabled { return current }
        let pickMin = rules.selectPolicy == .min
        var result = pickMin ? Int.max : Int.min
        for policy in rules.policies {
            let added = ScalingHistory.change(in: history.scaleUpEvents, period: policy.period, now: now)
            let deleted = ScalingHistory.change(in: history.scaleDownEvents, period: policy.period, now: now)
            let periodStart = current - added + deleted
            let proposed: Int
            switch policy.type {
            case .pods:
                proposed = saturating(periodStart, plus: policy.value)
            case .percent:
                // Rounded up, or a small fleet could never grow.
                proposed = ReplicaCalculator.ceilingCount(Double(periodStart) * (1 + Double(policy.value) / 100))
            }
            result = pickMin ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    /// The fewest replicas the scale-down policies allow now (Kubernetes' `calculateScaleDownLimitWithBehaviors`).
    public static func scaleDownLimit(current: Int, now: Timestamp, rules: ScalingRules, history: ScalingHistory) -> Int
    {
        if rules.selectPolicy == .disabled { return current }
        let pickMin = rules.selectPolicy == .min
        // For scale-down the smallest change is the largest count.
        var result = pickMin ? Int.min : Int.max
        for policy in rules.policies {
            let added = ScalingHistory.change(in: history.scaleUpEvents, period: policy.period, now: now)
            let deleted = ScalingHistory.change(in: history.scaleDownEvents, period: policy.period, now: now)
            let periodStart = current - added + deleted
            let proposed: Int
            switch policy.type {
            case .pods:
                proposed = saturating(periodStart, minus: policy.value)
            case .percent:
                // Truncated like Go's int32 conversion: 72 × 0.9 = 64.8 keeps 64, removing 8.
                let kept = Double(periodStart) * (1 - Double(policy.value) / 100)
                proposed = kept.isFinite ? Int(max(min(kept, Double(Int32.max)), Double(Int32.min))) : periodStart
            }
            result = pickMin ? max(result, proposed) : min(result, proposed)
        }
        return result
    }

    /// `a + b` without trapping: policy values come from files and may be absurd.
    private static func saturating(_ a: Int, plus b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? Int.max : Int.min }
        return sum
    }

    /// `a - b` without trapping.
    private static func saturating(_ a: Int, minus b: Int) -> Int {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        if overflow { return b > 0 ? Int.min : Int.max }
        return difference
    }
}
