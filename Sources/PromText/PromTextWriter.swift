/// Writes metric families as a text exposition page, appending bytes to a caller's buffer so that a server
/// can reuse one buffer across scrapes.
///
/// Output reads back with ``PromTextParser`` to the same families: `parse(write(x)) == x` for families whose
/// samples carry their family's name (plus the suffixes of its type) and whose types the format can say.
public enum PromTextWriter {
    /// Appends `families` to `buffer` as one page.
    ///
    /// - Parameters:
    ///   - format: ``ExpositionFormat/prometheus`` (default) writes 0.0.4 text: OpenMetrics-only types
    ///     (`info`, `stateset`, `gaugehistogram`, `unknown`) become `untyped`, which is all that format can say,
    ///     and `# UNIT` is left out. ``ExpositionFormat/openMetrics`` writes every type and unit, timestamps
    ///     in seconds, and ends the page with `# EOF`.
    public static func emit(
        _ families: [MetricFamily], format: ExpositionFormat = .prometheus, into buffer: inout [UInt8]
    ) {
        for family in families { emit(family, format: format, into: &buffer) }
        if format == .openMetrics { buffer.append(contentsOf: "# EOF\n".utf8) }
    }

    /// The page for `families` as a `String`; see ``emit(_:format:into:)``.
    public static func text(_ families: [MetricFamily], format: ExpositionFormat = .prometheus) -> String {
        var buffer: [UInt8] = []
        emit(families, format: format, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Appends one family: its `# HELP`, `# TYPE` (left out for `untyped`), `# UNIT` and sample lines.
    public static func emit(_ family: MetricFamily, format: ExpositionFormat = .prometheus, into buffer: inout [UInt8])
    {
        if let help = family.help {
            buffer.append(contentsOf: "# HELP ".utf8)
            appendName(family.name, into: &buffer)
            buffer.append(.space)
            appendEscaped(help, quotes: false, into: &buffer)
            buffer.append(.lineFeed)
        }
        let type = format == .prometheus ? family.type.prometheusType : family.type
        if type != .untyped {
            buffer.append(contentsOf: "# TYPE ".utf8)
            appendName(family.name, into: &buffer)
            buffer.append(.space)
            buffer.append(contentsOf: type.rawValue.utf8)
            buffer.append(.lineFeed)
        }
        if format == .openMetrics, let unit = family.unit {
            buffer.append(contentsOf: "# UNIT ".utf8)
            appendName(family.name, into: &buffer)
            buffer.append(.space)
            buffer.append(contentsOf: unit.utf8)
            buffer.append(.lineFeed)
        }
        for sample in family.samples { emit(sample, format: format, into: &buffer) }
    }

    /// Appends one sample line: name, labels, value and timestamp.
    public static func emit(_ sample: Sample, format: ExpositionFormat = .prometheus, into buffer: inout [UInt8]) {
        appendSeries(sample, into: &buffer)
        buffer.append(.space)
        appendValue(sample.value, into: &buffer)
        if let timestamp = sample.timestampMilliseconds {
            buffer.append(.space)
            switch format {
            case .prometheus: appendInteger(timestamp, into: &buffer)
            case .openMetrics: appendValue(Double(timestamp) / 1000, into: &buffer)
            }
        }
        buffer.append(.lineFeed)
    }

    /// `name{label="value",…}` for messages and logs.
    public static func seriesText(_ sample: Sample) -> String {
        var buffer: [UInt8] = []
        appendSeries(sample, into: &buffer)
        if buffer.count > 200 { buffer.replaceSubrange(200..., with: "…".utf8) }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// A value as Prometheus writes it: `NaN`, `+Inf`, `-Inf`, integers without a fraction, everything else
    /// in the shortest decimal that reads back to the same `Double`.
    public static func appendValue(_ value: Double, into buffer: inout [UInt8]) {
        if value.isNaN {
            buffer.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            buffer.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else if value == value.rounded(.towardZero) && abs(value) < 1e16 {
            if value == 0 && value.sign == .minus {
                buffer.append(contentsOf: "-0".utf8)
            } else {
                appendInteger(Int64(value), into: &buffer)
            }
        } else {
            // Swift's description is the shortest round-trip form ("0.1", "1e-05", "1.5e+20").
            buffer.append(contentsOf: value.description.utf8)
        }
    }

    private static func appendInteger(_ value: Int64, into buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var used = 0
        withUnsafeMutableBytes(of: &digits) { storage in
            repeat {
                storage[19 - used] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                used += 1
            } while magnitude > 0
            buffer.append(contentsOf: storage[(20 - used)...])
        }
    }

    private static func appendSeries(_ sample: Sample, into buffer: inout [UInt8]) {
        let legacyName = isLegacyMetricName(sample.name)
        if legacyName { buffer.append(contentsOf: sample.name.utf8) }
        guard !sample.labels.isEmpty || !legacyName else { return }
        buffer.append(.openBrace)
        var first = true
        if !legacyName {
            appendQuoted(sample.name, into: &buffer)
            first = false
        }
        for label in sample.labels {
            if !first { buffer.append(.comma) }
            first = false
            if isLegacyLabelName(label.name) {
                buffer.append(contentsOf: label.name.utf8)
            } else {
                appendQuoted(label.name, into: &buffer)
            }
            buffer.append(.equals)
            appendQuoted(label.value, into: &buffer)
        }
        buffer.append(.closeBrace)
    }

    private static func appendName(_ name: String, into buffer: inout [UInt8]) {
        if isLegacyMetricName(name) { buffer.append(contentsOf: name.utf8) } else { appendQuoted(name, into: &buffer) }
    }

    private static func appendQuoted(_ text: String, into buffer: inout [UInt8]) {
        buffer.append(.quote)
        appendEscaped(text, quotes: true, into: &buffer)
        buffer.append(.quote)
    }

    /// Escapes `\` and line feeds, and `"` inside quotes (HELP text keeps its quotes as they are).
    private static func appendEscaped(_ text: String, quotes: Bool, into buffer: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case .backslash: buffer.append(contentsOf: [.backslash, .backslash])
            case .lineFeed: buffer.append(contentsOf: [.backslash, .letterN])
            case .quote where quotes: buffer.append(contentsOf: [.backslash, .quote])
            default: buffer.append(byte)
            }
        }
    }

    private static func isLegacyMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first.isMetricNameStart else { return false }
        return name.utf8.allSatisfy(\.isMetricNameContinuation)
    }

    private static func isLegacyLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first.isLabelNameStart else { return false }
        return name.utf8.allSatisfy(\.isLabelNameContinuation)
    }
}

extension MetricType {
    /// The type Prometheus text 0.0.4 can declare: the OpenMetrics-only types become `untyped`.
    var prometheusType: MetricType {
        switch self {
        case .counter, .gauge, .histogram, .summary, .untyped: self
        case .info, .stateset, .gaugehistogram, .unknown: .untyped
        }
    }
}

extension MetricFamily {
    /// Appends this family to `buffer` as exposition text, as
    /// ``PromTextWriter/emit(_:format:into:)-(MetricFamily,_,_)`` does.
    public func emit(format: ExpositionFormat = .prometheus, into buffer: inout [UInt8]) {
        PromTextWriter.emit(self, format: format, into: &buffer)
    }
}

extension PromTextWriter {
    /// A value as ``appendValue(_:into:)`` writes it, as a `String` (for `le` and `quantile` label values).
    public static func valueText(_ value: Double) -> String {
        var buffer: [UInt8] = []
        appendValue(value, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
