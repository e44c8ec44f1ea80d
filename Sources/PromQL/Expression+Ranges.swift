extension Expression {
    /// The same expression with every range selector's range set to `milliseconds`; instant selectors, offsets and
    /// everything else stay as they are.
    ///
    /// The controller evaluates a signal over a short window (panic mode) by rewriting its `[1m]` ranges to the
    /// panic window, such as `rate(x[1m])` to `rate(x[6s])`.
    ///
    /// - Parameter milliseconds: the new range, in milliseconds; must be positive to be meaningful (PromQL rejects
    ///   zero ranges, so callers check before rewriting).
    public func withRanges(milliseconds: Int64) -> Expression {
        Expression(root: root.replacingRanges(milliseconds))
    }
}

extension Node {
    /// This node with every range selector's range replaced.
    func replacingRanges(_ milliseconds: Int64) -> Node {
        switch self {
        case .number, .string:
            return self
        case .selector(var selector):
            if selector.rangeMilliseconds != nil { selector.rangeMilliseconds = milliseconds }
            return .selector(selector)
        case .parenthesized(let inner):
            return .parenthesized(inner.replacingRanges(milliseconds))
        case .negation(let inner):
            return .negation(inner.replacingRanges(milliseconds))
        case .binary(var binary):
            binary.left = binary.left.replacingRanges(milliseconds)
            binary.right = binary.right.replacingRanges(milliseconds)
            return .binary(binary)
        case .aggregation(var aggregation):
            aggregation.parameter = aggregation.parameter?.replacingRanges(milliseconds)
            aggregation.argument = aggregation.argument.replacingRanges(milliseconds)
            return .aggregation(aggregation)
        case .call(var call):
            call.arguments = call.arguments.map { $0.replacingRanges(milliseconds) }
            return .call(call)
        }
    }
}
