/// Sample lines: name, label set, value, timestamp and exemplar.
extension PageScanner {
    mutating func readSample() throws(PromTextError) {
        let nameStart = position
        var name: String?
        var nameHash = ByteHash.seed
        if start[position] != .openBrace {
            (name, nameHash) = try readMetricName()
        }
        let nameBytes = UnsafeBufferPointer(start: start + nameStart, count: position - nameStart)
        if let name, !assembler.wants(name, nameBytes: nameBytes, interner: &interner) {
            // A family the caller filtered out: skip the line without reading labels or value.
            return try skipToLineEnd()
        }
        var quotedNameBytes: [UInt8]?
        labels = []
        labelsKey = 0
        if position < count && start[position] == .openBrace {
            labels.reserveCapacity(lastLabelCount)
            labelColumns.removeAll(keepingCapacity: true)
            let quotedName = try readLabels()
            if let quotedName {
                if name != nil {
                    throw error(
                        .invalidMetricName, at: nameStart,
                        "the metric name is given twice, before `{` and quoted inside it; keep one.")
                }
                name = quotedName
                let bytes = Array(quotedName.utf8)
                nameHash = bytes.withUnsafeBufferPointer { ByteHash.of($0) }
                quotedNameBytes = bytes
            }
        }
        guard let name else {
            throw error(
                .invalidMetricName, at: nameStart,
                "the sample has no metric name; write it before `{`, or quoted first inside the braces.")
        }
        let separator = position
        skipBlanks()
        if atLineEnd {
            if position >= count { throw truncated() }
            throw error(
                .missingValue,
                "the sample `\(name.prefix(80))` has no value; write one after a space, "
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
                try finishSample(
                    name: name, nameHash: nameHash, nameBytes: bytes, value: value, timestamp: timestamp,
                    line: line)
            }
        } else {
            try finishSample(
                name: name, nameHash: nameHash, nameBytes: nameBytes, value: value, timestamp: timestamp,
                line: line)
        }
    }

