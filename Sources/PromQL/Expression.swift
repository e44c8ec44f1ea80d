/// A parsed PromQL expression from the subset Ballast evaluates.
///
/// Parse once (when a policy file loads), evaluate every controller tick with ``SeriesWindow/evaluate(_:at:)``.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    let root: Node

    init(root: Node) {
        self.root = root
    }

    /// Parses PromQL text.
    ///
    /// - Throws: ``PromQLError`` naming the column and construct, including for valid PromQL that Ballast does not
    ///   evaluate (subqueries, `@`, `label_replace`, ...), so an unsupported query never gives a wrong answer.
    public static func parse(_ text: String) throws(PromQLError) -> Expression {
        Expression(root: try Parser.parse(text))
    }

    /// Canonical PromQL text: single spaces around binary operators, `by (...)` before the arguments,
    /// durations largest unit first. Parsing ``text`` gives an equal expression.
    public var text: String { render(root) }

    /// Same as ``text``.
    public var description: String { text }

    /// Every vector selector the expression reads, left to right, duplicates kept.
    public var selectors: [VectorSelector] {
        var selectors: [VectorSelector] = []
        root.collectSelectors(into: &selectors)
        return selectors
    }

    /// The metric names the expression can read, sorted and unique; selectors without a fixed name
    /// (such as `{__name__=~"ballast_.*"}`) contribute nothing.
    public var metricNames: [String] {
        Array(Set(selectors.compactMap(\.metricName))).sorted()
    }

    /// How far back the expression reads beyond the lookback delta, in milliseconds: the longest range plus its
    /// offset (0 for expressions without range selectors). Size ``SeriesWindow`` retention from this.
    public var longestRangeMilliseconds: Int64 {
        selectors.map { ($0.rangeMilliseconds ?? 0) + max(0, $0.offsetMilliseconds) }.max() ?? 0
    }

    /// ``longestRangeMilliseconds`` as a `Duration`.
    public var longestRange: Duration { .milliseconds(longestRangeMilliseconds) }

    /// Expressions are equal when their canonical texts are (so `NaN` equals `NaN` and `sum(x) by (a)` equals
    /// `sum by (a) (x)`).
    public static func == (lhs: Expression, rhs: Expression) -> Bool { lhs.text == rhs.text }

    /// Hashes the canonical text, consistent with ``==``.
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// The type of value evaluation returns: `"scalar"`, `"instant vector"`, `"range vector"` or `"string"`.
    public var resultType: String { root.type.rawValue }
}

private func render(_ node: Node) -> String {
    switch node {
    case .number(let value): return formatNumber(value)
    case .string(let value): return quoted(value)
    case .selector(let selector): return selector.description
    case .parenthesized(let inner): return "(" + render(inner) + ")"
    case .negation(let inner): return "-" + render(inner)
    case .binary(let binary):
        var text = render(binary.left) + " " + binary.operator.rawValue
        if binary.returnsBool { text += " bool" }
        if let matching = binary.matching {
            if matching.on || !matching.labels.isEmpty {
                text += (matching.on ? " on(" : " ignoring(") + matching.labels.joined(separator: ", ") + ")"
            }
            switch matching.cardinality {
            case .manyToOne: text += " group_left(" + matching.include.joined(separator: ", ") + ")"
            case .oneToMany: text += " group_right(" + matching.include.joined(separator: ", ") + ")"
            case .oneToOne, .manyToMany: break
            }
        }
        return text + " " + render(binary.right)
    case .aggregation(let aggregation):
        var text = aggregation.operator.rawValue
        if aggregation.hasGrouping {
            text += (aggregation.without ? " without (" : " by (") + aggregation.grouping.joined(separator: ", ") + ") "
        }
        var arguments = [render(aggregation.argument)]
        if let parameter = aggregation.parameter { arguments.insert(render(parameter), at: 0) }
        return text + "(" + arguments.joined(separator: ", ") + ")"
    case .call(let call):
        return call.function.rawValue + "(" + call.arguments.map(render).joined(separator: ", ") + ")"
    }
}
