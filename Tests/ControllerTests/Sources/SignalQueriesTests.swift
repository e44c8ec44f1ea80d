import BallastCore
import Controller
import PolicyFile
import Testing

struct SignalQueriesTests {
    @Test func defaultPolicyQueries() throws {
        let queries = SignalQueries(document: try Policies.document("policies/default.yaml"))
        let byName = Dictionary(uniqueKeysWithValues: queries.queries.map { ($0.name, $0.text) })
        #expect(
            queries.queries.map(\.name) == [
                "queue_p95", "memory_ratio", "decode_tokens_per_second", "latency_p95", "latency_p99", "latency_p50",
                "success_ratio", "batch_utilization", "queue_depth", "kv_fragmentation", "_requests_per_second",
                "_tokens_per_second", "_short:queue_p95",
            ])
        #expect(byName["_requests_per_second"] == "sum(rate(ballast_requests_total[1m]))")
        #expect(byName["_tokens_per_second"] == "sum(rate(ballast_generated_tokens_total[1m]))")
        // Scale rules size on queue_p95 and batch_utilization; the latter has no range, so no short variant.
        #expect(
            byName["_short:queue_p95"]
                == "histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[6s])))")
        #expect(queries.unavailable.isEmpty)
        #expect(queries.longestRangeMilliseconds == 300_000)
    }

    @Test func resolvesPlaceholdersAndReportsMissingMetrics() throws {
        let yaml = """
            apiVersion: ballast/v1
            kind: Policy
            metadata: {name: m}
            spec:
              target: {model: m, engine: llamacpp}
              signals:
                running: sum(${running_requests})
              rules:
                - {name: busy, when: running > 4, action: {scale: {}}}
              behavior: {panic: false}
            """
        let queries = SignalQueries(policy: try PolicyLoader.parse(yaml, file: "p.yaml"))
        #expect(queries.queries.map(\.name) == ["running", "_tokens_per_second"])
        #expect(queries.queries.first?.text.contains("${") == false)
        #expect(queries.unavailable == ["_requests_per_second": "the engine has no metric for it"])
        let observation = queries.observation(from: ["running": .value(3)], fleet: .steady(2))
        #expect(observation.readings == ["running": .value(3)])
        #expect(observation.throughput.requestsPerSecond == .failed(reason: "the engine has no metric for it"))
        #expect(observation.throughput.tokensPerSecond == .missing(reason: "the metrics source returned no reading for it"))
        #expect(observation.shortWindow.isEmpty)
        #expect(observation.fleet == .steady(2))
    }

    @Test func sortsReadingsIntoTheObservation() throws {
        let queries = SignalQueries(document: try Policies.document("policies/default.yaml"))
        var readings: [String: SignalReading] = [:]
        for query in queries.queries { readings[query.name] = .value(1) }
        readings["queue_p95"] = .value(0.7)
        readings["_short:queue_p95"] = .value(2.5)
        readings["_requests_per_second"] = .value(12)
        readings["_tokens_per_second"] = .missing(reason: "none")
        let observation = queries.observation(from: readings, fleet: .steady(3))
        #expect(observation.readings["queue_p95"] == .value(0.7))
        #expect(observation.readings.count == 10)
        #expect(observation.readings.keys.allSatisfy { !$0.hasPrefix("_") })
        #expect(observation.shortWindow == ["queue_p95": .value(2.5)])
        #expect(observation.throughput == Throughput(requestsPerSecond: .value(12), tokensPerSecond: .missing(reason: "none")))
    }

    @Test func shortWindowFollowsThePanicWindow() throws {
        let yaml = """
            apiVersion: ballast/v1
            kind: Policy
            metadata: {name: m}
            spec:
              target: {model: m}
              signals:
                q: sum(rate(ballast_requests_total[2m])) / 4
              rules:
                - {name: r, when: q > 1, action: {scale: {}}}
              behavior: {panic: {window: 10s}}
            """
        let queries = SignalQueries(policy: try PolicyLoader.parse(yaml, file: "p.yaml"))
        #expect(queries.queries.last == NamedQuery(name: "_short:q", text: "sum(rate(ballast_requests_total[10s])) / 4"))
        #expect(queries.longestRangeMilliseconds == 120_000)
    }

    @Test(arguments: [
        (QueryValueCase.scalar, SignalReading.value(2)),
        (.one, .value(5)),
        (.empty, .missing(reason: QueryReading.emptyReason)),
        (.two, .failed(reason: "the query returned 2 series; aggregate it to one, e.g. max(…) or sum(…)")),
        (.string, .failed(reason: "the query returns a range or string; a signal must return one number")),
    ])
    func oneReadingPerResult(value: QueryValueCase, expected: SignalReading) {
        #expect(QueryReading.reading(of: value.value) == expected)
    }
}
