import PromText

extension Evaluator {
    /// `histogram_quantile` over classic `_bucket` series: groups by every label but `le` (the name included),
    /// then drops `__name__` and `le` from the result.
    func histogramQuantile(_ q: Double, _ samples: [VectorSample]) throws(PromQLError) -> [VectorSample] {
        var groupIndex: [[Label]: Int] = [:]
        var groups: [(labels: Labels, buckets: [Bucket])] = []
        for sample in samples {
            // Series without a parseable `le` are skipped, as Prometheus does.
            guard let text = sample.labels["le"], let upperBound = parseBucketBound(text) else { continue }
            let key = sample.labels.pairs.filter { $0.name != "le" }
            let bucket = Bucket(upperBound: upperBound, count: sample.value)
            if let index = groupIndex[key] {
                groups[index].buckets.append(bucket)
            } else {
                groupIndex[key] = groups.count
                groups.append((Labels(key.filter { $0.name != "__name__" }), [bucket]))
            }
        }
        let result = groups.map { VectorSample(labels: $0.labels, value: bucketQuantile(q, $0.buckets)) }
        try checkUniqueLabels(result)
        return result
    }
}

/// Parses an `le` value like Go's `strconv.ParseFloat`: decimal, exponent, `+Inf`, `Inf`, `NaN`.
func parseBucketBound(_ text: String) -> Double? {
    switch text.lowercased() {
    case "+inf", "inf", "+infinity", "infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    case "nan": return .nan
    default: return Double(text)
    }
}

/// One cumulative histogram bucket.
struct Bucket {
    var upperBound: Double
    var count: Double
}

/// The quantile from cumulative buckets, exactly as Prometheus' `bucketQuantile`.
///
/// NaN for q NaN, -Inf below 0, +Inf above 1; NaN without a +Inf bucket, with fewer than two buckets or no
/// observations. Buckets are sorted by bound, equal bounds merged, counts made monotonic, then the rank is
/// interpolated linearly inside its bucket; the lowest bucket starts at 0 when its bound is positive, and a rank
/// in the +Inf bucket returns the highest finite bound.
func bucketQuantile(_ q: Double, _ unsorted: [Bucket]) -> Double {
    if q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    let sorted = unsorted.sorted { $0.upperBound < $1.upperBound }
    guard let highest = sorted.last, highest.upperBound == .infinity else { return .nan }
    var buckets: [Bucket] = []
    for bucket in sorted {
        if let last = buckets.last, last.upperBound == bucket.upperBound {
            buckets[buckets.count - 1].count += bucket.count
        } else {
            buckets.append(bucket)
        }
    }
    var maximum = -Double.infinity
    for index in buckets.indices {
        if buckets[index].count > maximum {
            maximum = buckets[index].count
        } else if buckets[index].count < maximum {
            buckets[index].count = maximum
        }
    }
    guard buckets.count >= 2 else { return .nan }
    let observations = buckets[buckets.count - 1].count
    if observations == 0 { return .nan }
    var rank = q * observations
    // First bucket whose count reaches the rank, searching all but the +Inf bucket.
    var low = 0
    var high = buckets.count - 1
    while low < high {
        let middle = (low + high) / 2
        if buckets[middle].count >= rank { high = middle } else { low = middle + 1 }
    }
    let b = low
    if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
    if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
    var start = 0.0
    let end = buckets[b].upperBound
    var count = buckets[b].count
    if b > 0 {
        start = buckets[b - 1].upperBound
        count -= buckets[b - 1].count
        rank -= buckets[b - 1].count
    }
    return start + (end - start) * (rank / count)
}
