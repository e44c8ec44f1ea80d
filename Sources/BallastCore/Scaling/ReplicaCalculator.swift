/// The HPA formula for one signal: `desired = ceil(current × value / target)`, with Kubernetes'
/// tolerance and its treatment of pods that are not ready yet.
///
/// Fleet signals are measured over the replicas that serve (`ready`). Replicas still starting
/// count as capacity, the way Kubernetes' replica calculator treats unready pods: as 0 % load when
/// the fleet would scale up (so replicas already on their way are not ordered twice, avoiding
/// 2 → 4 → 8 → 16 while a model loads) and, unlike Kubernetes, as fully loaded (at target) when it
/// would scale down, so a slow start is never mistaken for spare capacity.
public enum ReplicaCalculator {
    /// A recommendation or the reason none can be made.
    public enum Outcome: Hashable, Sendable {
        /// A replica count, the formula with numbers substituted, and an optional note.
        case replicas(Int, formula: String, note: String?)
        /// The numbers cannot drive the formula; the reason says what to change.
        case unusable(reason: String)
    }

    /// Largest count the formula returns; keeps the arithmetic far from `Int` overflow. Kubernetes uses `Int32`.
    public static let replicaCeiling = Int(Int32.max)

    /// Recommends a replica count.
    /// - Parameters:
    ///   - current: replicas the runtime was asked for (the HPA's `currentReplicas`); returned when no change is due.
    ///   - ready: replicas serving now, over which `value` was measured.
    ///   - starting: replicas starting within the startup grace.
    ///   - value: the signal's current value, per replica (a load the fleet shares).
    ///   - target: the value the fleet should settle at; must be positive and finite.
    ///   - tolerance: ratio band around 1.0 inside which nothing changes (Kubernetes default 0.1).
    public static func recommend(
        current: Int, ready: Int, starting: Int, value: Double, target: Double, tolerance: Double
    ) -> Outcome {
        guard target.isFinite, target > 0 else {
            return .unusable(
                reason: "the scale target is \(NumberText.format(target)); write a positive number such as 0.5")
        }
        guard !value.isNaN, value >= 0 else {
            return .unusable(
                reason: "the value \(NumberText.format(value)) is negative; the formula needs a load of 0 or more")
        }
        let ready = max(0, ready)
        let starting = max(0, starting)
        let capacity = ready + starting
        let tolerance = tolerance.isFinite ? max(0, tolerance) : 0.1
        let ratio = value / target

        if capacity == 0 {
            // Scaling from zero: Kubernetes' object-metric rule, ceil(ratio).
            let replicas = ceilingCount(ratio)
            return .replicas(
                replicas,
                formula: "ceil(\(NumberText.format(value)) / \(NumberText.format(target))) = \(show(replicas))",
                note: "no replica is running, so the ratio itself is the count")
        }
        if ready == 0 {
            return .replicas(
                current, formula: "no ready replica measures the load",
                note: "waiting for \(starting) starting replica(s) before measuring")
        }
        let plain = "ceil(\(ready) × \(NumberText.format(value)) / \(NumberText.format(target)))"
        if abs(1 - ratio) <= tolerance {
            return .replicas(
                current,
                formula:
                    "\(plain): ratio \(NumberText.format(ratio)) is within tolerance \(NumberText.format(tolerance))",
                note: "no change")
        }
        if starting == 0 {
            let replicas = ceilingCount(Double(ready) * ratio)
            return .replicas(replicas, formula: "\(plain) = \(show(replicas))", note: nil)
        }
        if ratio > 1 {
            // Starting replicas carry no load yet: demand is ready × ratio spread over ready + starting.
            let demand = Double(ready) * ratio
            let adjusted = demand / Double(capacity)
            let replicas = ceilingCount(demand)
            let formula = "\(plain) = \(show(replicas)); \(ready) ready + \(starting) starting"
            if adjusted <= 1 + tolerance || replicas < current {
                return .replicas(
                    current, formula: formula,
                    note: "the \(starting) starting replica(s) will absorb this demand; not adding more")
            }
            return .replicas(
                replicas, formula: formula, note: "demand exceeds what the \(starting) starting replica(s) will provide"
            )
        }
        // Scale-down: count starting replicas as if they ran at target, so they are not removed before they serve.
        let demand = Double(ready) * ratio + Double(starting)
        let adjusted = demand / Double(capacity)
        let replicas = ceilingCount(demand)
        let formula =
            "ceil(\(ready) × \(NumberText.format(value)) / \(NumberText.format(target)) + \(starting) starting) = \(show(replicas))"
        if adjusted >= 1 - tolerance || replicas > current {
            return .replicas(current, formula: formula, note: "starting replicas count as fully loaded; no scale-down")
        }
        return .replicas(replicas, formula: formula, note: nil)
    }

    /// `ceil(x)` as a count, with +Inf and huge values capped at ``replicaCeiling``.
    static func ceilingCount(_ x: Double) -> Int {
        guard x.isFinite else { return x > 0 ? replicaCeiling : 0 }
        let rounded = x.rounded(.up)
        if rounded >= Double(replicaCeiling) { return replicaCeiling }
        if rounded <= 0 { return 0 }
        return Int(rounded)
    }

    private static func show(_ replicas: Int) -> String {
        replicas == replicaCeiling ? "+Inf (capped)" : String(replicas)
    }
}
