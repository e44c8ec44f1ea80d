/// Reads one exposition page from raw bytes, line by line, with no `String` per line: only names and label values
/// become `String`s, through ``StringInterner`` so that repeated ones are shared.
///
/// Every method leaves `position` on the first byte it did not consume. A line ends at `\n`, optionally led by
/// `\r`; reaching the end of the bytes anywhere else means the page was cut off.
struct PageScanner: ~Copyable {
    let start: UnsafePointer<UInt8>
    let count: Int
    let limits: PromTextParser.Limits
    let format: ExpositionFormat
    var position = 0
    var lineNumber = 1
    var lineStart = 0
    var interner: StringInterner
    var assembler: FamilyAssembler
    var unescaped: [UInt8] = []
    /// Labels of the sample being read; handed to the sample as its storage, so sized from the last sample.
    var labels: [Label] = []
    var labelColumns: [Int] = []
    /// Order-independent sum of the label hashes of the sample being read.
    var labelsKey: UInt64 = 0
    var lastLabelCount = 0
    var sawEOF = false

    init(
        _ start: UnsafePointer<UInt8>, count: Int, limits: PromTextParser.Limits, format: ExpositionFormat,
        families wanted: Set<String>?
    ) {
        self.start = start
        self.count = count
        self.limits = limits
        self.format = format
        self.assembler = FamilyAssembler(pageBytes: count, wanted: wanted)
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

    mutating func readLine() throws(PromTextError) {
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
    mutating func endLine() throws(PromTextError) {
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

    func lineTooLong() -> PromTextError {
        // At the line feed the length is known; inside the line, reading on to measure it is what the limit avoids.
        let atEnd = position < count && start[position] == .lineFeed
        let length =
            atEnd
            ? "\(position - lineStart) bytes long, more than the limit of \(limits.maxLineBytes)"
            : "more than \(limits.maxLineBytes) bytes long"
        return PromTextError(
            .limitExceeded, line: lineNumber, column: 1,
            message: "the line is \(length); shorten it or raise Limits.maxLineBytes.")
    }

    var atLineEnd: Bool {
        position >= count || start[position] == .lineFeed
            || (start[position] == .carriageReturn && position + 1 < count && start[position + 1] == .lineFeed)
    }

    mutating func skipToLineEnd() throws(PromTextError) {
        while position < count && start[position] != .lineFeed {
            if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
            position += 1
        }
        try endLine()
    }

    /// Moves past a token (up to a blank or the line end), stopping at the line limit: TYPE and UNIT tokens
    /// become `String`s, which must not grow with a hostile line.
    mutating func skipToken() throws(PromTextError) {
        while !atLineEnd && !start[position].isBlank {
            if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
            position += 1
        }
    }

    // MARK: Comments and metadata

    mutating func readComment() throws(PromTextError) {
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
            throw error(
                .invalidMetricName,
                "# \(kind.keyword) needs a metric name, such as `# \(kind.keyword) "
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
            try skipToken()
            let token = String(
                decoding: UnsafeBufferPointer(start: start + typeStart, count: position - typeStart),
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
            try skipToken()
            metadata = .unit(
                String(
                    decoding: UnsafeBufferPointer(start: start + unitStart, count: position - unitStart),
                    as: UTF8.self))
        }
        try endLine()
        try assembler.record(metadata, name: name, line: lineNumber)
    }

    /// HELP text up to the end of the line, with `\\` and `\n` unescaped; bytes are copied only once an escape
    /// shows up, and the line limit is checked as it goes so a huge line stops early.
    mutating func readHelpText() throws(PromTextError) -> String {
        let textStart = position
        unescaped.removeAll(keepingCapacity: true)
        var escaped = false
        while position < count && start[position] != .lineFeed {
            if position - lineStart > limits.maxLineBytes { throw lineTooLong() }
            if start[position] == .backslash {
                guard position + 1 < count else { throw truncated() }
                if !escaped {
                    escaped = true
                    unescaped.append(
                        contentsOf: UnsafeBufferPointer(start: start + textStart, count: position - textStart))
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
        let text =
            escaped
            ? String(validating: unescaped, as: UTF8.self)
            : String(validating: UnsafeBufferPointer(start: start + textStart, count: end - textStart), as: UTF8.self)
        guard let text else { throw invalidUTF8(textStart, end, what: "HELP text") }
        return text
    }
}
