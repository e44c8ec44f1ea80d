import Foundation
import PromText

extension Evaluator {
    func evaluateBinary(_ binary: BinaryExpression) throws(PromQLError) -> QueryValue {
        let left = try evaluate(binary.left)
        let right = try evaluate(binary.right)
        let op = binary.operator
        switch (left, right) {
        case (.scalar(let lhs), .scalar(let rhs)):
            let (value, keep) = apply(op, lhs, rhs)
            return .scalar(op.isComparison ? (keep ? 1 : 0) : value)
        case (.vector(let samples), .scalar(let scalar)):
            return .vector(try vectorScalar(op, samples, scalar, scalarOnLeft: false, returnsBool: binary.returnsBool))
        case (.scalar(let scalar), .vector(let samples)):
            return .vector(try vectorScalar(op, samples, scalar, scalarOnLeft: true, returnsBool: binary.returnsBool))
        case (.vector(let lhs), .vector(let rhs)):
            let matching = binary.matching ?? VectorMatching(cardinality: .oneToOne, on: false, labels: [], include: [])
            switch op {
            case .and, .or, .unless: return .vector(setOperation(op, lhs, rhs, matching))
            default: return .vector(try vectorVector(op, lhs, rhs, matching, returnsBool: binary.returnsBool))
            }
        default:
            throw PromQLError("binary expression \"\(op.rawValue)\" must contain only scalar and instant vector types")
        }
    }

    /// Applies an arithmetic or comparison operator; comparisons return the left value and whether it passes.
    func apply(_ op: BinaryOperator, _ lhs: Double, _ rhs: Double) -> (Double, Bool) {
        switch op {
        case .add: (lhs + rhs, true)
        case .subtract: (lhs - rhs, true)
        case .multiply: (lhs * rhs, true)
        case .divide: (lhs / rhs, true)
        case .modulo: (lhs.truncatingRemainder(dividingBy: rhs), true)
        case .power: (pow(lhs, rhs), true)
        case .equal: (lhs, lhs == rhs)
        case .notEqual: (lhs, lhs != rhs)
        case .greater: (lhs, lhs > rhs)
        case .less: (lhs, lhs < rhs)
        case .greaterOrEqual: (lhs, lhs >= rhs)
        case .lessOrEqual: (lhs, lhs <= rhs)
        case .and, .or, .unless: (lhs, true)
        }
    }

    private func vectorScalar(
        _ op: BinaryOperator, _ samples: [VectorSample], _ scalar: Double, scalarOnLeft: Bool, returnsBool: Bool
    ) throws(PromQLError) -> [VectorSample] {
        var result: [VectorSample] = []
        result.reserveCapacity(samples.count)
        for sample in samples {
            var (value, keep) = scalarOnLeft ? apply(op, scalar, sample.value) : apply(op, sample.value, scalar)
            // A filtering comparison keeps the vector's value even when the scalar is on the left.
            if op.isComparison && scalarOnLeft { value = sample.value }
            if returnsBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            let labels = !op.isComparison || returnsBool ? droppingName(sample.labels) : sample.labels
            result.append(VectorSample(labels: labels, value: value))
        }
        if !op.isComparison || returnsBool { try checkUniqueLabels(result) }
        return result
    }

    /// The labels two sides are matched on: the `on(...)` labels, or all but the `ignoring(...)` ones and the name.
    func signature(_ labels: Labels, _ matching: VectorMatching) -> [Label] {
        if matching.on {
            return labels.pairs.filter { matching.labels.contains($0.name) && !$0.value.isEmpty }
        }
        return labels.pairs.filter { $0.name != "__name__" && !matching.labels.contains($0.name) && !$0.value.isEmpty }
    }

    private func setOperation(
        _ op: BinaryOperator, _ lhs: [VectorSample], _ rhs: [VectorSample], _ matching: VectorMatching
    ) -> [VectorSample] {
        switch op {
        case .and:
            let right = Set(rhs.map { signature($0.labels, matching) })
            return lhs.filter { right.contains(signature($0.labels, matching)) }
        case .unless:
            let right = Set(rhs.map { signature($0.labels, matching) })
            return lhs.filter { !right.contains(signature($0.labels, matching)) }
        default:
            let left = Set(lhs.map { signature($0.labels, matching) })
            return lhs + rhs.filter { !left.contains(signature($0.labels, matching)) }
        }
    }

    private func vectorVector(
        _ op: BinaryOperator, _ lhsIn: [VectorSample], _ rhsIn: [VectorSample], _ matching: VectorMatching,
        returnsBool: Bool
    ) throws(PromQLError) -> [VectorSample] {
        // group_right swaps the sides so the "one" side is always on the right.
        let swapped = matching.cardinality == .oneToMany
        let (lhs, rhs) = swapped ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        var oneSide: [[Label]: VectorSample] = [:]
        for sample in rhs {
            let key = signature(sample.labels, matching)
            if let duplicate = oneSide[key] {
                throw PromQLError(
                    "found duplicate series for the match group \(render(Labels(key))) on the \(swapped ? "left" : "right") hand-side of the operation: [\(render(sample.labels)), \(render(duplicate.labels))];many-to-many matching not allowed: matching labels must be unique on one side"
                )
            }
            oneSide[key] = sample
        }
        var matched: [[Label]: Set<Labels>] = [:]
        var result: [VectorSample] = []
        for sample in lhs {
            let key = signature(sample.labels, matching)
            guard let other = oneSide[key] else { continue }
            let (leftValue, rightValue) = swapped ? (other.value, sample.value) : (sample.value, other.value)
            var (value, keep) = apply(op, leftValue, rightValue)
            if returnsBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            var labels = resultLabels(sample.labels, other.labels, op, matching)
            if returnsBool { labels = droppingName(labels) }
            if matching.cardinality == .oneToOne {
                if matched[key] != nil {
                    throw PromQLError(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matched[key] = []
            } else if matched[key, default: []].insert(labels).inserted == false {
                throw PromQLError("multiple matches for labels: grouping labels must ensure unique matches")
            }
            result.append(VectorSample(labels: labels, value: value))
        }
        try checkUniqueLabels(result)
        return result
    }

    private func resultLabels(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOperator, _ matching: VectorMatching) -> Labels
    {
        var pairs = lhs.pairs
        if !op.isComparison { pairs.removeAll { $0.name == "__name__" } }
        if matching.cardinality == .oneToOne {
            if matching.on {
                pairs.removeAll { !matching.labels.contains($0.name) }
            } else {
                pairs.removeAll { matching.labels.contains($0.name) }
            }
        }
        var labels = Labels(pairs)
        for name in matching.include {
            let value = rhs[name]
            labels[name] = value?.isEmpty == false ? value : nil
        }
        return labels
    }
}
