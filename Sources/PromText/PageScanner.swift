/// Reads one exposition page from raw bytes, line by line, with no `String` per line: only names and label values
/// become `String`s, through ``StringInterner`` so that repeated ones are shared.
///
/// Every method leaves `position` on the first byte it did not consume. A line ends at `\n`, optionally led by
/// `\r`; reaching the end of the bytes anywhere else means the page was cut off.
struct PageScanner: ~Copyable {
    private let start: UnsafePointer<UInt8>
    private let count: Int
    private let limits: PromTextParser.Limits
    private let format: ExpositionFormat
    private var position = 0
    private var lineNumber = 1
    private var lineStart = 0
    private var interner: StringInterner
    private var assembler: FamilyAssembler
    private var unescaped: [UInt8] = []
    /// Labels of the sample being read; handed to the sample as its storage, so sized from the last sample.
    private var labels: [Label] = []
    private var labelColumns: [Int] = []
    /// Order-independent sum of the label hashes of the sample being read.
    private var labelsKey: UInt64 = 0
    private var lastLabelCount = 0
    private var sawEOF = false

    init(_ start: UnsafePointer<UInt8>, count: Int, limits: PromTextParser.Limits, format: ExpositionFormat) {
        self.start = start
        self.count = count
        self.limits = limits
        self.format = format
        self.assembler = FamilyAssembler(pageBytes: count)
        self.interner = StringInterner(pageBytes: count)
    }

    /// Reads the whole page.
    mutating func families() throws(PromTextError) -> [MetricFamily] {
        while position < count {
            lineStart = position
            if sawEOF {
                throw error(
                    .textAfterEOF,
                    "text after `# EOF`; an OpenMetrics page ends with `# EOF`, so remove what follows it.")
            }
            try readLine()
            lineNumber += 1
        }
        if format == .openMetrics && !sawEOF {
            lineStart = position
            throw error(
                .missingEOF,
                "the OpenMetrics page ends without `# EOF`; it was probably cut off (or is Prometheus text: "
                    + "read it as such).")
        }
        return assembler.families()
    }

    // MARK: Lines

    private mutating func readLine() throws(PromTextError) {
        skipBlanks()
        guard position < count else { throw truncated() }
        let byte = start[position]
        if byte == .lineFeed || (byte == .carriageReturn && position + 1 < count && start[position + 1] == .lineFeed) {
            try endLine()
        } else if byte == .hash {
            try readComment()
        } else {
            try readSample()
        }
    }

    /// Consumes the end of the line: optional blanks, optional `\r`, then `\n`; checks the line length.
    private mutating func endLine() throws(PromTextError) {
        skipBlanks()
        guard position < count else { throw truncated() }
        if start[position] == .carriageReturn && position + 1 < count && start[position + 1] == .lineFeed {
            position += 1
        }
        guard start[position] == .lineFeed else {
            throw error(
                .unexpectedCharacter,
                "unexpected \(describe(position)) where the line should end; remove it or start a new line.")
        }
        if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
        position += 1
    }

    private func lineTooLong() -> PromTextError {
        // At the line feed the length is known; inside the line, reading on to measure it is what the limit avoids.
        let atEnd = position < count && start[position] == .lineFeed
        let length = atEnd ? "\(position - lineStart) bytes long, more than the limit of \(limits.maxLineBytes)"
            : "more than \(limits.maxLineBytes) bytes long"
        return PromTextError(
            .limitExceeded, line: lineNumber, column: 1,
            message: "the line is \(length); shorten it or raise Limits.maxLineBytes.")
    }

    private var atLineEnd: Bool {
        position >= count || start[position] == .lineFeed
            || (start[position] == .carriageReturn && position + 1 < count && start[position + 1] == .lineFeed)
    }

    private mutating func skipToLineEnd() throws(PromTextError) {
        while position < count && start[position] != .lineFeed {
            if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
            position += 1
        }
        try endLine()
    }

    // MARK: Comments and metadata

