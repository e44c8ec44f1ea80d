import Foundation
import PromText

extension SeriesWindow {
    /// Evaluates an expression at one instant with Prometheus' semantics, as `/api/v1/query?time=` does.
    ///
    /// Instant selectors return each series' latest sample within the lookback delta before `timeMilliseconds`
    /// (none when that sample is a staleness marker); range selectors return the samples inside the range.
    ///
    /// - Parameter timeMilliseconds: evaluation time, milliseconds since the Unix epoch.
    /// - Throws: ``PromQLError`` for evaluation errors Prometheus also reports, such as many-to-many matching.
    public func evaluate(_ expression: Expression, at timeMilliseconds: Int64) throws(PromQLError) -> QueryValue {
        try Evaluator(window: self, time: timeMilliseconds).evaluate(expression.root)
    }

    /// Evaluates several expressions at one instant, as ``evaluate(_:at:)`` does for each, computing a function
    /// call or aggregation that several of them share (such as one `sum by (le) (rate(…))` behind three quantiles)
    /// only once.
    ///
    /// - Returns: one result per expression, in order; an error fails only its own expression.
    ///
    /// The window remembers which aggregation group each series falls in, so the next batch over the same series
    /// groups them without reading their labels again.
    public mutating func evaluate(_ expressions: [Expression], at timeMilliseconds: Int64)
        -> [Result<QueryValue, PromQLError>]
    {
        let cache = Evaluator.Cache()
        // Moved out, not copied: the evaluator's copy of the window must not share the memo's storage.
        cache.grouping = groupingMemo.valid(for: layoutVersion)
        groupingMemo = GroupingMemo()
        let evaluator = Evaluator(window: self, time: timeMilliseconds, cache: cache)
        let results = expressions.map { expression in
            Result { () throws(PromQLError) in try evaluator.evaluate(expression.root) }
        }
        groupingMemo = cache.grouping
        return results
    }
}

/// Walks the syntax tree for one evaluation time.
struct Evaluator {
    /// Results of calls and aggregations already evaluated at this time; lives for one batch of expressions on one
    /// thread, so a class without locking is enough (it is never shared across tasks).
    final class Cache {
        var values: [Node: QueryValue] = [:]
        var grouping = GroupingMemo()
    }

    let window: SeriesWindow
    let time: Int64
    var cache: Cache? = nil

    func evaluate(_ node: Node) throws(PromQLError) -> QueryValue {
        switch node {
        case .aggregation, .call:
            guard let cache else { return try evaluateUncached(node) }
            if let value = cache.values[node] { return value }
            let value = try evaluateUncached(node)
            cache.values[node] = value
            return value
        default:
            return try evaluateUncached(node)
        }
    }

    private func evaluateUncached(_ node: Node) throws(PromQLError) -> QueryValue {
        switch node {
        case .number(let value): return .scalar(value)
        case .string(let value): return .string(value)
        case .parenthesized(let inner): return try evaluate(inner)
        case .selector(let selector):
            return selector.rangeMilliseconds == nil ? .vector(instantVector(selector)) : .matrix(rangeSeries(selector))
        case .negation(let inner):
            switch try evaluate(inner) {
            case .scalar(let value): return .scalar(-value)
            case .vector(let samples):
                return .vector(samples.map { VectorSample(labels: droppingName($0.labels), value: -$0.value) })
            case .matrix, .string:
                throw PromQLError("unary minus needs a scalar or an instant vector")
            }
        case .binary(let binary): return try evaluateBinary(binary)
        case .aggregation(let aggregation): return .vector(try aggregate(aggregation))
        case .call(let call): return try evaluateCall(call)
        }
    }

    func scalar(_ node: Node) throws(PromQLError) -> Double {
        guard case .scalar(let value) = try evaluate(node) else {
            throw PromQLError("expected a scalar in \(Expression(root: node).text)")
        }
        return value
    }

    func vector(_ node: Node) throws(PromQLError) -> [VectorSample] {
        guard case .vector(let samples) = try evaluate(node) else {
            throw PromQLError("expected an instant vector in \(Expression(root: node).text)")
        }
        return samples
    }

    // MARK: Selectors

    private var leftOpen: Bool { window.configuration.rangeBoundaries == .leftOpen }

    /// The latest sample of each matching series, in label order, within the lookback delta, without staleness markers.
    func instantVector(_ selector: VectorSelector) -> [VectorSample] {
        var result: [VectorSample] = []
        forEachInstantValue(selector) { _, series, value in
            result.append(VectorSample(labels: series.fullLabels, value: value))
        }
        return result
    }

    /// Calls `body` with the slot, series and latest value of each series an instant selector returns, in label
    /// order, while the series is in cache.
    func forEachInstantValue(_ selector: VectorSelector, _ body: (Int, borrowing SeriesWindow.Series, Double) -> Void) {
        let reference = time - selector.offsetMilliseconds
        let earliest = reference - window.configuration.lookbackDeltaMilliseconds
        let leftOpen = self.leftOpen
        window.forEachSeries(matching: selector) { slot, series in
            let index = series.samples.firstIndex(after: reference) - 1
            guard index >= 0 else { return }
            let point = series.samples[index]
            if point.timestampMilliseconds < earliest || (leftOpen && point.timestampMilliseconds == earliest) {
                return
            }
            if SeriesWindow.isStale(point.value) { return }
            body(slot, series, point.value)
        }
    }

    /// The samples of each matching series inside the range, without staleness markers; series with none are left out.
    func rangeSeries(_ selector: VectorSelector) -> [RangeSeries] {
        let end = time - selector.offsetMilliseconds
        let start = end - (selector.rangeMilliseconds ?? 0)
        var result: [RangeSeries] = []
        let leftOpen = self.leftOpen
        window.forEachSeries(matching: selector) { _, series in
            let first = leftOpen ? series.samples.firstIndex(after: start) : series.samples.firstIndex(atOrAfter: start)
            let last = series.samples.firstIndex(after: end)
            guard first < last else { return }
            var points: [Point] = []
            points.reserveCapacity(last - first)
            series.samples.appendPoints(first, last, to: &points, skipping: SeriesWindow.isStale)
            if !points.isEmpty { result.append(RangeSeries(labels: series.fullLabels, points: points)) }
        }
        return result
    }
}

// MARK: Label helpers

/// Label set order (pairwise by name, then value), as Prometheus sorts series.
func precedes(_ lhs: Labels, _ rhs: Labels) -> Bool {
    for (left, right) in zip(lhs.pairs, rhs.pairs) where left != right {
        return left < right
    }
    return lhs.count < rhs.count
}

func droppingName(_ labels: Labels) -> Labels {
    guard labels.pairs.contains(where: { $0.name == "__name__" }) else { return labels }
    return Labels(labels.pairs.filter { $0.name != "__name__" })
}

/// `{a="1", b="2"}` as Prometheus prints label sets in messages.
func render(_ labels: Labels) -> String {
    "{" + labels.pairs.map { "\($0.name)=\(quoted($0.value))" }.joined(separator: ", ") + "}"
}

/// Fails when two samples share a label set, as Prometheus does after functions and operators.
func checkUniqueLabels(_ samples: [VectorSample]) throws(PromQLError) {
    var seen = Set<Labels>()
    for sample in samples where !seen.insert(sample.labels).inserted {
        throw PromQLError(
            "vector cannot contain metrics with the same labelset \(render(sample.labels)); aggregate or match so each series is unique"
        )
    }
}
