import Foundation
import PromText

extension Evaluator {
    func evaluateCall(_ call: FunctionCall) throws(PromQLError) -> QueryValue {
        let function = call.function
        switch function {
        case .time:
            return .scalar(Double(time) / 1000)
        case .vector:
            return .vector([VectorSample(labels: Labels(), value: try scalar(call.arguments[0]))])
        case .scalar:
            let samples = try vector(call.arguments[0])
            return .scalar(samples.count == 1 ? samples[0].value : .nan)
        case .histogramQuantile:
            let q = try scalar(call.arguments[0])
            return .vector(try histogramQuantile(q, try vector(call.arguments[1])))
        case .abs, .ceil, .floor, .sqrt, .exp, .ln, .clamp, .clampMin, .clampMax:
            return .vector(try instantFunction(call))
        case .rate, .irate, .increase, .delta, .idelta, .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime,
            .countOverTime, .lastOverTime:
            return .vector(try rangeFunction(call))
        }
    }

    private func instantFunction(_ call: FunctionCall) throws(PromQLError) -> [VectorSample] {
        let samples = try vector(call.arguments[0])
        var low = -Double.infinity
        var high = Double.infinity
        switch call.function {
        case .clamp:
            low = try scalar(call.arguments[1])
            high = try scalar(call.arguments[2])
            // Prometheus returns nothing when the bounds cross.
            if high < low { return [] }
        case .clampMin: low = try scalar(call.arguments[1])
        case .clampMax: high = try scalar(call.arguments[1])
        default: break
        }
        var result: [VectorSample] = []
        result.reserveCapacity(samples.count)
        for sample in samples {
            let x = sample.value
            let value: Double
            switch call.function {
            case .abs: value = Swift.abs(x)
            case .ceil: value = x.rounded(.up)
            case .floor: value = x.rounded(.down)
            case .sqrt: value = x.squareRoot()
            case .exp: value = Foundation.exp(x)
            case .ln: value = log(x)
            case .clamp: value = goMax(low, goMin(high, x))
            case .clampMin: value = goMax(low, x)
            default: value = goMin(high, x)
            }
            result.append(VectorSample(labels: droppingName(sample.labels), value: value))
        }
        try checkUniqueLabels(result)
        return result
    }

    private func rangeFunction(_ call: FunctionCall) throws(PromQLError) -> [VectorSample] {
        var result: [VectorSample] = []
        let keepsName = call.function.keepsMetricName
        let selector = try forEachRangeValue(call) { _, series, value in
            // The others take the label set the window keeps without the name.
            result.append(VectorSample(labels: keepsName ? series.fullLabels : series.labels, value: value))
        }
        // Series of one metric name stay distinct without it; only a selector across names can collide.
        if selector.metricName == nil { try checkUniqueLabels(result) }
        return result
    }

    /// Calls `body` with the slot, series and value of each series a range function gives, in label order, while
    /// the series is in cache; returns the function's selector. Aggregations over a range function read it this
    /// way instead of through a vector of every series.
    @discardableResult
    func forEachRangeValue(
        _ call: FunctionCall, _ body: (Int, borrowing SeriesWindow.Series, Double) -> Void
    ) throws(PromQLError) -> VectorSelector {
        guard case .selector(let selector) = unwrapParentheses(call.arguments[0]),
            let range = selector.rangeMilliseconds
        else {
            throw PromQLError("\(call.function.rawValue) needs a range selector such as x[5m]")
        }
        let end = time - selector.offsetMilliseconds
        let start = end - range
        let leftOpen = window.configuration.rangeBoundaries == .leftOpen
        // One buffer for every series' points: the range is read straight from the window, nothing per series.
        var points: [Point] = []
        window.forEachSeries(matching: selector) { slot, series in
            let samples = series.samples
            let first = leftOpen ? samples.firstIndex(after: start) : samples.firstIndex(atOrAfter: start)
            let last = samples.firstIndex(after: end)
            guard first < last else { return }
            points.removeAll(keepingCapacity: true)
            samples.appendPoints(first, last, to: &points, skipping: SeriesWindow.isStale)
            guard !points.isEmpty, let value = rangeValue(call.function, points, start: start, end: end) else {
                return
            }
            body(slot, series, value)
        }
        return selector
    }