    private mutating func readComment() throws(PromTextError) {
        position += 1
        skipBlanks()
        let keywordStart = position
        while position < count, start[position].isLetter { position += 1 }
        let keyword = UnsafeBufferPointer(start: start + keywordStart, count: position - keywordStart)
        let followedByBlankOrEnd = atLineEnd || start[position].isBlank
        guard followedByBlankOrEnd else { return try skipToLineEnd() }
        if keyword.elementsEqual("HELP".utf8) {
            try readMetadata(.help)
        } else if keyword.elementsEqual("TYPE".utf8) {
            try readMetadata(.type)
        } else if keyword.elementsEqual("UNIT".utf8) {
            try readMetadata(.unit)
        } else if keyword.elementsEqual("EOF".utf8), format == .openMetrics {
            skipBlanks()
            guard atLineEnd else {
                throw error(.textAfterEOF, "text after `# EOF` on the same line; `# EOF` stands alone.")
            }
            sawEOF = true
            // OpenMetrics makes the final line feed optional.
            if position < count { try endLine() }
        } else {
            try skipToLineEnd()
        }
    }

    private enum MetadataKind {
        case help, type, unit

        var keyword: String {
            switch self {
            case .help: "HELP"
            case .type: "TYPE"
            case .unit: "UNIT"
            }
        }

        var example: String {
            switch self {
            case .help: "Requests served."
            case .type: "counter"
            case .unit: "seconds"
            }
        }
    }

    private mutating func readMetadata(_ kind: MetadataKind) throws(PromTextError) {
        skipBlanks()
        guard !atLineEnd else {
            if position >= count { throw truncated() }
            throw error(.invalidMetricName, "# \(kind.keyword) needs a metric name, such as `# \(kind.keyword) "
                + "http_requests_total \(kind.example)`.")
        }
        let name: String
        if start[position] == .quote {
            name = try readQuotedName()
        } else {
            (name, _) = try readMetricName()
        }
        let metadata: FamilyAssembler.Metadata
        switch kind {
        case .help:
            guard atLineEnd || start[position].isBlank else { throw unexpectedInName(expected: "a blank") }
            skipBlanks()
            metadata = .help(try readHelpText())
        case .type:
            skipBlanks()
            let typeStart = position
            while !atLineEnd && !start[position].isBlank { position += 1 }
            let token = String(decoding: UnsafeBufferPointer(start: start + typeStart, count: position - typeStart),
                as: UTF8.self)
            guard let type = MetricType(rawValue: token) else {
                if position >= count { throw truncated() }
                let allowed = MetricType.allCases.map(\.rawValue).joined(separator: ", ")
                throw PromTextError(
                    .invalidType, line: lineNumber, column: typeStart - lineStart + 1,
                    message: "unknown metric type `\(token.prefix(40))`; write one of \(allowed) (lowercase).")
            }
            metadata = .type(type)
        case .unit:
            skipBlanks()
            let unitStart = position
            while !atLineEnd && !start[position].isBlank { position += 1 }
            metadata = .unit(String(decoding: UnsafeBufferPointer(start: start + unitStart, count: position - unitStart),
                as: UTF8.self))
        }
        try endLine()
        try assembler.record(metadata, name: name, line: lineNumber)
    }

    /// HELP text up to the end of the line, with `\\` and `\n` unescaped; bytes are copied only once an escape
    /// shows up, and the line limit is checked as it goes so a huge line stops early.
    private mutating func readHelpText() throws(PromTextError) -> String {
        let textStart = position
        unescaped.removeAll(keepingCapacity: true)
        var escaped = false
        while position < count && start[position] != .lineFeed {
            if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
            if start[position] == .backslash {
                guard position + 1 < count else { throw truncated() }
                if !escaped {
                    escaped = true
                    unescaped.append(contentsOf: UnsafeBufferPointer(start: start + textStart, count: position - textStart))
                }
                switch start[position + 1] {
                case .backslash: unescaped.append(.backslash)
                case .letterN: unescaped.append(.lineFeed)
                default:
                    throw error(
                        .invalidEscape, at: position,
                        "invalid escape `\\\(describeByte(position + 1))` in HELP text; only \\\\ and \\n are allowed.")
                }
                position += 2
            } else {
                if escaped { unescaped.append(start[position]) }
                position += 1
            }
        }
        if position >= count { throw truncated() }
        var end = position
        // A CRLF line end leaves a `\r` that is not part of the text (an escape never ends in one).
        if end > textStart && start[end - 1] == .carriageReturn {
            end -= 1
            if escaped { unescaped.removeLast() }
        }
        let text = escaped ? String(validating: unescaped, as: UTF8.self)
            : String(validating: UnsafeBufferPointer(start: start + textStart, count: end - textStart), as: UTF8.self)
        guard let text else { throw invalidUTF8(textStart, end, what: "HELP text") }
        return text
    }

