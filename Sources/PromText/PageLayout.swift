/// What stays the same between two scrapes of one target: every byte of a page except its sample values.
///
/// A worker's page usually names the same series in the same order scrape after scrape; only the numbers change.
/// Like Prometheus' scrape cache, a layout remembered from a page that parsed lets the next page be read as a
/// list of values: when every comment line and every series (name and labels, as written) is byte for byte the
/// same, ``values(in:)`` returns the new values in the order the parser returned the samples, without building
/// any `Sample`, `Labels` or `String`. Anything else — a series added, removed or moved, a changed comment,
/// a timestamp or exemplar on a line — returns `nil`, and the page is parsed in full.
///
/// A page whose sample lines carry timestamps or exemplars, or whose samples the parser returned in an order other
/// than the page's (families interleaved), has no layout: ``init(page:samples:limits:)`` returns `nil`.
public struct PageLayout: Sendable {
    /// Every byte of the page outside the values, in page order.
    private var fixed: [UInt8]
    /// Per line: how many bytes of ``fixed`` come before its value, and whether a value follows
    /// (`false` for comment and blank lines, which are fixed whole).
    private var lines: [Line]
    /// Longest line allowed, from the limits the page was parsed with.
    private let maxLineBytes: Int

    struct Line: Sendable {
        /// Fixed bytes before the value (the whole line, line feed included, for a line without a value).
        var prefix: Int32
        /// Fixed bytes after the value: 1 for `\n`, 2 for `\r\n`; 0 for a line without a value.
        var suffix: Int8
    }

    /// Number of sample values a matching page holds.
    public let sampleCount: Int

    /// The layout of `page`, which parsed to `samples` (every family's samples, flattened in family order);
    /// `nil` when the page cannot be read by layout (see the type's documentation).
    ///
    /// - Parameter limits: the limits the page was parsed with; a later page must keep within the line limit.
    public init?(page: some Collection<UInt8>, samples: [Sample], limits: PromTextParser.Limits = .default) {
        let built = page.withContiguousStorageIfAvailable { buffer in
            Self.scan(buffer, samples: samples)
        }
        guard let (fixed, lines) = built ?? Array(page).withUnsafeBufferPointer({ Self.scan($0, samples: samples) })
        else { return nil }
        self.fixed = fixed
        self.lines = lines
        self.maxLineBytes = limits.maxLineBytes
        self.sampleCount = samples.count
    }

    /// The sample values of `page` in the order of the samples the layout was made from, or `nil` when the page
    /// differs from the layout anywhere but in its values, or a value does not parse.
    public func values(in page: some Collection<UInt8>) -> [Double]? {
        if let result = page.withContiguousStorageIfAvailable({ values(in: $0) }) { return result }
        return Array(page).withUnsafeBufferPointer { values(in: $0) }
    }

    private func values(in page: UnsafeBufferPointer<UInt8>) -> [Double]? {
        guard let base = page.baseAddress else { return lines.isEmpty ? [] : nil }
        var result: [Double] = []
        result.reserveCapacity(sampleCount)
        return fixed.withUnsafeBufferPointer { fixedBuffer -> [Double]? in
            guard let fixedBase = fixedBuffer.baseAddress else { return nil }
            var position = 0
            var offset = 0
            let count = page.count
            for line in lines {
                let lineStart = position
                let prefix = Int(line.prefix)
                guard count - position >= prefix, Self.equal(base + position, fixedBase + offset, prefix) else {
                    return nil
                }
                position += prefix
                offset += prefix
                guard line.suffix > 0 else { continue }
                let valueStart = position
                while position < count, !base[position].isBlank, base[position] != .lineFeed,
                    base[position] != .carriageReturn
                {
                    position += 1
                }
                guard let value = FloatParsing.double(base + valueStart, count: position - valueStart) else {
                    return nil
                }
                let suffix = Int(line.suffix)
                guard count - position >= suffix, Self.equal(base + position, fixedBase + offset, suffix) else {
                    return nil
                }
                position += suffix
                offset += suffix
                guard position - 1 - lineStart <= maxLineBytes else { return nil }
                result.append(value)
            }
            return position == count ? result : nil
        }
    }

