/// A page that cannot be read: where it goes wrong and what to write instead.
///
/// `description` is a full sentence led by the position, such as
/// "line 12, column 31: invalid escape `\q` in label value; only \\, \" and \n are allowed."
public struct PromTextError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the page has, for programs that react to some of them.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The page stops in the middle of a line: it was cut off in transit.
        case truncated
        /// A byte that cannot start or continue the token expected at this place.
        case unexpectedCharacter
        /// A metric name that is empty or uses characters outside `[a-zA-Z_:][a-zA-Z0-9_:]*` unquoted.
        case invalidMetricName
        /// A label name that is empty or uses characters outside `[a-zA-Z_][a-zA-Z0-9_]*` unquoted.
        case invalidLabelName
        /// A backslash escape other than `\\`, `\"` and `\n`.
        case invalidEscape
        /// A quoted string that the line ends inside.
        case unterminatedQuote
        /// Bytes that are not valid UTF-8 inside a label value, name or HELP text.
        case invalidUTF8
        /// A sample line without a value.
        case missingValue
        /// A value that is not a number, `NaN`, `+Inf` or `-Inf`.
        case invalidValue
        /// A timestamp that is not an integer (milliseconds) or, in OpenMetrics, a number of seconds.
        case invalidTimestamp
        /// The same label name twice in one series.
        case duplicateLabel
        /// The same series (name and labels) twice on one page.
        case duplicateSeries
        /// A `# TYPE` line naming a type that does not exist.
        case invalidType
        /// A second `# HELP`, `# TYPE` or `# UNIT` for the same family, or a `# TYPE` after its samples.
        case misplacedMetadata
        /// A histogram bucket without `le` or a summary quantile sample without `quantile`.
        case missingLabel
        /// Text after `# EOF` in an OpenMetrics page.
        case textAfterEOF
        /// An OpenMetrics page without `# EOF`.
        case missingEOF
        /// A line, label value, label count or sample count beyond ``PromTextParser/Limits``.
        case limitExceeded
    }

    /// What went wrong.
    public var kind: Kind
    /// Line of the page, counted from 1.
    public var line: Int
    /// Column in bytes from the start of the line, counted from 1.
    public var column: Int
    /// The sentence that explains the problem and the fix, without the position.
    public var message: String
    /// Another line the problem involves, such as the first occurrence of a duplicate series; `nil` when none.
    public var relatedLine: Int?

    /// Creates an error.
    public init(_ kind: Kind, line: Int, column: Int, message: String, relatedLine: Int? = nil) {
        self.kind = kind
        self.line = line
        self.column = column
        self.message = message
        self.relatedLine = relatedLine
    }

    /// The position and the sentence, such as "line 3, column 1: the page ends in the middle of line 3; ...".
    public var description: String { "line \(line), column \(column): \(message)" }
}