    // MARK: Samples

    private mutating func readSample() throws(PromTextError) {
        let nameStart = position
        var name: String?
        var nameHash = ByteHash.seed
        if start[position] != .openBrace {
            (name, nameHash) = try readMetricName()
        }
        let nameBytes = UnsafeBufferPointer(start: start + nameStart, count: position - nameStart)
        var quotedNameBytes: [UInt8]?
        labels = []
        labelsKey = 0
        if position < count && start[position] == .openBrace {
            labels.reserveCapacity(lastLabelCount)
            labelColumns.removeAll(keepingCapacity: true)
            let quotedName = try readLabels()
            if let quotedName {
                if name != nil {
                    throw error(.invalidMetricName, at: nameStart,
                        "the metric name is given twice, before `{` and quoted inside it; keep one.")
                }
                name = quotedName
                let bytes = Array(quotedName.utf8)
                nameHash = bytes.withUnsafeBufferPointer { ByteHash.of($0) }
                quotedNameBytes = bytes
            }
        }
        guard let name else {
            throw error(.invalidMetricName, at: nameStart,
                "the sample has no metric name; write it before `{`, or quoted first inside the braces.")
        }
        let separator = position
        skipBlanks()
        if atLineEnd {
            if position >= count { throw truncated() }
            throw error(.missingValue, "the sample `\(name.prefix(80))` has no value; write one after a space, "
                + "such as `\(name.prefix(80)) 1`.")
        }
        if position == separator {
            throw unexpectedInName(expected: "a blank before the value")
        }
        let value = try readValue()
        var timestamp: Int64?
        skipBlanks()
        if !atLineEnd && start[position] != .hash {
            timestamp = try readTimestamp()
            skipBlanks()
        }
        if !atLineEnd && start[position] == .hash {
            // An exemplar (` # {trace_id="…"} 1.0 1700000000`): Ballast does not use them, so skip it whole.
            while position < count && start[position] != .lineFeed {
                if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
                position += 1
            }
        }
        let line = lineNumber
        try endLine()
        if let quotedNameBytes {
            try quotedNameBytes.withUnsafeBufferPointer { (bytes) throws(PromTextError) in
                try finishSample(name: name, nameHash: nameHash, nameBytes: bytes, value: value, timestamp: timestamp,
                    line: line)
            }
        } else {
            try finishSample(name: name, nameHash: nameHash, nameBytes: nameBytes, value: value, timestamp: timestamp,
                line: line)
        }
    }

    private mutating func finishSample(
        name: String, nameHash: UInt64, nameBytes: UnsafeBufferPointer<UInt8>, value: Double, timestamp: Int64?,
        line: Int
    ) throws(PromTextError) {
        guard assembler.sampleCount < limits.maxSamples else {
            throw PromTextError(.limitExceeded, line: line, column: 1,
                message: "the page has more than \(limits.maxSamples) samples; split the target or raise "
                    + "Limits.maxSamples.")
        }
        let key = ByteHash.mix(nameHash) &+ labelsKey
        if labels.count > 1 {
            sortLabels()
            for index in 1..<labels.count where labels[index - 1].name == labels[index].name {
                throw PromTextError(
                    .duplicateLabel, line: line, column: labelColumns[index],
                    message: "label `\(labels[index].name)` appears twice in this series; keep one.")
            }
        }
        lastLabelCount = labels.count
        let sample = Sample(name: name, labels: Labels(sortedUniquePairs: labels), value: value,
            timestampMilliseconds: timestamp)
        try assembler.add(sample, nameBytes: nameBytes, seriesKey: key, line: line, interner: &interner)
    }

