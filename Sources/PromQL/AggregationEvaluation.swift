import Foundation
import PromText

extension Evaluator {
    func aggregate(_ aggregation: Aggregation) throws(PromQLError) -> [VectorSample] {
        var parameter = 0.0
        if let node = aggregation.parameter { parameter = try scalar(node) }
        let samples = try vector(aggregation.argument)
        // Groups keep first-seen order so floating-point sums add up in the order Prometheus uses.
        let groups = Self.groups(of: samples, aggregation)
        var result: [VectorSample] = []
        result.reserveCapacity(groups.count)
        for group in groups {
            switch aggregation.operator {
            case .topk, .bottomk:
                result += selectExtremes(
                    group.members.map { samples[$0] }, count: parameter, largest: aggregation.operator == .topk)
            default:
                let values = group.members.map { samples[$0].value }
                result.append(
                    VectorSample(
                        labels: group.labels, value: combine(aggregation.operator, values, parameter: parameter)))
            }
        }
        return result
    }

    /// The samples' groups in first-seen order: each group's label set and the indices of its members.
    ///
    /// A sample's group is found by a hash of its grouping labels and a pairwise comparison, so only a new
    /// group builds a label set: summing thousands of series into a dozen groups allocates a dozen times.
    static func groups(of samples: [VectorSample], _ aggregation: Aggregation) -> [(labels: Labels, members: [Int])] {
        let grouping = aggregation.grouping
        let without = aggregation.without
        func kept(_ label: Label) -> Bool {
            without ? label.name != "__name__" && !grouping.contains(label.name) : grouping.contains(label.name)
        }
        var groups: [(labels: Labels, members: [Int])] = []
        var byHash: [Int: [Int]] = [:]
        for (index, sample) in samples.enumerated() {
            var hasher = Hasher()
            for label in sample.labels.pairs where kept(label) { hasher.combine(label) }
            let hash = hasher.finalize()
            let candidates = byHash[hash] ?? []
            if let found = candidates.first(where: { Self.matches(sample.labels, groups[$0].labels, kept) }) {
                groups[found].members.append(index)
            } else {
                byHash[hash, default: []].append(groups.count)
                groups.append((Labels(sample.labels.pairs.filter(kept)), [index]))
            }
        }
        return groups
    }

    /// Whether the labels `kept` selects from `labels` are exactly `key`'s, in order, without building them.
    private static func matches(_ labels: Labels, _ key: Labels, _ kept: (Label) -> Bool) -> Bool {
        var position = 0
        for label in labels.pairs where kept(label) {
            guard position < key.pairs.count, key.pairs[position] == label else { return false }
            position += 1
        }
        return position == key.pairs.count
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
