import PromText
import Testing

/// Every kind of bad page: the error's kind, line, column and the words that tell the reader what to do.
struct PromTextErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var page: [UInt8]
        var format: ExpositionFormat = .prometheus
        var kind: PromTextError.Kind
        var line: Int
        var column: Int
        var says: String
        var relatedLine: Int?
        var testDescription: String { name }

        init(
            _ name: String, _ page: String, format: ExpositionFormat = .prometheus, _ kind: PromTextError.Kind,
            line: Int, column: Int, says: String, relatedLine: Int? = nil
        ) {
            self.init(
                name, bytes: Array(page.utf8), format: format, kind, line: line, column: column, says: says,
                relatedLine: relatedLine)
        }

        init(
            _ name: String, bytes: [UInt8], format: ExpositionFormat = .prometheus, _ kind: PromTextError.Kind,
            line: Int, column: Int, says: String, relatedLine: Int? = nil
        ) {
            self.name = name
            self.page = bytes
            self.format = format
            self.kind = kind
            self.line = line
            self.column = column
            self.says = says
            self.relatedLine = relatedLine
        }
    }

    static let cases: [Case] = [
        Case(
            "invalid label escape", "ok 1\nm{a=\"x\\qy\"} 1\n", .invalidEscape, line: 2, column: 7,
            says: "invalid escape `\\q` in label value; only \\\\, \\\" and \\n are allowed."),
        Case(
            "invalid HELP escape", "# HELP m a\\tb\n", .invalidEscape, line: 1, column: 11,
            says: "invalid escape `\\t` in HELP text; only \\\\ and \\n are allowed."),
        Case(
            "truncated inside a label value", "a 1\nb{x=\"abc", .truncated, line: 2, column: 9,
            says: "the page ends in the middle of line 2, without a line feed; it was probably cut off"),
        Case("truncated after the value", "a 1\nb 2", .truncated, line: 2, column: 4, says: "cut off"),
        Case("truncated inside a name", "a 1\nvllm:num_req", .truncated, line: 2, column: 13, says: "cut off"),
        Case("truncated inside HELP", "# HELP m Some te", .truncated, line: 1, column: 17, says: "cut off"),
        Case("truncated inside an exponent", "m 1.5e", .truncated, line: 1, column: 7, says: "cut off"),
        Case(
            "unterminated quote", "m{a=\"b} 1\n", .unterminatedQuote, line: 1, column: 5,
            says: "has no closing quote before the end of the line; add `\"`."),
        Case("label set not closed", "m{a=\"b\",\n", .unterminatedQuote, line: 1, column: 2, says: "no closing `}`"),
        Case(
            "missing value after labels", "m{a=\"b\"}\n", .missingValue, line: 1, column: 9,
            says: "the sample `m` has no value; write one after a space, such as `m 1`."),
        Case("missing value after blanks", "m  \n", .missingValue, line: 1, column: 4, says: "has no value"),
        Case(
            "bad float", "m 1.2.3\n", .invalidValue, line: 1, column: 3,
            says: "`1.2.3` is not a sample value; write a number such as 1, 0.25 or 1e-3, or NaN, +Inf, -Inf."),
        Case("hex float", "m 0x1p3\n", .invalidValue, line: 1, column: 3, says: "`0x1p3` is not a sample value"),
        Case(
            "bad timestamp", "m 1 12x\n", .invalidTimestamp, line: 1, column: 5,
            says: "`12x` is not a timestamp; Prometheus text wants integer milliseconds"),
        Case(
            "float timestamp in Prometheus text", "m 1 1.5\n", .invalidTimestamp, line: 1, column: 5,
            says: "integer milliseconds"),
        Case(
            "timestamp beyond Int64", "m 1 99999999999999999999\n", .invalidTimestamp, line: 1, column: 5,
            says: "not a timestamp"),
        Case(
            "bad OpenMetrics timestamp", "m 1 soon\n# EOF\n", format: .openMetrics, .invalidTimestamp, line: 1,
            column: 5, says: "OpenMetrics wants seconds since 1970"),
        Case(
            "invalid UTF-8 in a label value", bytes: Array("m{a=\"ok".utf8) + [0xFF] + Array("\"} 1\n".utf8),
            .invalidUTF8, line: 1, column: 8, says: "byte 0xFF is not valid UTF-8 in this label value"),
        Case(
            "invalid UTF-8 in an escaped label value", bytes: Array("m{a=\"\\n".utf8) + [0xC3] + Array("\"} 1\n".utf8),
            .invalidUTF8, line: 1, column: 8, says: "is not valid UTF-8"),
        Case(
            "invalid UTF-8 in HELP", bytes: Array("# HELP m ab".utf8) + [0xE2, 0x28] + [0x0A], .invalidUTF8,
            line: 1, column: 12, says: "byte 0xE2 is not valid UTF-8 in this HELP text"),
        Case(
            "garbage bytes", bytes: [0x00, 0x01, 0x02, 0x0A], .invalidMetricName, line: 1, column: 1,
            says: "unexpected byte 0x0 where a metric name should start"),
        Case(
            "duplicate series", "m{a=\"1\"} 1\nn 2\nm{a=\"1\"} 3\n", .duplicateSeries, line: 3, column: 1,
            says: "series m{a=\"1\"} is listed twice, on line 1 and again here", relatedLine: 1),
        Case(
            "duplicate series with labels in another order", "m{a=\"1\",b=\"2\"} 1\nm{b=\"2\",a=\"1\"} 1\n",
            .duplicateSeries, line: 2, column: 1, says: "listed twice", relatedLine: 1),
        Case(
            "duplicate unlabelled series", "# TYPE m gauge\nm 1\nm 1\n", .duplicateSeries, line: 3, column: 1,
            says: "series m is listed twice, on line 2", relatedLine: 2),
        Case(
            "duplicate label name", "m{a=\"1\",a=\"2\"} 1\n", .duplicateLabel, line: 1, column: 9,
            says: "label `a` appears twice in this series; keep one."),
        Case(
            "unknown TYPE", "# TYPE m countr\n", .invalidType, line: 1, column: 10,
            says: "unknown metric type `countr`; write one of counter, gauge, histogram, summary, untyped"),
        Case(
            "second TYPE", "# TYPE m gauge\n# TYPE m gauge\n", .misplacedMetadata, line: 2, column: 1,
            says: "second # TYPE for `m` (the first is on line 1); keep one.", relatedLine: 1),
        Case(
            "second HELP", "# HELP m a\n# HELP m b\n", .misplacedMetadata, line: 2, column: 1,
            says: "second # HELP", relatedLine: 1),
        Case(
            "TYPE after samples", "m 1\n# TYPE m gauge\n", .misplacedMetadata, line: 2, column: 1,
            says: "# TYPE for `m` comes after its first sample on line 1; move the # TYPE line above the samples.",
            relatedLine: 1),
        Case(
            "bucket without le", "# TYPE h histogram\nh_bucket 1\n", .missingLabel, line: 2, column: 1,
            says: "histogram bucket `h_bucket` has no `le` label"),
        Case(
            "summary sample without quantile", "# TYPE s summary\ns 1\n", .missingLabel, line: 2, column: 1,
            says: "has no `quantile` label"),
        Case(
            "text after EOF", "m 1\n# EOF\nn 2\n", format: .openMetrics, .textAfterEOF, line: 3, column: 1,
            says: "text after `# EOF`"),
        Case(
            "missing EOF", "m 1\n", format: .openMetrics, .missingEOF, line: 2, column: 1,
            says: "ends without `# EOF`; it was probably cut off"),
        Case("empty OpenMetrics page", "", format: .openMetrics, .missingEOF, line: 1, column: 1, says: "empty"),
        Case(
            "extra token after the timestamp", "m 1 2 3\n", .unexpectedCharacter, line: 1, column: 7,
            says: "unexpected `3` where the line should end"),
        Case(
            "no = after label name", "m{a\"1\"} 1\n", .unexpectedCharacter, line: 1, column: 4,
            says: "expected `=` after label name `a`, found `\"`; write a=\"value\"."),
        Case(
            "unquoted label value", "m{a=1} 1\n", .unexpectedCharacter, line: 1, column: 5,
            says: "the value of label `a` must be in double quotes"),
        Case(
            "missing comma between labels", "m{a=\"1\" b=\"2\"} 1\n", .unexpectedCharacter, line: 1, column: 9,
            says: "expected `,` or `}` after the value of label `a`, found `b`."),
        Case(
            "label name starting with a digit", "m{1a=\"x\"} 1\n", .invalidLabelName, line: 1, column: 3,
            says: "unexpected `1` where a label name should start"),
        Case(
            "no blank before the value", "m{a=\"1\"}1\n", .unexpectedCharacter, line: 1, column: 9,
            says: "unexpected `1` after the name, where a blank before the value should be"),
        Case(
            "dot in an unquoted name", "my.metric 1\n", .unexpectedCharacter, line: 1, column: 3,
            says: "unless quoted"),
        Case(
            "labels without a name", "{a=\"b\"} 1\n", .invalidMetricName, line: 1, column: 1,
            says: "the sample has no metric name"),
        Case("two names", "m{\"n\"} 1\n", .invalidMetricName, line: 1, column: 1, says: "given twice"),
        Case("empty quoted name", "{\"\"} 1\n", .invalidMetricName, line: 1, column: 2, says: "quoted name is empty"),
        Case(
            "HELP without a name", "# HELP\n", .invalidMetricName, line: 1, column: 7,
            says: "# HELP needs a metric name"),
    ]

    @Test(arguments: cases)
    func reportsWhereAndWhat(_ testCase: Case) {
        do {
            let families = try PromTextParser.parse(testCase.page, format: testCase.format)
            Issue.record("expected \(testCase.kind) but the page parsed to \(families)")
        } catch {
            #expect(error.kind == testCase.kind, "\(error)")
            #expect(error.line == testCase.line, "\(error)")
            #expect(error.column == testCase.column, "\(error)")
            #expect(error.message.contains(testCase.says), "\(error)")
            #expect(error.relatedLine == testCase.relatedLine, "\(error)")
            #expect(error.description == "line \(error.line), column \(error.column): \(error.message)")
        }
    }

    @Test func descriptionIsOneSentenceLedByThePosition() {
        #expect(throws: PromTextError.self) { try PromTextParser.parse("m 1\nm{a=\"x\\qy\"} 1\n") }
        do {
            _ = try PromTextParser.parse("m 1\n\n\n\n\n\n\n\n\n\n\nvllm:num_requests_running{model=\"a\\qb\"} 1\n")
        } catch {
            #expect(
                error.description
                    == "line 12, column 35: invalid escape `\\q` in label value; only \\\\, \\\" and \\n are allowed.")
        }
    }

    @Test func everyKindIsCovered() {
        let covered = Set(Self.cases.map(\.kind)).union([.limitExceeded])
        #expect(covered == Set(PromTextError.Kind.allCases))
    }
}