    /// Insertion sort, moving the column along: label sets are short and usually already sorted, so this is
    /// one pass of comparisons.
    private mutating func sortLabels() {
        for index in 1..<labels.count {
            var moving = index
            while moving > 0 && labels[moving].name < labels[moving - 1].name {
                labels.swapAt(moving, moving - 1)
                labelColumns.swapAt(moving, moving - 1)
                moving -= 1
            }
        }
    }

    /// Reads `{name="value", …}`; returns the metric name when it is quoted inside the braces.
    private mutating func readLabels() throws(PromTextError) -> String? {
        let braceStart = position
        position += 1
        var quotedName: String?
        while true {
            skipBlanks()
            guard position < count else { throw truncated() }
            let byte = start[position]
            if byte == .closeBrace {
                position += 1
                return quotedName
            }
            let labelStart = position
            var labelName: String
            var labelHash: UInt64
            if byte == .quote {
                labelName = try readQuotedName()
                labelHash = Array(labelName.utf8).withUnsafeBufferPointer { ByteHash.of($0) }
                skipBlanks()
                guard position < count else { throw truncated() }
                if start[position] == .comma || start[position] == .closeBrace {
                    if quotedName != nil {
                        throw error(.invalidMetricName, at: labelStart,
                            "a second quoted metric name in one label set; quote only the metric name and write "
                                + "label names as name=\"value\".")
                    }
                    quotedName = labelName
                    if start[position] == .comma { position += 1 }
                    continue
                }
            } else if byte.isLabelNameStart {
                var hash = ByteHash.seed
                while position < count && start[position].isLabelNameContinuation {
                    hash = ByteHash.add(hash, start[position])
                    position += 1
                }
                labelHash = hash
                labelName = interner.string(start + labelStart, count: position - labelStart, hash: hash) ?? ""
            } else if byte == .lineFeed || byte == .carriageReturn {
                throw error(.unterminatedQuote, at: braceStart,
                    "the label set opened here has no closing `}`; close it before the value.")
            } else {
                throw error(.invalidLabelName,
                    "unexpected \(describe(position)) where a label name should start; label names match "
                        + "[a-zA-Z_][a-zA-Z0-9_]* or are quoted.")
            }
            skipBlanks()
            guard position < count else { throw truncated() }
            guard start[position] == .equals else {
                throw error(.unexpectedCharacter,
                    "expected `=` after label name `\(labelName.prefix(80))`, found \(describe(position)); "
                        + "write \(labelName.prefix(80))=\"value\".")
            }
            position += 1
            skipBlanks()
            guard position < count else { throw truncated() }
            guard start[position] == .quote else {
                throw error(.unexpectedCharacter,
                    "the value of label `\(labelName.prefix(80))` must be in double quotes, found "
                        + "\(describe(position)); write \(labelName.prefix(80))=\"value\".")
            }
            let (value, valueHash) = try readLabelValue()
            guard labels.count < limits.maxLabelsPerSeries else {
                throw error(.limitExceeded, at: labelStart,
                    "the series has more than \(limits.maxLabelsPerSeries) labels; drop some or raise "
                        + "Limits.maxLabelsPerSeries.")
            }
            labelsKey &+= ByteHash.mix(labelHash ^ ByteHash.mix(valueHash))
            labels.append(Label(labelName, value))
            labelColumns.append(labelStart - lineStart + 1)
            skipBlanks()
            guard position < count else { throw truncated() }
            if start[position] == .comma {
                position += 1
            } else if start[position] != .closeBrace {
                throw error(.unexpectedCharacter,
                    "expected `,` or `}` after the value of label `\(labelName.prefix(80))`, found "
                        + "\(describe(position)).")
            }
        }
    }

