import Foundation
import PromText

extension Evaluator {
    func aggregate(_ aggregation: Aggregation) throws(PromQLError) -> [VectorSample] {
        var parameter = 0.0
        if let node = aggregation.parameter { parameter = try scalar(node) }
        let samples = try vector(aggregation.argument)
        // Groups keep first-seen order so floating-point sums add up in the order Prometheus uses.
        var groupIndex: [[Label]: Int] = [:]
        var groups: [(labels: Labels, members: [VectorSample])] = []
        for sample in samples {
            let key: [Label]
            if aggregation.without {
                key = sample.labels.pairs.filter { $0.name != "__name__" && !aggregation.grouping.contains($0.name) }
            } else {
                key = sample.labels.pairs.filter { aggregation.grouping.contains($0.name) }
            }
            if let index = groupIndex[key] {
                groups[index].members.append(sample)
            } else {
                groupIndex[key] = groups.count
                groups.append((Labels(key), [sample]))
            }
        }
        var result: [VectorSample] = []
        for group in groups {
            switch aggregation.operator {
            case .topk, .bottomk:
                result += selectExtremes(group.members, count: parameter, largest: aggregation.operator == .topk)
            default:
                let values = group.members.map(\.value)
                result.append(
                    VectorSample(
                        labels: group.labels, value: combine(aggregation.operator, values, parameter: parameter)))
            }
        }
        return result
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
