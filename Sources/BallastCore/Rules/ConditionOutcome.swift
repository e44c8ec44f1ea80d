/// The result of a ``Condition`` over readings that may be missing: true, false, or unknown and why.
///
/// `all:` and `any:` use three-valued logic: `any` is true as soon as one part is true and `all`
/// is false as soon as one part is false, whatever the missing parts would say; otherwise a
/// missing part makes the whole unknown. A missing reading is never treated as zero.
public enum ConditionOutcome: Hashable, Sendable {
    /// The condition holds (the rule is breached).
    case breached
    /// The condition does not hold.
    case clear
    /// A reading the answer depends on is unavailable; the reason names the signal.
    case unknown(reason: String)
}

extension Condition {
    /// Evaluates the condition against `readings` (NaN already counts as missing).
    public func evaluate(_ readings: [String: SignalReading]) -> ConditionOutcome {
        switch self {
        case .compare(let signal, let op, let threshold):
            let reading = readings[signal]?.normalized ?? .missing(reason: "no reading was supplied")
            guard let value = reading.number else {
                return .unknown(reason: "\(signal) \(reading.problem ?? "has no value")")
            }
            return op.holds(value, threshold) ? .breached : .clear
        case .all(let parts):
            var unknown: String?
            for part in parts {
                switch part.evaluate(readings) {
                case .clear: return .clear
                case .unknown(let reason): unknown = unknown ?? reason
                case .breached: break
                }
            }
            return unknown.map { .unknown(reason: $0) } ?? .breached
        case .any(let parts):
            var unknown: String?
            for part in parts {
                switch part.evaluate(readings) {
                case .breached: return .breached
                case .unknown(let reason): unknown = unknown ?? reason
                case .clear: break
                }
            }
            return unknown.map { .unknown(reason: $0) } ?? .clear
        }
    }

    /// The condition as written in a policy file, with each signal's value substituted:
    /// `queue_p95 (0.84) > 0.5`.
    public func explained(_ readings: [String: SignalReading]) -> String {
        switch self {
        case .compare(let signal, let op, let threshold):
            let shown: String
            switch readings[signal]?.normalized {
            case .value(let number)?: shown = NumberText.format(number)
            case .missing?, nil: shown = "missing"
            case .stale?: shown = "stale"
            case .failed?: shown = "failed"
            }
            return "\(signal) (\(shown)) \(op.rawValue) \(NumberText.format(threshold))"
        case .all(let parts):
            return "all(" + parts.map { $0.explained(readings) }.joined(separator: ", ") + ")"
        case .any(let parts):
            return "any(" + parts.map { $0.explained(readings) }.joined(separator: ", ") + ")"
        }
    }

    /// The first `compare` in the condition, depth first: the signal and threshold a scale rule defaults to.
    public var firstComparison: (signal: String, op: ComparisonOperator, threshold: Double)? {
        switch self {
        case .compare(let signal, let op, let threshold):
            return (signal, op, threshold)
        case .all(let parts), .any(let parts):
            for part in parts {
                if let found = part.firstComparison { return found }
            }
            return nil
        }
    }
}