    /// Reads a quoted label value at `position` (on its opening quote); returns it unescaped and the hash of its
    /// escaped bytes (the escaped form is canonical, so equal values hash equal).
    private mutating func readLabelValue() throws(PromTextError) -> (String, UInt64) {
        let quote = position
        position += 1
        let valueStart = position
        var escaped = false
        while position < count {
            let byte = start[position]
            if byte == .quote { break }
            if byte == .backslash {
                guard position + 1 < count else { throw truncated() }
                let next = start[position + 1]
                guard next == .backslash || next == .quote || next == .letterN else {
                    throw error(.invalidEscape, at: position,
                        "invalid escape `\\\(describeByte(position + 1))` in label value; only \\\\, \\\" and \\n "
                            + "are allowed.")
                }
                escaped = true
                position += 2
                continue
            }
            if byte == .lineFeed {
                throw error(.unterminatedQuote, at: quote,
                    "the label value that starts here has no closing quote before the end of the line; add `\"`.")
            }
            position += 1
            if position - valueStart > limits.maxLabelValueBytes { throw labelValueTooLong(quote) }
        }
        guard position < count else { throw truncated() }
        let valueCount = position - valueStart
        position += 1
        guard valueCount <= limits.maxLabelValueBytes else { throw labelValueTooLong(quote) }
        let hash = ByteHash.of(start + valueStart, count: valueCount)
        if !escaped {
            let value: String?
            if valueCount <= Self.internedValueBytes {
                value = interner.string(start + valueStart, count: valueCount, hash: hash)
            } else {
                value = String(validating: UnsafeBufferPointer(start: start + valueStart, count: valueCount),
                    as: UTF8.self)
            }
            guard let value else { throw invalidUTF8(valueStart, valueStart + valueCount, what: "label value") }
            return (value, hash)
        }
        unescaped.removeAll(keepingCapacity: true)
        var index = valueStart
        let end = valueStart + valueCount
        while index < end {
            let byte = start[index]
            if byte == .backslash {
                let next = start[index + 1]
                unescaped.append(next == .letterN ? .lineFeed : next)
                index += 2
            } else {
                unescaped.append(byte)
                index += 1
            }
        }
        guard let value = String(validating: unescaped, as: UTF8.self) else {
            throw invalidUTF8(valueStart, end, what: "label value")
        }
        return (value, hash)
    }

    /// The error for a label value beyond the limit; it measures the value (up to the end of the line) so the
    /// message can say how long it is, which costs one scan of a value that is being rejected anyway.
    private func labelValueTooLong(_ quote: Int) -> PromTextError {
        var end = quote + 1
        while end < count && start[end] != .quote && start[end] != .lineFeed {
            end += start[end] == .backslash ? 2 : 1
        }
        let length = min(end, count) - quote - 1
        return error(.limitExceeded, at: quote,
            "the label value is \(length) bytes long, more than the limit of \(limits.maxLabelValueBytes); "
                + "shorten it or raise Limits.maxLabelValueBytes.")
    }

    /// Values up to this many bytes go through the interner: `le` bounds, model names, status codes.
    private static let internedValueBytes = 64

    private mutating func readValue() throws(PromTextError) -> Double {
        let valueStart = position
        while !atLineEnd && !start[position].isBlank { position += 1 }
        guard let value = FloatParsing.double(start + valueStart, count: position - valueStart) else {
            if position >= count { throw truncated() }
            throw error(.invalidValue, at: valueStart,
                "`\(token(valueStart))` is not a sample value; write a number such as 1, 0.25 or 1e-3, or NaN, "
                    + "+Inf, -Inf.")
        }
        return value
    }

    private mutating func readTimestamp() throws(PromTextError) -> Int64 {
        let timestampStart = position
        while !atLineEnd && !start[position].isBlank { position += 1 }
        let length = position - timestampStart
        if position >= count { throw truncated() }
        switch format {
        case .prometheus:
            if let milliseconds = FloatParsing.int64(start + timestampStart, count: length) { return milliseconds }
            throw error(.invalidTimestamp, at: timestampStart,
                "`\(token(timestampStart))` is not a timestamp; Prometheus text wants integer milliseconds since "
                    + "1970, such as 1700000000000.")
        case .openMetrics:
            if let seconds = FloatParsing.double(start + timestampStart, count: length), seconds.isFinite,
                abs(seconds) < 9.2e15
            {
                return Int64((seconds * 1000).rounded())
            }
            throw error(.invalidTimestamp, at: timestampStart,
                "`\(token(timestampStart))` is not a timestamp; OpenMetrics wants seconds since 1970, such as "
                    + "1700000000.125.")
        }
    }