    /// One range function over one series' points (none empty, no staleness markers) in `[start, end]`.
    private func rangeValue(_ function: Function, _ points: [Point], start: Int64, end: Int64) -> Double? {
        switch function {
        case .rate, .increase, .delta:
            return extrapolatedRate(
                points, rangeStart: start, rangeEnd: end, isCounter: function != .delta, isRate: function == .rate)
        case .irate, .idelta: return instantRate(points, isRate: function == .irate)
        case .avgOverTime: return averageOverTime(points)
        case .sumOverTime: return kahanSum(points.map(\.value))
        case .countOverTime: return Double(points.count)
        case .lastOverTime: return points.last?.value
        case .maxOverTime:
            var result = points[0].value
            for point in points.dropFirst() where point.value > result || result.isNaN { result = point.value }
            return result
        case .minOverTime:
            var result = points[0].value
            for point in points.dropFirst() where point.value < result || result.isNaN { result = point.value }
            return result
        default: return nil
        }
    }

    func unwrapParentheses(_ node: Node) -> Node {
        if case .parenthesized(let inner) = node { return unwrapParentheses(inner) }
        return node
    }
}

/// `rate`, `increase` and `delta` as Prometheus' `extrapolatedRate`: the change over the samples (adding back
/// counter resets), extrapolated towards the range edges when the edge is within 1.1 average sample intervals
/// (else by half an interval), and for counters never below the zero point.
func extrapolatedRate(_ points: [Point], rangeStart: Int64, rangeEnd: Int64, isCounter: Bool, isRate: Bool) -> Double? {
    guard points.count >= 2, let first = points.first, let last = points.last else { return nil }
    var change = last.value - first.value
    if isCounter {
        var previous = first.value
        for point in points.dropFirst() {
            if point.value < previous { change += previous }
            previous = point.value
        }
    }
    var durationToStart = Double(first.timestampMilliseconds - rangeStart) / 1000
    let durationToEnd = Double(rangeEnd - last.timestampMilliseconds) / 1000
    let sampledInterval = Double(last.timestampMilliseconds - first.timestampMilliseconds) / 1000
    let averageInterval = sampledInterval / Double(points.count - 1)
    if isCounter && change > 0 && first.value >= 0 {
        let durationToZero = sampledInterval * (first.value / change)
        if durationToZero < durationToStart { durationToStart = durationToZero }
    }
    let threshold = averageInterval * 1.1
    var interval = sampledInterval
    interval += durationToStart < threshold ? durationToStart : averageInterval / 2
    interval += durationToEnd < threshold ? durationToEnd : averageInterval / 2
    var factor = interval / sampledInterval
    if isRate { factor /= Double(rangeEnd - rangeStart) / 1000 }
    return change * factor
}

/// `irate`/`idelta`: from the last two samples; `irate` treats a decrease as a counter reset.
func instantRate(_ points: [Point], isRate: Bool) -> Double? {
    guard points.count >= 2 else { return nil }
    let last = points[points.count - 1]
    let previous = points[points.count - 2]
    var change = last.value - previous.value
    if isRate && last.value < previous.value { change = last.value }
    let interval = last.timestampMilliseconds - previous.timestampMilliseconds
    guard interval != 0 else { return nil }
    return isRate ? change / (Double(interval) / 1000) : change
}

/// Sum with Kahan compensation, as Prometheus' `sum_over_time`.
func kahanSum(_ values: [Double]) -> Double {
    var sum = 0.0
    var compensation = 0.0
    for value in values { (sum, compensation) = kahanAdd(value, sum, compensation) }
    return sum.isInfinite ? sum : sum + compensation
}

func kahanAdd(_ value: Double, _ sum: Double, _ compensation: Double) -> (Double, Double) {
    let total = sum + value
    var compensation = compensation
    if Swift.abs(sum) >= Swift.abs(value) {
        compensation += (sum - total) + value
    } else {
        compensation += (value - total) + sum
    }
    return (total, compensation)
}

/// `avg_over_time` as Prometheus computes it: an incremental, compensated mean.
func averageOverTime(_ points: [Point]) -> Double {
    var mean = 0.0
    var compensation = 0.0
    var count = 0.0
    for point in points {
        count += 1
        if mean.isInfinite {
            if point.value.isInfinite && (mean > 0) == (point.value > 0) { continue }
            if !point.value.isInfinite && !point.value.isNaN { continue }
        }
        (mean, compensation) = kahanAdd(point.value / count - mean / count, mean, compensation)
    }
    return mean.isInfinite ? mean : mean + compensation
}

/// Go's `math.Max`: +Inf wins over NaN, otherwise NaN wins.
func goMax(_ a: Double, _ b: Double) -> Double {
    if a == .infinity || b == .infinity { return .infinity }
    if a.isNaN || b.isNaN { return .nan }
    return Swift.max(a, b)
}

/// Go's `math.Min`: -Inf wins over NaN, otherwise NaN wins.
func goMin(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity || b == -.infinity { return -.infinity }
    if a.isNaN || b.isNaN { return .nan }
    return Swift.min(a, b)
}
