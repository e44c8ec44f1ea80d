/// A problem in a PromQL query: where (0-based character offset) and what, as a clause that completes
/// "… is not valid PromQL: ".
struct QueryProblem: Equatable {
    /// Offset of the offending character from the start of the query, in characters (0-based).
    var offset: Int
    /// What is wrong and how to fix it, such as "'(' at column 18 is never closed; add ')'".
    var message: String
}

/// Checks signal queries while the policy file is read.
///
/// This is the seam for the PromQL module: ``PromQLSanityCheck`` checks brackets, quotes, characters and
/// dangling operators only, and stands in until `PromQL.Expression.parse(_:)` is available; then a checker that
/// calls it (mapping `PromQLError`'s position to ``QueryProblem/offset`` and using `Expression.metricNames`)
/// replaces it in ``PolicyLoader``.
protocol QueryChecking: Sendable {
    /// The first problem in `query`, or `nil` when it is acceptable.
    func check(_ query: String) -> QueryProblem?
    /// Metric names the query selects, in order of first appearance.
    func metricNames(in query: String) -> [String]
}