    // MARK: Names

    /// Reads a metric name matching `[a-zA-Z_:][a-zA-Z0-9_:]*`; returns it and its hash.
    private mutating func readMetricName() throws(PromTextError) -> (String, UInt64) {
        let nameStart = position
        guard position < count, start[position].isMetricNameStart else {
            throw error(.invalidMetricName,
                "unexpected \(describe(position)) where a metric name should start; metric names match "
                    + "[a-zA-Z_:][a-zA-Z0-9_:]* or are quoted inside braces, as in {\"my.metric\"}.")
        }
        var hash = ByteHash.seed
        while position < count && start[position].isMetricNameContinuation {
            hash = ByteHash.add(hash, start[position])
            position += 1
        }
        let name = interner.string(start + nameStart, count: position - nameStart, hash: hash) ?? ""
        return (name, hash)
    }

    /// Reads a quoted UTF-8 name (`"my.metric"`), unescaped; it may not be empty.
    private mutating func readQuotedName() throws(PromTextError) -> String {
        let quote = position
        let (name, _) = try readLabelValue()
        guard !name.isEmpty else {
            throw error(.invalidMetricName, at: quote, "a quoted name is empty; write the name between the quotes.")
        }
        return name
    }

    private func unexpectedInName(expected: String) -> PromTextError {
        if position >= count { return truncated() }
        return error(.unexpectedCharacter,
            "unexpected \(describe(position)) after the name, where \(expected) should be; names use only "
                + "letters, digits, `_` and `:` unless quoted.")
    }

    // MARK: Bytes and errors

    private mutating func skipBlanks() {
        while position < count && start[position].isBlank { position += 1 }
    }

    private func error(_ kind: PromTextError.Kind, _ message: String) -> PromTextError {
        error(kind, at: position, message)
    }

    private func error(_ kind: PromTextError.Kind, at offset: Int, _ message: String) -> PromTextError {
        PromTextError(kind, line: lineNumber, column: offset - lineStart + 1, message: message)
    }

    private func truncated() -> PromTextError {
        error(.truncated,
            "the page ends in the middle of line \(lineNumber), without a line feed; it was probably cut off in "
                + "transit, so scrape it again.")
    }

    private func invalidUTF8(_ from: Int, _ end: Int, what: String) -> PromTextError {
        var offset = from
        let bytes = UnsafeBufferPointer(start: start + from, count: end - from)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
            case .emptyInput, .error:
                break decoding
            }
        }
        offset = from + consumed
        return error(.invalidUTF8, at: offset,
            "byte 0x\(String(start[min(offset, end - 1)], radix: 16, uppercase: true)) is not valid UTF-8 in this "
                + "\(what); pages must be UTF-8 encoded.")
    }

    /// The token at `offset` for an error message, at most 40 bytes.
    private func token(_ offset: Int) -> String {
        var end = offset
        while end < count && end - offset < 40 && !start[end].isBlank && start[end] != .lineFeed
            && start[end] != .carriageReturn
        {
            end += 1
        }
        return String(decoding: UnsafeBufferPointer(start: start + offset, count: end - offset), as: UTF8.self)
    }

    private func describe(_ offset: Int) -> String {
        guard offset < count else { return "the end of the page" }
        let byte = start[offset]
        switch byte {
        case .lineFeed: return "the end of the line"
        case 0x21...0x7E: return "`\(Character(Unicode.Scalar(byte)))`"
        default: return "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }
    }

    private func describeByte(_ offset: Int) -> String {
        guard offset < count else { return "" }
        let byte = start[offset]
        return (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte)))
            : "<0x\(String(byte, radix: 16, uppercase: true))>"
    }
}
