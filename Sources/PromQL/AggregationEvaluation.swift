import Foundation
import PromText

extension Evaluator {
    func aggregate(_ aggregation: Aggregation) throws(PromQLError) -> [VectorSample] {
        var parameter = 0.0
        if let node = aggregation.parameter { parameter = try scalar(node) }
        if let fused = try aggregateInOnePass(aggregation, parameter: parameter) { return fused }
        let samples = try vector(aggregation.argument)
        // Groups keep first-seen order so floating-point sums add up in the order Prometheus uses.
        var grouper = Grouper(aggregation)
        var members: [[Int]] = []
        for (index, sample) in samples.enumerated() {
            let group = grouper.group(of: sample.labels)
            if group == members.count { members.append([index]) } else { members[group].append(index) }
        }
        var result: [VectorSample] = []
        result.reserveCapacity(members.count)
        for (labels, indices) in zip(grouper.labels, members) {
            switch aggregation.operator {
            case .topk, .bottomk:
                result += selectExtremes(
                    indices.map { samples[$0] }, count: parameter, largest: aggregation.operator == .topk)
            default:
                let values = indices.map { samples[$0].value }
                result.append(
                    VectorSample(labels: labels, value: combine(aggregation.operator, values, parameter: parameter)))
            }
        }
        return result
    }

    /// `sum by (le) (rate(x[1m]))`, `max(x)` and the like in one pass: each series' value goes to its group while
    /// the series is in cache, with no vector of every series in between. `nil` when the argument is neither a
    /// range function nor an instant selector over one metric name, or the operator keeps samples (`topk`,
    /// `bottomk`); the result is the same as through the vector, down to the order values are added in.
    private func aggregateInOnePass(_ aggregation: Aggregation, parameter: Double) throws(PromQLError)
        -> [VectorSample]?
    {
        guard aggregation.operator != .topk && aggregation.operator != .bottomk else { return nil }
        let keepsName: Bool
        let forEachValue: ((Int, borrowing SeriesWindow.Series, Double) -> Void) throws(PromQLError) -> Void
        switch unwrapParentheses(aggregation.argument) {
        case .call(let call) where call.function.readsRange:
            guard case .selector(let selector) = unwrapParentheses(call.arguments[0]), selector.metricName != nil
            else { return nil }
            keepsName = call.function.keepsMetricName
            forEachValue = { (body) throws(PromQLError) in try forEachRangeValue(call, body) }
        case .selector(let selector) where selector.rangeMilliseconds == nil && selector.metricName != nil:
            keepsName = true
            forEachValue = { body in forEachInstantValue(selector, body) }
        default:
            return nil
        }
        let spec = GroupingMemo.Spec(without: aggregation.without, names: aggregation.grouping, keepsName: keepsName)
        // The slot → key memo of earlier batches; a series seen before joins its group without its labels read.
        var memo = cache?.grouping.take(spec) ?? GroupingMemo.SlotKeys()
        let grouper = Grouper(aggregation)
        var groupOfKey: [Int] = []
        var values: [[Double]] = []
        try forEachValue { slot, series, value in
            let key = memo.key(of: slot) {
                grouper.keyLabels(of: keepsName ? series.fullLabels : series.labels)
            }
            while groupOfKey.count <= key { groupOfKey.append(-1) }
            var group = groupOfKey[key]
            if group < 0 {
                group = values.count
                groupOfKey[key] = group
                values.append([])
            }
            values[group].append(value)
        }
        var order = [Labels](repeating: Labels(), count: values.count)
        for (key, group) in groupOfKey.enumerated() where group >= 0 { order[group] = memo.labels[key] }
        cache?.grouping.put(memo, for: spec)
        return zip(order, values).map { labels, values in
            VectorSample(labels: labels, value: combine(aggregation.operator, values, parameter: parameter))
        }
    }

