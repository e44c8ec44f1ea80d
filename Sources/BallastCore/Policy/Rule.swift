/// A threshold rule: when its condition has held for ``forDuration``, take ``action``.
public struct Rule: Hashable, Sendable {
    /// Rule name, unique within a policy; decisions and alerts carry it.
    public var name: String
    /// When the rule is breached.
    public var condition: Condition
    /// How long the condition must hold before the rule fires. Default zero: fire on the first breach.
    public var forDuration: Duration
    /// After the rule acts, how long it stays quiet. Default zero.
    public var cooldown: Duration
    /// What to do.
    public var action: Action

    /// Creates a rule.
    public init(name: String, condition: Condition, forDuration: Duration = .zero, cooldown: Duration = .zero, action: Action) {
        self.name = name
        self.condition = condition
        self.forDuration = forDuration
        self.cooldown = cooldown
        self.action = action
    }
}

/// A comparison of signals with limits, possibly combined with `all:` / `any:`.
public indirect enum Condition: Hashable, Sendable {
    /// `signal op threshold`, such as `queue_p95 > 0.5`.
    case compare(signal: String, op: ComparisonOperator, threshold: Double)
    /// Every condition holds (`all:`).
    case all([Condition])
    /// At least one condition holds (`any:`).
    case any([Condition])

    /// Every signal name the condition reads, in order of first appearance.
    public var signalNames: [String] {
        switch self {
        case .compare(let signal, _, _):
            return [signal]
        case .all(let parts), .any(let parts):
            var seen: [String] = []
            for name in parts.flatMap(\.signalNames) where !seen.contains(name) { seen.append(name) }
            return seen
        }
    }
}

/// A comparison operator of a rule condition.
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    case equal = "=="
    case notEqual = "!="

    /// Applies the comparison; any comparison with NaN is false.
    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: value > threshold
        case .greaterOrEqual: value >= threshold
        case .less: value < threshold
        case .lessOrEqual: value <= threshold
        case .equal: value == threshold
        case .notEqual: value != threshold
        }
    }
}
