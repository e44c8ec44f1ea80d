/// A problem with a PromQL expression or its evaluation, described in one sentence.
///
/// Parse errors name the 1-based column and the construct ("column 12: subqueries are not supported; ...");
/// evaluation errors name the series involved, as Prometheus does.
public struct PromQLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The full sentence shown to people.
    public var description: String
    /// The 1-based column (in Unicode scalars) of the construct at fault; `nil` for evaluation and response errors.
    public var column: Int?

    /// Creates an error from a sentence; `column` is prefixed as "column N: " when given.
    public init(_ message: String, column: Int? = nil) {
        self.column = column
        if let column {
            self.description = "column \(column): \(message)"
        } else {
            self.description = message
        }
    }
}