    private func combine(_ op: AggregationOperator, _ values: [Double], parameter: Double) -> Double {
        switch op {
        case .sum: return values.reduce(0, +)
        case .count: return Double(values.count)
        case .group: return 1
        case .max:
            var result = values[0]
            for value in values.dropFirst() where result < value || result.isNaN { result = value }
            return result
        case .min:
            var result = values[0]
            for value in values.dropFirst() where result > value || result.isNaN { result = value }
            return result
        case .avg: return incrementalMean(values)
        case .stddev, .stdvar:
            // Welford's method, as Prometheus computes it.
            var count = 0.0
            var mean = 0.0
            var sum = 0.0
            for value in values {
                count += 1
                let delta = value - mean
                mean += delta / count
                sum += delta * (value - mean)
            }
            let variance = sum / count
            return op == .stddev ? variance.squareRoot() : variance
        case .quantile: return quantile(parameter, values)
        case .topk, .bottomk: return .nan
        }
    }

    /// `topk`/`bottomk`: the `count` largest or smallest samples with their own labels; NaN ranks last.
    private func selectExtremes(_ samples: [VectorSample], count: Double, largest: Bool) -> [VectorSample] {
        guard count >= 1 else { return [] }
        let k = count >= Double(samples.count) ? samples.count : Int(count)
        let ordered = samples.enumerated().sorted { a, b in
            let (x, y) = (a.element.value, b.element.value)
            if x.isNaN != y.isNaN { return y.isNaN }
            if x != y && !x.isNaN { return largest ? x > y : x < y }
            return a.offset < b.offset
        }
        return ordered.prefix(k).map(\.element)
    }
}

/// The mean computed incrementally, as Prometheus' `avg` does to avoid overflow; infinities dominate.
func incrementalMean(_ values: [Double]) -> Double {
    var mean = 0.0
    var count = 0.0
    for value in values {
        count += 1
        if count == 1 {
            mean = value
            continue
        }
        if mean.isInfinite {
            if value.isInfinite && (mean > 0) == (value > 0) { continue }
            if !value.isInfinite && !value.isNaN { continue }
        }
        mean += value / count - mean / count
    }
    return mean
}

/// The φ-quantile of values with linear interpolation between closest ranks, as Prometheus' `quantile`.
func quantile(_ q: Double, _ values: [Double]) -> Double {
    if values.isEmpty || q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    let sorted = values.sorted { $0 < $1 || ($0.isNaN && !$1.isNaN) }
    let n = Double(sorted.count)
    let rank = q * (n - 1)
    let lower = max(0, rank.rounded(.down))
    let upper = min(n - 1, lower + 1)
    let weight = rank - rank.rounded(.down)
    return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
}

/// Assigns label sets to an aggregation's groups, numbered in first-seen order.
///
/// A label set's group is found by a hash of its grouping labels and a pairwise comparison, so only a new group
/// builds a label set: summing thousands of series into a dozen groups allocates a dozen times.
struct Grouper {
    /// Each group's label set, by group number.
    private(set) var labels: [Labels] = []
    private var byHash: [Int: [Int]] = [:]
    private let grouping: [String]
    private let without: Bool

    init(_ aggregation: Aggregation) {
        grouping = aggregation.grouping
        without = aggregation.without
    }

    private func kept(_ label: Label) -> Bool {
        without ? label.name != "__name__" && !grouping.contains(label.name) : grouping.contains(label.name)
    }

    /// The group of `labels`, a new one numbered `labels.count` when none matches.
    mutating func group(of labels: Labels) -> Int {
        var hasher = Hasher()
        for label in labels.pairs where kept(label) { hasher.combine(label) }
        let hash = hasher.finalize()
        if let found = byHash[hash]?.first(where: { matches(labels, self.labels[$0]) }) { return found }
        byHash[hash, default: []].append(self.labels.count)
        self.labels.append(keyLabels(of: labels))
        return self.labels.count - 1
    }

    /// The grouping labels of `labels`: the label set of its group.
    func keyLabels(of labels: Labels) -> Labels {
        Labels(labels.pairs.filter(kept))
    }

    /// Whether the grouping labels of `labels` are exactly `key`'s, in order, without building them.
    private func matches(_ labels: Labels, _ key: Labels) -> Bool {
        var position = 0
        for label in labels.pairs where kept(label) {
            guard position < key.pairs.count, key.pairs[position] == label else { return false }
            position += 1
        }
        return position == key.pairs.count
    }
}
