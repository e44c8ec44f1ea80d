import Testing

@testable import PromText

/// Hostile and broken pages: limits, cut-off pages, huge values, random bytes. None may crash.
struct PromTextRobustnessTests {
    @Test func oneMegabyteLabelValueIsRejectedByDefault() {
        let value = String(repeating: "x", count: 1 << 20)
        do {
            _ = try PromTextParser.parse("m{big=\"\(value)\"} 1\n")
            Issue.record("a 1 MiB label value parsed under the default 64 KiB limit")
        } catch {
            #expect(error.kind == .limitExceeded)
            #expect(error.line == 1 && error.column == 7)
            #expect(
                error.message == "the label value is 1048576 bytes long, more than the limit of 65536; "
                    + "shorten it or raise Limits.maxLabelValueBytes.")
        }
    }

    @Test func oneMegabyteLabelValueParsesUnderRaisedLimits() throws {
        // Escapes throughout, so the unescaping path is exercised at size too.
        let value = String(repeating: "ab\\\"", count: 1 << 18)
        let limits = PromTextParser.Limits(maxLineBytes: 4 << 20, maxLabelValueBytes: 2 << 20)
        let families = try PromTextParser.parse("m{big=\"\(value)\"} 1\n", limits: limits)
        #expect(families.first?.samples.first?.labels["big"]?.utf8.count == 3 << 18)
    }

    @Test func lineLongerThanTheLimit() {
        let help = String(repeating: "h", count: 300)
        do {
            _ = try PromTextParser.parse("m 1\nm{a=\"\(help)\"} 1\n", limits: .init(maxLineBytes: 256))
            Issue.record("a 309-byte line parsed under a 256-byte limit")
        } catch {
            #expect(error.kind == .limitExceeded)
            #expect(error.line == 2)
            #expect(error.message.contains("the line is 309 bytes long, more than the limit of 256"))
        }
    }

    @Test(arguments: ["# HELP m ", "# a comment ", "m{a=\"1\"} 1 # ", "# TYPE m ", "# UNIT m "])
    func hugeLineIsRejectedByTheLineLimit(_ prefix: String) {
        let page = "ok 1\n" + prefix + String(repeating: "y", count: 4 << 20) + "\n"
        do {
            _ = try PromTextParser.parse(page)
            Issue.record("a 4 MiB line parsed under the default 1 MiB line limit")
        } catch {
            #expect(error.kind == .limitExceeded)
            #expect(error.line == 2 && error.column == 1)
            #expect(
                error.message == "the line is more than 1048576 bytes long; shorten it or raise "
                    + "Limits.maxLineBytes.")
        }
    }

    @Test func tooManyLabels() {
        let labels = (0..<5).map { "l\($0)=\"v\"" }.joined(separator: ",")
        #expect {
            try PromTextParser.parse("m{\(labels)} 1\n", limits: .init(maxLabelsPerSeries: 4))
        } throws: { error in
            (error as? PromTextError).map { $0.kind == .limitExceeded && $0.column == 31 } ?? false
        }
    }

    @Test func tooManySamples() {
        #expect {
            try PromTextParser.parse("a 1\nb 2\nc 3\n", limits: .init(maxSamples: 2))
        } throws: { error in
            (error as? PromTextError).map { $0.kind == .limitExceeded && $0.line == 3 } ?? false
        }
    }

    /// Cut a real page at many places: a cut just after a line feed leaves a shorter valid page; any other cut
    /// is reported as truncated, never as something misleading and never as a crash.
    @Test func everyCutOfARealPageIsReportedAsTruncated() throws {
        let page = try PromTextFixtureTests.fixture("node-exporter", "prom")
        for cut in stride(from: 1, to: page.count, by: 3) {
            let prefix = page[..<cut]
            do {
                let families = try PromTextParser.parse(prefix)
                #expect(prefix.last == UInt8(ascii: "\n"), "cut at \(cut) parsed: \(families.count) families")
            } catch {
                #expect(error.kind == .truncated, "cut at \(cut): \(error)")
                #expect(prefix.last != UInt8(ascii: "\n"), "cut at \(cut): \(error)")
            }
        }
    }

    /// Random bytes, and random bytes spliced into a real page: every one parses or fails with an error.
    @Test func randomBytesNeverCrash() throws {
        var random = SplitMix(seed: 99)
        let page = try PromTextFixtureTests.fixture("vllm", "prom")
        var failures = 0
        for round in 0..<300 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = page
                for _ in 0..<4 {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            for format in ExpositionFormat.allCases {
                do {
                    _ = try PromTextParser.parse(bytes, format: format)
                } catch {
                    failures += 1
                    #expect(error.line >= 1 && error.column >= 1)
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(failures > 0)
    }

    /// Pages made of the grammar's own tokens reach deeper into the scanner than uniform random bytes do.
    @Test func grammarTokenSoupNeverCrashes() {
        let tokens = [
            "m", "_bucket", "{", "}", "\"", "\\", "\\n", "\\q", "=", ",", " ", "\t", "\n", "\r\n", "#",
            " HELP ", " TYPE ", " UNIT ", " EOF", "histogram", "counter", "le", "1", "-2.5e3", "NaN", "+Inf", "é",
            "\u{FFFD}", "{\"a.b\"", "# {", "1700000000",
        ]
        var random = SplitMix(seed: 7)
        var parsed = 0
        for _ in 0..<2_000 {
            var page = ""
            for _ in 0..<Int(random.next() % 40) { page += tokens[Int(random.next() % UInt64(tokens.count))] }
            for format in ExpositionFormat.allCases {
                do {
                    _ = try PromTextParser.parse(page, format: format)
                    parsed += 1
                } catch {
                    #expect(error.line >= 1 && error.column >= 1 && !error.message.isEmpty)
                }
            }
        }
        #expect(parsed > 0)
    }

    /// Far more distinct names and values than interner slots, in an order that keeps evicting them: every
    /// sample must still get its own bytes back.
    @Test func internerEvictionKeepsEveryStringRight() throws {
        let names = (0..<300).map { "metric_\($0)_total" }
        var page = ""
        for round in 0..<2 {
            for (index, name) in names.enumerated() {
                page += "\(name){value=\"v\(index * 7919 % 1000)-\(round)\",le=\"\(index % 13)\"} \(index)\n"
            }
        }
        let families = try PromTextParser.parse(page)
        #expect(families.map(\.name) == names)
        for (index, family) in families.enumerated() {
            #expect(
                family.samples.map { $0.labels["value"] } == ["v\(index * 7919 % 1000)-0", "v\(index * 7919 % 1000)-1"])
            #expect(family.samples.allSatisfy { $0.labels["le"] == String(index % 13) && $0.value == Double(index) })
        }
    }

    @Test func manySeriesWithEqualKeysStayDistinct() throws {
        // Many series with the same name and label names: exercises the duplicate-series table at size.
        let lines = (0..<20_000).map { "m{a=\"\($0)\",b=\"\($0 % 7)\"} \($0)\n" }.joined()
        let families = try PromTextParser.parse(lines)
        #expect(families.first?.samples.count == 20_000)
        #expect(families.first?.samples.last?.value == 19_999)
    }

    @Test func benchmarkPageIsDeterministicAndValid() throws {
        let page = BenchmarkPage.make(targetBytes: 200_000)
        #expect(page == BenchmarkPage.make(targetBytes: 200_000))
        #expect(page.count >= 200_000 && page.count < 300_000)
        let families = try PromTextParser.parse(page)
        #expect(families.contains { $0.name == "vllm:time_to_first_token_seconds" && $0.type == .histogram })
        #expect(families.reduce(0) { $0 + $1.samples.count } > 1_000)
    }
}
