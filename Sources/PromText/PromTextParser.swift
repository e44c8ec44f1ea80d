/// Reads Prometheus text exposition pages (format 0.0.4) and OpenMetrics 1.0 text pages into metric families.
///
/// It works on the page's bytes and makes `String`s only for names and label values, sharing repeated ones;
/// it runs on every scrape of every worker. Samples keep page order inside their family; families come in the
/// order the page first names them.
///
/// ```swift
/// let families = try PromTextParser.parse(body)                        // Prometheus text
/// let families = try PromTextParser.parse(body, format: .openMetrics)  // OpenMetrics, `# EOF` required
/// ```
public enum PromTextParser {
    /// Bounds that keep one bad or hostile page from taking the scraper's memory or time.
    ///
    /// Every limit is checked as the page is read, in one pass, so a page beyond a limit costs no more than
    /// reading up to that point.
    public struct Limits: Sendable, Hashable {
        /// Longest line in bytes, line feed excluded. Default 1 MiB: far above any real series (a long vLLM
        /// histogram bucket line is about 300 bytes) and small enough that one line cannot hold the scraper.
        public var maxLineBytes: Int
        /// Longest label value in bytes, as written on the page. Default 64 KiB: real values are names, paths and
        /// versions; larger ones are bugs (a request body in a label) that would be copied into every query.
        public var maxLabelValueBytes: Int
        /// Most labels on one series. Default 256: Prometheus setups rarely allow more than 30.
        public var maxLabelsPerSeries: Int
        /// Most samples on one page. Default 2,000,000: a large kube-state-metrics page has a few hundred thousand.
        public var maxSamples: Int

        /// Creates limits; every parameter defaults to the value documented on its property.
        public init(
            maxLineBytes: Int = 1 << 20, maxLabelValueBytes: Int = 64 << 10, maxLabelsPerSeries: Int = 256,
            maxSamples: Int = 2_000_000
        ) {
            self.maxLineBytes = maxLineBytes
            self.maxLabelValueBytes = maxLabelValueBytes
            self.maxLabelsPerSeries = maxLabelsPerSeries
            self.maxSamples = maxSamples
        }

        /// The defaults documented on each property.
        public static let `default` = Limits()
    }

    /// Parses a page given as bytes, such as an HTTP response body.
    ///
    /// - Parameters:
    ///   - bytes: the page, UTF-8; the last line must end with a line feed (OpenMetrics: optional after `# EOF`).
    ///   - format: how to read timestamps and `# EOF`; ``ExpositionFormat/prometheus`` by default, the format of
    ///     `text/plain; version=0.0.4`. Pick with ``ExpositionFormat/init(contentType:)`` when scraping.
    ///   - limits: bounds on line length, label values, labels and samples; ``Limits/default`` by default.
    ///   - families: names of the families to keep (base names, such as `ballast_queue_wait_seconds` for its
    ///     `_bucket` samples); `nil` (default) keeps all. Lines of other families are skipped after their name,
    ///     unread, which makes a scrape that needs a few families of a large page several times cheaper; their
    ///     labels and values are then not checked, nor are they checked for duplicates.
    /// - Throws: ``PromTextError`` naming line and column, for the first problem on the page.
    public static func parse(
        _ bytes: some Collection<UInt8>, format: ExpositionFormat = .prometheus, limits: Limits = .default,
        families: Set<String>? = nil
    ) throws(PromTextError) -> [MetricFamily] {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(PromTextError) in
                try parse(buffer: buffer, format: format, limits: limits, families: families)
            }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { (buffer) throws(PromTextError) in
            try parse(buffer: buffer, format: format, limits: limits, families: families)
        }
    }

    /// Parses a page given as text; see ``parse(_:format:limits:families:)-(Collection<UInt8>,_,_,_)`` for the rules.
    public static func parse(
        _ text: String, format: ExpositionFormat = .prometheus, limits: Limits = .default,
        families: Set<String>? = nil
    ) throws(PromTextError) -> [MetricFamily] {
        try parse(text.utf8, format: format, limits: limits, families: families)
    }

    private static func parse(
        buffer: UnsafeBufferPointer<UInt8>, format: ExpositionFormat, limits: Limits, families: Set<String>?
    ) throws(PromTextError) -> [MetricFamily] {
        guard let start = buffer.baseAddress, !buffer.isEmpty else {
            if format == .openMetrics {
                throw PromTextError(
                    .missingEOF, line: 1, column: 1,
                    message: "the OpenMetrics page is empty; it must at least hold `# EOF`.")
            }
            return []
        }
        var scanner = PageScanner(start, count: buffer.count, limits: limits, format: format, families: families)
        return try scanner.families()
    }
}
