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
/// ``PromQLQueryChecker`` implements it with the PromQL module's parser; the seam keeps the decoder's tests
/// independent of which parser runs.
protocol QueryChecking: Sendable {
    /// The first problem in `query`, or `nil` when it is acceptable.
    func check(_ query: String) -> QueryProblem?
    /// Metric names the query selects, in order of first appearance.
    func metricNames(in query: String) -> [String]
}