    /// Whether `count` bytes at `lhs` and `rhs` are equal, eight at a time.
    @inline(__always)
    private static func equal(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let left = UnsafeRawPointer(lhs)
        let right = UnsafeRawPointer(rhs)
        var index = 0
        while index + 8 <= count {
            if left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                != right.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            {
                return false
            }
            index += 8
        }
        while index < count {
            if lhs[index] != rhs[index] { return false }
            index += 1
        }
        return true
    }

    /// Splits the page into fixed bytes and value positions; `nil` when a sample line holds more than name, labels
    /// and value, or the lines do not name the samples in their order.
    private static func scan(_ page: UnsafeBufferPointer<UInt8>, samples: [Sample]) -> ([UInt8], [Line])? {
        guard let base = page.baseAddress else { return samples.isEmpty ? ([], []) : nil }
        let count = page.count
        var fixed: [UInt8] = []
        fixed.reserveCapacity(count)
        var lines: [Line] = []
        var position = 0
        var sampleIndex = 0
        while position < count {
            let lineStart = position
            var cursor = position
            while cursor < count, base[cursor].isBlank { cursor += 1 }
            guard cursor < count else { return nil }
            if base[cursor] == .hash || base[cursor] == .lineFeed || base[cursor] == .carriageReturn {
                // A comment or blank line: fixed whole, line feed included.
                while cursor < count, base[cursor] != .lineFeed { cursor += 1 }
                guard cursor < count else { return nil }
                cursor += 1
                fixed.append(contentsOf: UnsafeBufferPointer(start: base + lineStart, count: cursor - lineStart))
                lines.append(Line(prefix: Int32(cursor - lineStart), suffix: 0))
                position = cursor
                continue
            }
            // A sample line: a plain name (a name quoted inside the braces has no layout), labels, blanks, value.
            let nameStart = cursor
            while cursor < count, base[cursor].isMetricNameStart || (cursor > nameStart && base[cursor].isMetricNameContinuation) {
                cursor += 1
            }
            guard cursor > nameStart, sampleIndex < samples.count,
                samples[sampleIndex].name.utf8.elementsEqual(
                    UnsafeBufferPointer(start: base + nameStart, count: cursor - nameStart))
            else { return nil }
            if cursor < count, base[cursor] == .openBrace {
                var quoted = false
                while cursor < count {
                    let byte = base[cursor]
                    if quoted {
                        if byte == .backslash {
                            cursor += 1
                        } else if byte == .quote {
                            quoted = false
                        }
                    } else if byte == .quote {
                        quoted = true
                    } else if byte == .closeBrace {
                        break
                    } else if byte == .lineFeed {
                        return nil
                    }
                    cursor += 1
                }
                guard cursor < count else { return nil }
                cursor += 1
            }
            while cursor < count, base[cursor].isBlank { cursor += 1 }
            let prefix = cursor - lineStart
            while cursor < count, !base[cursor].isBlank, base[cursor] != .lineFeed, base[cursor] != .carriageReturn {
                cursor += 1
            }
            let suffixStart = cursor
            if cursor < count, base[cursor] == .carriageReturn { cursor += 1 }
            // Anything but the line's end after the value (a timestamp, an exemplar, trailing blanks): no layout.
            guard cursor < count, base[cursor] == .lineFeed else { return nil }
            cursor += 1
            fixed.append(contentsOf: UnsafeBufferPointer(start: base + lineStart, count: prefix))
            fixed.append(contentsOf: UnsafeBufferPointer(start: base + suffixStart, count: cursor - suffixStart))
            lines.append(Line(prefix: Int32(prefix), suffix: Int8(cursor - suffixStart)))
            sampleIndex += 1
            position = cursor
        }
        return sampleIndex == samples.count ? (fixed, lines) : nil
    }
}
