import PromText
import Testing

/// Exact parses of small pages: every construct of the two formats, one table row each.
struct PromTextParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var page: String
        var format: ExpositionFormat = .prometheus
        var expected: [MetricFamily]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "gauge with HELP and TYPE",
            page: """
                # HELP ballast_queue_depth Requests waiting.
                # TYPE ballast_queue_depth gauge
                ballast_queue_depth{model="m",version="v1"} 3

                """,
            expected: [
                MetricFamily(
                    name: "ballast_queue_depth", type: .gauge, help: "Requests waiting.",
                    samples: [
                        Sample(name: "ballast_queue_depth", labels: ["model": "m", "version": "v1"], value: 3)
                    ])
            ]),
        Case(
            name: "HELP escapes",
            page: "# HELP m A \\\\ back\\nslash \"quoted\"\nm 1\n",
            expected: [
                MetricFamily(name: "m", help: "A \\ back\nslash \"quoted\"", samples: [Sample(name: "m", value: 1)])
            ]),
        Case(
            name: "label value escapes",
            page: "m{a=\"x\\\\y\\\"z\\nw\"} 1\n",
            expected: [MetricFamily(name: "m", samples: [Sample(name: "m", labels: ["a": "x\\y\"z\nw"], value: 1)])]),
        Case(
            name: "special values and timestamps",
            page: "a NaN\nb +Inf 1700000000000\nc -Inf -5\nd Inf\ne -0.5e-3\nf 1e400\n",
            expected: [
                MetricFamily(name: "a", samples: [Sample(name: "a", value: .nan)]),
                MetricFamily(
                    name: "b",
                    samples: [Sample(name: "b", value: .infinity, timestampMilliseconds: 1_700_000_000_000)]),
                MetricFamily(name: "c", samples: [Sample(name: "c", value: -.infinity, timestampMilliseconds: -5)]),
                MetricFamily(name: "d", samples: [Sample(name: "d", value: .infinity)]),
                MetricFamily(name: "e", samples: [Sample(name: "e", value: -0.0005)]),
                MetricFamily(name: "f", samples: [Sample(name: "f", value: .infinity)]),
            ]),
        Case(
            name: "trailing comma, blanks and tabs in the label set",
            page: "m{ a = \"1\" ,\tb=\"2\", }\t 7 \n",
            expected: [MetricFamily(name: "m", samples: [Sample(name: "m", labels: ["a": "1", "b": "2"], value: 7)])]),
        Case(
            name: "CRLF line ends, comments and blank lines",
            page: "# a comment\r\n\r\n# HELP m Help.\r\nm 1\r\n   \r\n#\r\n",
            expected: [MetricFamily(name: "m", help: "Help.", samples: [Sample(name: "m", value: 1)])]),
        Case(
            name: "samples matching no TYPE get untyped families of their own",
            page: "# TYPE up gauge\nup 1\nscrape_samples 12\nup_total 4\n",
            expected: [
                MetricFamily(name: "up", type: .gauge, samples: [Sample(name: "up", value: 1)]),
                MetricFamily(name: "scrape_samples", samples: [Sample(name: "scrape_samples", value: 12)]),
                MetricFamily(name: "up_total", samples: [Sample(name: "up_total", value: 4)]),
            ]),
        Case(
            name: "histogram grouped with bucket, sum, count and created samples",
            page: """
                # TYPE h histogram
                h_bucket{le="0.5"} 1
                h_bucket{le="+Inf"} 2
                h_sum 0.75
                h_count 2
                h_created 1700000000
                g 1

                """,
            expected: [
                MetricFamily(
                    name: "h", type: .histogram,
                    samples: [
                        Sample(name: "h_bucket", labels: ["le": "0.5"], value: 1),
                        Sample(name: "h_bucket", labels: ["le": "+Inf"], value: 2),
                        Sample(name: "h_sum", value: 0.75),
                        Sample(name: "h_count", value: 2),
                        Sample(name: "h_created", value: 1_700_000_000),
                    ]),
                MetricFamily(name: "g", samples: [Sample(name: "g", value: 1)]),
            ]),
        Case(
            name: "summary with quantiles",
            page: "# TYPE s summary\ns{quantile=\"0.5\"} 0.1\ns{quantile=\"0.99\"} 0.9\ns_sum 4\ns_count 10\n",
            expected: [
                MetricFamily(
                    name: "s", type: .summary,
                    samples: [
                        Sample(name: "s", labels: ["quantile": "0.5"], value: 0.1),
                        Sample(name: "s", labels: ["quantile": "0.99"], value: 0.9),
                        Sample(name: "s_sum", value: 4),
                        Sample(name: "s_count", value: 10),
                    ])
            ]),
        Case(
            name: "counter declared without _total (OpenMetrics style) collects _total and _created",
            page: "# TYPE c counter\nc_total 5\nc_created 1.5e9\n",
            expected: [
                MetricFamily(
                    name: "c", type: .counter,
                    samples: [
                        Sample(name: "c_total", value: 5), Sample(name: "c_created", value: 1.5e9),
                    ])
            ]),
        Case(
            name: "families interleaved on the page stay grouped",
            page: "# TYPE a gauge\n# TYPE b gauge\na{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n",
            expected: [
                MetricFamily(
                    name: "a", type: .gauge,
                    samples: [
                        Sample(name: "a", labels: ["x": "1"], value: 1),
                        Sample(name: "a", labels: ["x": "2"], value: 3),
                    ]),
                MetricFamily(name: "b", type: .gauge, samples: [Sample(name: "b", value: 2)]),
            ]),
        Case(
            name: "exemplars are skipped",
            page: "# TYPE h histogram\nh_bucket{le=\"1\"} 3 # {trace_id=\"abc\"} 0.5 1700000000\nh_count 3 # {} 1\n",
            expected: [
                MetricFamily(
                    name: "h", type: .histogram,
                    samples: [
                        Sample(name: "h_bucket", labels: ["le": "1"], value: 3), Sample(name: "h_count", value: 3),
                    ])
            ]),
        Case(
            name: "quoted UTF-8 metric and label names",
            page: "# HELP \"my.metric\" Dots.\n{\"my.metric\", \"http.status\"=\"200\", a=\"b\"} 1\n",
            expected: [
                MetricFamily(
                    name: "my.metric", help: "Dots.",
                    samples: [
                        Sample(name: "my.metric", labels: ["http.status": "200", "a": "b"], value: 1)
                    ])
            ]),
        Case(
            name: "UTF-8 label values and labels sorted by name",
            page: "m{z=\"日本語 🚀\",a=\"é\"} 1\n",
            expected: [
                MetricFamily(name: "m", samples: [Sample(name: "m", labels: ["a": "é", "z": "日本語 🚀"], value: 1)])
            ]),
        Case(
            name: "metadata without samples is kept",
            page: "# HELP m Nothing yet.\n# TYPE m counter\n",
            expected: [MetricFamily(name: "m", type: .counter, help: "Nothing yet.")]),
        Case(
            name: "empty page",
            page: "",
            expected: []),
        Case(
            name: "# EOF is a comment in Prometheus text",
            page: "m 1\n# EOF\nn 2\n",
            expected: [
                MetricFamily(name: "m", samples: [Sample(name: "m", value: 1)]),
                MetricFamily(name: "n", samples: [Sample(name: "n", value: 2)]),
            ]),
        Case(
            name: "OpenMetrics: seconds timestamps, UNIT, info and EOF without final line feed",
            page: "# TYPE b info\n# TYPE t gauge\n# UNIT t seconds\nb_info{v=\"1\"} 1\nt 2.5 1700000000.125\n# EOF",
            format: .openMetrics,
            expected: [
                MetricFamily(name: "b", type: .info, samples: [Sample(name: "b_info", labels: ["v": "1"], value: 1)]),
                MetricFamily(
                    name: "t", type: .gauge, unit: "seconds",
                    samples: [
                        Sample(name: "t", value: 2.5, timestampMilliseconds: 1_700_000_000_125)
                    ]),
            ]),
    ]

    @Test(arguments: cases)
    func parsesExactly(_ testCase: Case) throws {
        let families = try PromTextParser.parse(testCase.page, format: testCase.format)
        #expect(families == testCase.expected)
    }

    /// Keeping some families gives exactly those families of the full parse, in the same order.
    @Test(arguments: [
        Set<String>(), ["vllm:time_to_first_token_seconds"], ["vllm:gpu_cache_usage_perc", "node_cpu_seconds_total"],
        ["go_gc_duration_seconds", "vllm:prompt_tokens_total", "absent"],
    ])
    func keepsOnlyTheNamedFamilies(_ names: Set<String>) throws {
        let page = BenchmarkPage.make(targetBytes: 20_000)
        let all = try PromTextParser.parse(page)
        let kept = try PromTextParser.parse(page, families: names)
        #expect(kept == all.filter { names.contains($0.name) })
        #expect(kept.count == names.subtracting(["absent"]).count)
    }

    @Test func filteredFamiliesStillParseQuotedNames() throws {
        let page = "{\"a.b\",x=\"1\"} 1\n{\"c.d\"} 2\nplain 3\n"
        #expect(
            try PromTextParser.parse(page, families: ["c.d"])
                == [MetricFamily(name: "c.d", samples: [Sample(name: "c.d", value: 2)])])
    }

    @Test func bytesAndStringGiveTheSameFamilies() throws {
        let page = "# TYPE m gauge\nm{a=\"1\"} 1\n"
        let fromBytes = try PromTextParser.parse(Array(page.utf8))
        let fromSlice = try PromTextParser.parse(Array(page.utf8)[...])
        let fromString = try PromTextParser.parse(page)
        #expect(fromBytes == fromString)
        #expect(fromSlice == fromString)
    }

    @Test func nonContiguousBytesParse() throws {
        let page = "m{a=\"1\"} 2\n"
        // A lazy mapped collection has no contiguous storage, so this takes the copying path.
        let bytes = page.utf8.lazy.map { $0 }
        #expect(
            try PromTextParser.parse(bytes) == [
                MetricFamily(name: "m", samples: [Sample(name: "m", labels: ["a": "1"], value: 2)])
            ])
    }

    @Test(arguments: [
        ("text/plain; version=0.0.4; charset=utf-8", ExpositionFormat.prometheus),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("Application/OpenMetrics-Text", .openMetrics),
        ("", .prometheus),
    ])
    func formatFromContentType(_ contentType: String, _ expected: ExpositionFormat) {
        #expect(ExpositionFormat(contentType: contentType) == expected)
    }
}