    mutating func finishSample(
        name: String, nameHash: UInt64, nameBytes: UnsafeBufferPointer<UInt8>, value: Double, timestamp: Int64?,
        line: Int
    ) throws(PromTextError) {
        // Names quoted inside braces are known only now; unwanted ones were read but are not kept.
        guard assembler.wants(name, nameBytes: nameBytes, interner: &interner) else { return }
        guard assembler.sampleCount < limits.maxSamples else {
            throw PromTextError(
                .limitExceeded, line: line, column: 1,
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
        let sample = Sample(
            name: name, labels: Labels(sortedUniquePairs: labels), value: value,
            timestampMilliseconds: timestamp)
        try assembler.add(sample, nameBytes: nameBytes, seriesKey: key, line: line, interner: &interner)
    }

    /// Insertion sort, moving the column along: label sets are short and usually already sorted, so this is
    /// one pass of comparisons.
    mutating func sortLabels() {
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
    mutating func readLabels() throws(PromTextError) -> String? {
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
                        throw error(
                            .invalidMetricName, at: labelStart,
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
                throw error(
                    .unterminatedQuote, at: braceStart,
                    "the label set opened here has no closing `}`; close it before the value.")
            } else {
                throw error(
                    .invalidLabelName,
                    "unexpected \(describe(position)) where a label name should start; label names match "
                        + "[a-zA-Z_][a-zA-Z0-9_]* or are quoted.")
            }
            skipBlanks()
            guard position < count else { throw truncated() }
            guard start[position] == .equals else {
                throw error(
                    .unexpectedCharacter,
                    "expected `=` after label name `\(labelName.prefix(80))`, found \(describe(position)); "
                        + "write \(labelName.prefix(80))=\"value\".")
            }
            position += 1
            skipBlanks()
            guard position < count else { throw truncated() }
            guard start[position] == .quote else {
                throw error(
                    .unexpectedCharacter,
                    "the value of label `\(labelName.prefix(80))` must be in double quotes, found "
                        + "\(describe(position)); write \(labelName.prefix(80))=\"value\".")
            }
            let (value, valueHash) = try readLabelValue()
            guard labels.count < limits.maxLabelsPerSeries else {
                throw error(
                    .limitExceeded, at: labelStart,
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
                throw error(
                    .unexpectedCharacter,
                    "expected `,` or `}` after the value of label `\(labelName.prefix(80))`, found "
                        + "\(describe(position)).")
            }
        }
    }

    /// Reads a quoted label value at `position` (on its opening quote); returns it unescaped and the hash of its
    /// escaped bytes (the escaped form is canonical, so equal values hash equal).
    mutating func readLabelValue() throws(PromTextError) -> (String, UInt64) {
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
                    throw error(
                        .invalidEscape, at: position,
                        "invalid escape `\\\(describeByte(position + 1))` in label value; only \\\\, \\\" and \\n "
                            + "are allowed.")
                }
                escaped = true
                position += 2
                continue
            }
            if byte == .lineFeed {
                throw error(
                    .unterminatedQuote, at: quote,
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
                value = String(
                    validating: UnsafeBufferPointer(start: start + valueStart, count: valueCount),
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
    func labelValueTooLong(_ quote: Int) -> PromTextError {
        var end = quote + 1
        while end < count && start[end] != .quote && start[end] != .lineFeed {
            end += start[end] == .backslash ? 2 : 1
        }
        let length = min(end, count) - quote - 1
        return error(
            .limitExceeded, at: quote,
            "the label value is \(length) bytes long, more than the limit of \(limits.maxLabelValueBytes); "
                + "shorten it or raise Limits.maxLabelValueBytes.")
    }

    /// Values up to this many bytes go through the interner: `le` bounds, model names, status codes.
    static let internedValueBytes = 64

    mutating func readValue() throws(PromTextError) -> Double {
        let valueStart = position
        while !atLineEnd && !start[position].isBlank { position += 1 }
        guard let value = FloatParsing.double(start + valueStart, count: position - valueStart) else {
            if position >= count { throw truncated() }
            throw error(
                .invalidValue, at: valueStart,
                "`\(token(valueStart))` is not a sample value; write a number such as 1, 0.25 or 1e-3, or NaN, "
                    + "+Inf, -Inf.")
        }
        return value
    }

    mutating func readTimestamp() throws(PromTextError) -> Int64 {
        let timestampStart = position
        while !atLineEnd && !start[position].isBlank { position += 1 }
        let length = position - timestampStart
        if position >= count { throw truncated() }
        switch format {
        case .prometheus:
            if let milliseconds = FloatParsing.int64(start + timestampStart, count: length) { return milliseconds }
            throw error(
                .invalidTimestamp, at: timestampStart,
                "`\(token(timestampStart))` is not a timestamp; Prometheus text wants integer milliseconds since "
                    + "1970, such as 1700000000000.")
        case .openMetrics:
            if let seconds = FloatParsing.double(start + timestampStart, count: length), seconds.isFinite,
                abs(seconds) < 9.2e15
            {
                return Int64((seconds * 1000).rounded())
            }
            throw error(
                .invalidTimestamp, at: timestampStart,
                "`\(token(timestampStart))` is not a timestamp; OpenMetrics wants seconds since 1970, such as "
                    + "1700000000.125.")
        }
    }

    // MARK: Names

    /// Reads a metric name matching `[a-zA-Z_:][a-zA-Z0-9_:]*`; returns it and its hash.
    mutating func readMetricName() throws(PromTextError) -> (String, UInt64) {
        let nameStart = position
        guard position < count, start[position].isMetricNameStart else {
            throw error(
                .invalidMetricName,
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
    mutating func readQuotedName() throws(PromTextError) -> String {
        let quote = position
        let (name, _) = try readLabelValue()
        guard !name.isEmpty else {
            throw error(.invalidMetricName, at: quote, "a quoted name is empty; write the name between the quotes.")
        }
        return name
    }

    func unexpectedInName(expected: String) -> PromTextError {
        if position >= count { return truncated() }
        return error(
            .unexpectedCharacter,
            "unexpected \(describe(position)) after the name, where \(expected) should be; names use only "
                + "letters, digits, `_` and `:` unless quoted.")
    }
}
