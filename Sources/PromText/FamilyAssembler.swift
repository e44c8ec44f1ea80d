/// Groups the samples of a page into families as the page is read: a histogram's `_bucket`, `_sum`, `_count`
/// and `_created` samples join the family its `# TYPE` names, a counter's `_total` and `_created` samples join
/// their counter, and samples that match no declared family get an `untyped` family of their own.
///
/// It also rejects what Prometheus rejects on a page: the same series twice, a second `# HELP`/`# TYPE`/`# UNIT`,
/// and a `# TYPE` that comes after samples of its family.
struct FamilyAssembler {
    private struct Builder {
        var family: MetricFamily
        var nameBytes: [UInt8]
        var helpLine: Int?
        var typeLine: Int?
        var unitLine: Int?
        var firstSampleLine: Int?
    }

    /// Where a series was first seen, to name both lines when it comes again.
    private struct SeriesReference {
        var family: Int32
        var sample: Int32
        var line: Int
    }

    private var builders: [Builder] = []
    private var indexByName: [String: Int] = [:]
    private var current = -1
    private var series: [UInt64: SeriesReference] = [:]
    /// Series whose key collided with a different series; almost always empty.
    private var collisions: [UInt64: [SeriesReference]] = [:]
    private(set) var sampleCount = 0

    /// Metadata lines that name a family: `# HELP`, `# TYPE`, `# UNIT`.
    enum Metadata {
        case help(String)
        case type(MetricType)
        case unit(String)
    }

    /// Records one metadata line for the family `name`, creating the family when the page has not named it yet.
    mutating func record(_ metadata: Metadata, name: String, line: Int) throws(PromTextError) {
        let index = indexByName[name] ?? append(name: name)
        current = index
        switch metadata {
        case .help(let text):
            if let earlier = builders[index].helpLine {
                throw PromTextError(
                    .misplacedMetadata, line: line, column: 1,
                    message: "second # HELP for `\(name)` (the first is on line \(earlier)); keep one.",
                    relatedLine: earlier)
            }
            builders[index].helpLine = line
            builders[index].family.help = text
        case .type(let type):
            if let earlier = builders[index].typeLine {
                throw PromTextError(
                    .misplacedMetadata, line: line, column: 1,
                    message: "second # TYPE for `\(name)` (the first is on line \(earlier)); keep one.",
                    relatedLine: earlier)
            }
            if let firstSample = builders[index].firstSampleLine {
                throw PromTextError(
                    .misplacedMetadata, line: line, column: 1,
                    message: "# TYPE for `\(name)` comes after its first sample on line \(firstSample); "
                        + "move the # TYPE line above the samples.",
                    relatedLine: firstSample)
            }
            builders[index].typeLine = line
            builders[index].family.type = type
        case .unit(let unit):
            if let earlier = builders[index].unitLine {
                throw PromTextError(
                    .misplacedMetadata, line: line, column: 1,
                    message: "second # UNIT for `\(name)` (the first is on line \(earlier)); keep one.",
                    relatedLine: earlier)
            }
            builders[index].unitLine = line
            builders[index].family.unit = unit
        }
    }

    /// Adds a sample to its family.
    ///
    /// - Parameters:
    ///   - nameBytes: the sample name as it is on the page, to match it against the current family without
    ///     hashing a `String`.
    ///   - seriesKey: an order-independent hash of name and labels; equal series have equal keys.
    ///   - interner: makes base names (`x` for `x_bucket`) when the sample does not belong to the current family.
    mutating func add(
        _ sample: Sample, nameBytes: UnsafeBufferPointer<UInt8>, seriesKey: UInt64, line: Int,
        interner: inout StringInterner
    ) throws(PromTextError) {
        let index = family(for: sample.name, nameBytes: nameBytes, interner: &interner)
        try checkLabels(of: sample, family: builders[index].family, line: line)
        let reference = SeriesReference(
            family: Int32(truncatingIfNeeded: index),
            sample: Int32(truncatingIfNeeded: builders[index].family.samples.count), line: line)
        if let earlier = series.updateValue(reference, forKey: seriesKey) {
            series[seriesKey] = earlier
            try checkCollision(sample, key: seriesKey, earlier: earlier, reference: reference, line: line)
        }
        if builders[index].firstSampleLine == nil { builders[index].firstSampleLine = line }
        builders[index].family.samples.append(sample)
        sampleCount += 1
    }

    /// The families in the order the page first named them.
    func families() -> [MetricFamily] { builders.map(\.family) }

