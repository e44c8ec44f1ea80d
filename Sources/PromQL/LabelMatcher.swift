import Foundation

/// One label matcher of a vector selector, such as `status=~"5.."`.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// How a matcher compares a label value.
    public enum Operator: String, Sendable, Hashable {
        /// `=`: equal.
        case equal = "="
        /// `!=`: not equal.
        case notEqual = "!="
        /// `=~`: the whole value matches the regular expression.
        case regexMatch = "=~"
        /// `!~`: the whole value does not match the regular expression.
        case regexNoMatch = "!~"
    }

    /// Label name; `__name__` for the metric name.
    public var name: String
    /// Comparison.
    public var `operator`: Operator
    /// The string or regular expression, unescaped.
    public var value: String
    /// The compiled, fully anchored expression for the regex operators.
    private let regex: AnchoredRegex?

    /// Creates a matcher; regular expressions are anchored at both ends as in Prometheus (RE2 `^(?:...)$`).
    ///
    /// - Throws: ``PromQLError`` when the regular expression does not compile.
    public init(name: String, operator: Operator, value: String) throws(PromQLError) {
        self.name = name
        self.operator = `operator`
        self.value = value
        switch `operator` {
        case .equal, .notEqual:
            regex = nil
        case .regexMatch, .regexNoMatch:
            regex = try AnchoredRegex(value)
        }
    }

    /// Whether a label value (empty when the label is absent) satisfies the matcher.
    public func matches(_ labelValue: String) -> Bool {
        switch `operator` {
        case .equal: return labelValue == value
        case .notEqual: return labelValue != value
        case .regexMatch: return regex?.matches(labelValue) ?? false
        case .regexNoMatch: return !(regex?.matches(labelValue) ?? false)
        }
    }

    /// The matcher in PromQL syntax, such as `status=~"5.."`.
    public var description: String { "\(name)\(`operator`.rawValue)\(quoted(value))" }

    /// Matchers are equal when name, operator and value are; the compiled expression follows from them.
    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.operator == rhs.operator && lhs.value == rhs.value
    }

    /// Hashes name, operator and value, consistent with ``==``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(`operator`)
        hasher.combine(value)
    }
}

/// A regular expression matched against whole strings, as Prometheus label matchers do.
///
/// `NSRegularExpression` is immutable and documented as thread safe, so sharing it is sound.
final class AnchoredRegex: @unchecked Sendable {
    private let expression: NSRegularExpression
    /// Literal alternatives (`a|b|c`) are answered from a set: the common case costs no regex run.
    private let literals: Set<String>?

    init(_ pattern: String) throws(PromQLError) {
        // ICU accepts constructs RE2 (Prometheus' engine) rejects; refuse them so a query means the same on both.
        for (construct, name) in [
            ("(?=", "lookahead"), ("(?!", "negative lookahead"), ("(?<=", "lookbehind"),
            ("(?<!", "negative lookbehind"), ("(?>", "atomic groups"), ("*+", "possessive quantifiers"),
            ("++", "possessive quantifiers"), ("?+", "possessive quantifiers"),
        ]
        where pattern.contains(construct) {
            throw PromQLError(
                "regular expression \(quoted(pattern)) uses \(name), which Prometheus' RE2 syntax does not support")
        }
        if pattern.range(of: #"\\[1-9]"#, options: .regularExpression) != nil {
            throw PromQLError(
                "regular expression \(quoted(pattern)) uses a backreference, which Prometheus' RE2 syntax does not support"
            )
        }
        do {
            expression = try NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: [.dotMatchesLineSeparators])
        } catch {
            throw PromQLError("invalid regular expression \(quoted(pattern)); check its brackets and escapes")
        }
        let metacharacters = Set("\\.+*?()[]{}^$")
        literals =
            pattern.contains(where: { metacharacters.contains($0) })
            ? nil : Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
    }

    func matches(_ text: String) -> Bool {
        if let literals { return literals.contains(text) }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }
}

/// A string in PromQL double-quoted syntax with escapes.
func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
