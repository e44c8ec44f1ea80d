import Testing

@testable import PromText

/// The writer's exact text, its number formatting, and the round-trip property `parse(write(x)) == x`.
struct PromTextWriterTests {
    @Test func writesExactPrometheusText() {
        let families = [
            MetricFamily(
                name: "ballast_requests_total", type: .counter, help: "Requests by status.\nSecond \\ line.",
                samples: [
                    Sample(name: "ballast_requests_total", labels: ["status": "ok", "model": "m"], value: 1027),
                    Sample(
                        name: "ballast_requests_total", labels: ["status": "say \"hi\"\n\\"], value: 3,
                        timestampMilliseconds: 1_700_000_000_000),
                ]),
            MetricFamily(
                name: "ballast_queue_wait_seconds", type: .histogram,
                samples: [
                    Sample(name: "ballast_queue_wait_seconds_bucket", labels: ["le": "0.5"], value: 2),
                    Sample(name: "ballast_queue_wait_seconds_bucket", labels: ["le": "+Inf"], value: 3),
                    Sample(name: "ballast_queue_wait_seconds_sum", value: 0.1 + 0.2),
                    Sample(name: "ballast_queue_wait_seconds_count", value: 3),
                ]),
            MetricFamily(name: "up", samples: [Sample(name: "up", value: .nan)]),
            MetricFamily(
                name: "my.metric", type: .gauge,
                samples: [
                    Sample(name: "my.metric", labels: ["http.status": "200"], value: -.infinity)
                ]),
        ]
        #expect(
            PromTextWriter.text(families) == """
                # HELP ballast_requests_total Requests by status.\\nSecond \\\\ line.
                # TYPE ballast_requests_total counter
                ballast_requests_total{model="m",status="ok"} 1027
                ballast_requests_total{status="say \\"hi\\"\\n\\\\"} 3 1700000000000
                # TYPE ballast_queue_wait_seconds histogram
                ballast_queue_wait_seconds_bucket{le="0.5"} 2
                ballast_queue_wait_seconds_bucket{le="+Inf"} 3
                ballast_queue_wait_seconds_sum 0.30000000000000004
                ballast_queue_wait_seconds_count 3
                up NaN
                # TYPE "my.metric" gauge
                {"my.metric","http.status"="200"} -Inf

                """)
    }

    @Test func writesExactOpenMetricsText() {
        let families = [
            MetricFamily(
                name: "ballast_requests", type: .counter, help: "Requests.", unit: "requests",
                samples: [
                    Sample(name: "ballast_requests_total", value: 5, timestampMilliseconds: 1_700_000_000_125)
                ]),
            MetricFamily(
                name: "ballast_model", type: .info,
                samples: [
                    Sample(name: "ballast_model_info", labels: ["quant": "q4_1"], value: 1)
                ]),
        ]
        #expect(
            PromTextWriter.text(families, format: .openMetrics) == """
                # HELP ballast_requests Requests.
                # TYPE ballast_requests counter
                # UNIT ballast_requests requests
                ballast_requests_total 5 1700000000.125
                # TYPE ballast_model info
                ballast_model_info{quant="q4_1"} 1
                # EOF

                """)
        // Prometheus text cannot say `info` or units: the family becomes untyped, the unit is left out.
        #expect(PromTextWriter.text(Array(families.suffix(1))) == "ballast_model_info{quant=\"q4_1\"} 1\n")
    }

    @Test func emitAppendsToTheCallersBuffer() {
        var buffer = Array("# start\n".utf8)
        MetricFamily(name: "a", samples: [Sample(name: "a", value: 1)]).emit(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "# start\na 1\n")
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (-42, "-42"), (0.1, "0.1"), (1e-5, "1e-05"), (0.25, "0.25"),
        (123456789012345, "123456789012345"), (1e15, "1000000000000000"), (1e16, "1e+16"), (1.5e300, "1.5e+300"),
        (.nan, "NaN"),
        (.infinity, "+Inf"), (-.infinity, "-Inf"), (Double.leastNonzeroMagnitude, "5e-324"),
        (9007199254740992, "9007199254740992"), (-1.25, "-1.25"),
    ])
    func formatsValues(_ value: Double, _ text: String) {
        #expect(PromTextWriter.valueText(value) == text)
    }

    @Test(arguments: ExpositionFormat.allCases)
    func randomFamiliesRoundTrip(_ format: ExpositionFormat) throws {
        var random = SplitMix(seed: format == .prometheus ? 1 : 2)
        for round in 0..<200 {
            let families = Self.randomFamilies(&random, round: round, format: format)
            let text = PromTextWriter.text(families, format: format)
            let parsed: [MetricFamily]
            do {
                parsed = try PromTextParser.parse(text, format: format)
            } catch {
                Issue.record("round \(round): \(error)\n\(text)")
                continue
            }
            #expect(parsed == families, "round \(round):\n\(text)")
        }
    }

    /// Families as a real page has them: each sample carries its family's name plus a suffix its type allows.
    static func randomFamilies(_ random: inout SplitMix, round: Int, format: ExpositionFormat) -> [MetricFamily] {
        let types: [MetricType] =
            format == .openMetrics
            ? [.counter, .gauge, .histogram, .summary, .untyped, .info, .unknown]
            : [.counter, .gauge, .histogram, .summary, .untyped]
        let values: [Double] = [0, 1, -1, 0.1, 1e-9, 123456.789, 1e300, .nan, .infinity, -.infinity, 3.0e15]
        let texts = ["", "plain", "with space", "quote \" here", "back\\slash", "new\nline", "日本語", "🚀", "a,b=c}"]
        var families: [MetricFamily] = []
        for index in 0..<Int(random.next() % 5) {
            let type = types[Int(random.next() % UInt64(types.count))]
            let name = random.next() % 5 == 0 ? "fam.\(round).\(index)" : "fam_\(round)_\(index)"
            let suffixes: [String]
            switch type {
            case .counter: suffixes = format == .openMetrics ? ["_total", "_created"] : [""]
            case .histogram: suffixes = ["_bucket", "_sum", "_count"]
            case .summary: suffixes = ["", "_sum", "_count"]
            case .info: suffixes = ["_info"]
            default: suffixes = [""]
            }
            var samples: [Sample] = []
            for series in 0...Int(random.next() % 3) {
                for suffix in suffixes {
                    var labels: Labels = ["series": String(series)]
                    if random.next() % 2 == 0 { labels["text"] = texts[Int(random.next() % UInt64(texts.count))] }
                    if random.next() % 4 == 0 { labels["label.with.dots"] = "x" }
                    if suffix == "_bucket" { labels["le"] = "+Inf" }
                    if type == .summary && suffix.isEmpty { labels["quantile"] = "0.5" }
                    let timestamp: Int64? =
                        random.next() % 3 == 0 ? 1_700_000_000_000 + Int64(random.next() % 10_000) : nil
                    samples.append(
                        Sample(
                            name: name + suffix, labels: labels,
                            value: values[Int(random.next() % UInt64(values.count))], timestampMilliseconds: timestamp))
                }
            }
            let help = random.next() % 2 == 0 ? texts[Int(random.next() % UInt64(texts.count))] : nil
            let unit = format == .openMetrics && random.next() % 3 == 0 ? "seconds" : nil
            families.append(MetricFamily(name: name, type: type, help: help, unit: unit, samples: samples))
        }
        return families
    }
}