    private mutating func append(name: String) -> Int {
        builders.append(Builder(family: MetricFamily(name: name), nameBytes: Array(name.utf8)))
        indexByName[name] = builders.count - 1
        return builders.count - 1
    }

    private mutating func family(
        for name: String, nameBytes: UnsafeBufferPointer<UInt8>, interner: inout StringInterner
    ) -> Int {
        if current >= 0 && accepts(builders[current], nameBytes) { return current }
        if let index = indexByName[name] {
            current = index
            return index
        }
        guard let base = nameBytes.baseAddress else { return append(name: name) }
        for suffix in Self.suffixes where nameBytes.count > suffix.bytes.count {
            let baseCount = nameBytes.count - suffix.bytes.count
            guard Self.hasSuffix(nameBytes, suffix.bytes) else { continue }
            let baseName =
                interner.string(base, count: baseCount, hash: ByteHash.of(base, count: baseCount))
                ?? String(decoding: UnsafeBufferPointer(start: base, count: baseCount), as: UTF8.self)
            if let index = indexByName[baseName], suffix.types.contains(builders[index].family.type) {
                current = index
                return index
            }
        }
        current = append(name: name)
        return current
    }

    /// Whether a sample called `name` belongs to `builder`: the family name itself or the name plus a suffix
    /// that the family's type allows.
    private func accepts(_ builder: Builder, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let family = builder.nameBytes
        guard name.count >= family.count else { return false }
        for index in 0..<family.count where family[index] != name[index] { return false }
        if name.count == family.count { return true }
        let rest = UnsafeBufferPointer(rebasing: name[family.count...])
        for suffix in Self.suffixes where suffix.bytes.count == rest.count && suffix.types.contains(builder.family.type) {
            if rest.elementsEqual(suffix.bytes) { return true }
        }
        return false
    }

    private func checkLabels(of sample: Sample, family: MetricFamily, line: Int) throws(PromTextError) {
        switch family.type {
        case .histogram, .gaugehistogram:
            if sample.name.utf8.count == family.name.utf8.count + 7, sample.name.hasSuffix("_bucket"),
                sample.labels["le"] == nil
            {
                throw PromTextError(
                    .missingLabel, line: line, column: 1,
                    message: "histogram bucket `\(sample.name)` has no `le` label; add the bucket's upper bound, "
                        + "such as le=\"0.5\" or le=\"+Inf\".")
            }
        case .summary:
            if sample.name == family.name, sample.labels["quantile"] == nil {
                throw PromTextError(
                    .missingLabel, line: line, column: 1,
                    message: "summary sample `\(sample.name)` has no `quantile` label; add one such as "
                        + "quantile=\"0.99\", or use `\(sample.name)_sum` / `\(sample.name)_count`.")
            }
        default:
            break
        }
    }

    private mutating func checkCollision(
        _ sample: Sample, key: UInt64, earlier: SeriesReference, reference: SeriesReference, line: Int
    ) throws(PromTextError) {
        for candidate in [earlier] + (collisions[key] ?? []) {
            let other = builders[Int(candidate.family)].family.samples[Int(candidate.sample)]
            if other.name == sample.name && other.labels == sample.labels {
                throw PromTextError(
                    .duplicateSeries, line: line, column: 1,
                    message: "series \(PromTextWriter.seriesText(sample)) is listed twice, on line \(candidate.line) "
                        + "and again here; a page must give each series once.",
                    relatedLine: candidate.line)
            }
        }
        collisions[key, default: []].append(reference)
    }

    private struct Suffix {
        var bytes: [UInt8]
        var types: [MetricType]
    }

    private static let suffixes: [Suffix] = [
        Suffix(bytes: Array("_bucket".utf8), types: [.histogram, .gaugehistogram]),
        Suffix(bytes: Array("_sum".utf8), types: [.histogram, .summary]),
        Suffix(bytes: Array("_count".utf8), types: [.histogram, .summary]),
        Suffix(bytes: Array("_created".utf8), types: [.counter, .histogram, .summary]),
        Suffix(bytes: Array("_total".utf8), types: [.counter]),
        Suffix(bytes: Array("_gsum".utf8), types: [.gaugehistogram]),
        Suffix(bytes: Array("_gcount".utf8), types: [.gaugehistogram]),
        Suffix(bytes: Array("_info".utf8), types: [.info]),
    ]

    private static func hasSuffix(_ name: UnsafeBufferPointer<UInt8>, _ suffix: [UInt8]) -> Bool {
        let offset = name.count - suffix.count
        for index in 0..<suffix.count where name[offset + index] != suffix[index] { return false }
        return true
    }
}
