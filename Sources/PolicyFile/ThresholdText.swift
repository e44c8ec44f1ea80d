import BallastCore

/// A threshold as written after a comparison operator: `0.5`, `500ms`, `85%`, `1e3`.
struct ThresholdText: Equatable {
    /// How the number was written.
    enum Suffix: Equatable {
        /// A bare number.
        case none
        /// A duration such as `500ms`; ``value`` is in seconds.
        case duration
        /// A percentage such as `85%`; ``value`` is the number before `%`.
        case percent
    }

    /// The number: seconds for durations, the written number otherwise.
    var value: Double
    /// How it was written.
    var suffix: Suffix
    /// The text as written, for messages.
    var text: String

    /// Reads a threshold, or `nil` when `text` is not a number, a duration or a percentage.
    static func parse(_ text: String) -> ThresholdText? {
        let trimmed = Spelling.trimmed(text)
        if let value = Double(trimmed), value.isFinite {
            return ThresholdText(value: value, suffix: .none, text: trimmed)
        }
        if trimmed.hasSuffix("%"), let value = Double(Spelling.trimmed(trimmed.dropLast())), value.isFinite {
            return ThresholdText(value: value, suffix: .percent, text: trimmed)
        }
        if case .success(let duration) = DurationText.parse(trimmed) {
            return ThresholdText(value: DurationText.seconds(duration), suffix: .duration, text: trimmed)
        }
        return nil
    }
}

/// A comparison as written in `when:`: `queue_p95 > 500ms`.
struct ComparisonText: Equatable {
    /// The signal name.
    var signal: String
    /// The operator.
    var op: ComparisonOperator
    /// The threshold text after the operator.
    var threshold: String

    /// Why a comparison could not be read; each case's text completes "… is not a comparison: ".
    enum Problem: Error, Equatable {
        case missingSignal
        case missingOperator
        case unknownOperator(String)
        case missingThreshold
        case combined(String)
    }

    /// Splits `signal op threshold`.
    static func parse(_ text: String) -> Result<ComparisonText, Problem> {
        let trimmed = Spelling.trimmed(text)
        let name = trimmed.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard !name.isEmpty else { return .failure(.missingSignal) }
        var rest = Substring(Spelling.trimmed(trimmed.dropFirst(name.count)))
        let operatorText = rest.prefix { "<>=!".contains($0) }
        guard !operatorText.isEmpty else { return .failure(.missingOperator) }
        guard let op = ComparisonOperator(rawValue: String(operatorText)) else {
            return .failure(.unknownOperator(String(operatorText)))
        }
        rest = Substring(Spelling.trimmed(rest.dropFirst(operatorText.count)))
        guard !rest.isEmpty else { return .failure(.missingThreshold) }
        let words = rest.split(separator: " ")
        if words.count > 1, let joiner = words.first(where: { ["and", "or", "&&", "||"].contains($0.lowercased()) }) {
            return .failure(.combined(String(joiner)))
        }
        return .success(ComparisonText(signal: String(name), op: op, threshold: String(rest)))
    }
}
