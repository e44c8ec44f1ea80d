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
        /// False for families the caller filtered out: their samples are skipped unread.
        var wanted = true
    }

    private var builders: [Builder] = []
    private var indexByName: [String: Int] = [:]
    private var current = -1
    private var series: SeriesTable
    private(set) var sampleCount = 0

    /// Families to keep; `nil` keeps all.
    private let wanted: Set<String>?

    /// An assembler for a page of `pageBytes` bytes, sized so that its tables rarely grow.
    init(pageBytes: Int, wanted: Set<String>?) {
        // Real pages spend 60 to 120 bytes per sample line.
        series = SeriesTable(expected: wanted == nil ? pageBytes / 64 : 64)
        self.wanted = wanted
    }

    /// Whether a sample called `name` belongs to a family the caller wants; resolves (and remembers) its family,
    /// so the next sample of the same family answers with a byte comparison.
    mutating func wants(_ name: String, nameBytes: UnsafeBufferPointer<UInt8>, interner: inout StringInterner) -> Bool {
        guard wanted != nil else { return true }
        return builders[family(for: name, nameBytes: nameBytes, interner: &interner)].wanted
    }

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
        try checkLabels(of: sample, family: index, nameCount: nameBytes.count, line: line)
        let entry = SeriesTable.Entry(
            key: seriesKey, family: Int32(truncatingIfNeeded: index),
            sample: Int32(truncatingIfNeeded: builders[index].family.samples.count), line: line)
        let earlier = series.insert(entry)
        if !earlier.isEmpty {
            try checkCollision(sample, earlier: earlier, line: line)
            series.insertCollision(entry)
        }
        if builders[index].firstSampleLine == nil { builders[index].firstSampleLine = line }
        builders[index].family.samples.append(sample)
        sampleCount += 1
    }

    /// The families in the order the page first named them.
    func families() -> [MetricFamily] { builders.filter(\.wanted).map(\.family) }

    private mutating func append(name: String) -> Int {
        var builder = Builder(family: MetricFamily(name: name), nameBytes: Array(name.utf8))
        builder.wanted = wanted?.contains(name) ?? true
        builders.append(builder)
        indexByName[name] = builders.count - 1
        return builders.count - 1
    }

    private mutating func family(
        for name: String, nameBytes: UnsafeBufferPointer<UInt8>, interner: inout StringInterner
    ) -> Int {
        if current >= 0 && accepts(current, nameBytes) { return current }
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
    private func accepts(_ index: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let familyCount = builders[index].nameBytes.count
        guard name.count >= familyCount else { return false }
        let samePrefix = builders[index].nameBytes.withUnsafeBufferPointer { family in
            for offset in 0..<familyCount where family[offset] != name[offset] { return false }
            return true
        }
        guard samePrefix else { return false }
        if name.count == familyCount { return true }
        let type = builders[index].family.type
        let restCount = name.count - familyCount
        for suffix in Self.suffixes where suffix.bytes.count == restCount && suffix.types.contains(type) {
            if Self.hasSuffix(name, suffix.bytes) { return true }
        }
        return false
    }

    /// Histogram buckets need `le` and summary quantile samples need `quantile`; checked by lengths first so
    /// that the common case compares no strings.
    private func checkLabels(of sample: Sample, family index: Int, nameCount: Int, line: Int) throws(PromTextError) {
        let familyCount = builders[index].nameBytes.count
        switch builders[index].family.type {
        case .histogram, .gaugehistogram:
            if nameCount == familyCount + 7, sample.labels["le"] == nil, sample.name.hasSuffix("_bucket") {
                throw PromTextError(
                    .missingLabel, line: line, column: 1,
                    message: "histogram bucket `\(sample.name)` has no `le` label; add the bucket's upper bound, "
                        + "such as le=\"0.5\" or le=\"+Inf\".")
            }
        case .summary:
            if nameCount == familyCount, sample.labels["quantile"] == nil {
                throw PromTextError(
                    .missingLabel, line: line, column: 1,
                    message: "summary sample `\(sample.name)` has no `quantile` label; add one such as "
                        + "quantile=\"0.99\", or use `\(sample.name)_sum` / `\(sample.name)_count`.")
            }
        default:
            break
        }
    }

    private func checkCollision(_ sample: Sample, earlier: [SeriesTable.Entry], line: Int) throws(PromTextError) {
        for candidate in earlier {
            let other = builders[Int(candidate.family)].family.samples[Int(candidate.sample)]
            if other.name == sample.name && other.labels == sample.labels {
                throw PromTextError(
                    .duplicateSeries, line: line, column: 1,
                    message: "series \(PromTextWriter.seriesText(sample)) is listed twice, on line \(candidate.line) "
                        + "and again here; a page must give each series once.",
                    relatedLine: candidate.line)
            }
        }
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
