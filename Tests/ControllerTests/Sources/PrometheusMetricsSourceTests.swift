import AsyncHTTPClient
import BallastCore
import Controller
import BallastTestSupport
import Foundation
import NIOCore
import Testing

struct PrometheusMetricsSourceTests {
    static func withClient(_ body: (HTTPClient) async throws -> Void) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func agreesWithTheEmbeddedSourceOnTheDefaultPolicy() async throws {
        let queries = SignalQueries(document: try Policies.document("policies/default.yaml"))
        let wall = Int64(Date().timeIntervalSince1970) * 1000
        let first = wall - 120_000
        let steps = 8
        // Explicit timestamps: both scrapers store the same points whenever they fetch.
        let sequence = PageSequence(
            (0..<steps).map {
                SyntheticWorkerPage.bytes(worker: 0, step: $0, timestampMilliseconds: first + Int64($0) * 5000)
            })
        let last = Timestamp(millisecondsSinceEpoch: first + Int64(steps - 1) * 5000)
        try await Self.withClient { client in
            try await MetricsPageServer.withServer(handler: { await sequence.answer($0) }) { port in
                let prometheus = try PrometheusServer(target: "127.0.0.1:\(port)")
                defer { prometheus.stop() }
                let scraper = Scraper(
                    configuration: Scraper.Configuration(longestRangeMilliseconds: queries.longestRangeMilliseconds),
                    targets: StaticTargets([ScrapeTarget(instance: "127.0.0.1:\(port)")]), httpClient: client)
                let embedded = EmbeddedMetricsSource(scraper: scraper)
                let remote = PrometheusMetricsSource(baseURL: prometheus.baseURL, httpClient: client)
                do {
                    while await !sequence.finished {
                        let before = await sequence.index
                        await scraper.scrapeOnce(now: Timestamp(millisecondsSinceEpoch: wall))
                        try await waitUntil("Prometheus to fetch page \(before)", timeout: .seconds(60)) {
                            let index = await sequence.index
                            let finished = await sequence.finished
                            return index > before || finished
                        }
                    }
                    let count = [NamedQuery(name: "n", text: "count_over_time(ballast_queue_depth[10m])")]
                    try await waitUntil("Prometheus to store all \(steps) pages", timeout: .seconds(30)) {
                        await remote.read(count, at: last)["n"] == .value(Double(steps))
                    }
                } catch {
                    throw WaitTimeout(description: "\(error)\nPrometheus log:\n\(prometheus.logTail)")
                }
                let fromPrometheus = await remote.read(queries.queries, at: last)
                let fromScraper = await embedded.read(queries.queries, at: last)
                var compared = 0
                for query in queries.queries {
                    let theirs = fromPrometheus[query.name]
                    let ours = fromScraper[query.name]
                    switch (theirs?.number, ours?.number) {
                    case (let a?, let b?):
                        #expect(abs(a - b) <= 1e-9 * max(1, abs(a)), "\(query.name): Prometheus \(a), embedded \(b)")
                        compared += 1
                    case (nil, nil):
                        break
                    default:
                        Issue.record("\(query.name): Prometheus \(String(describing: theirs)), embedded \(String(describing: ours))")
                    }
                }
                #expect(compared >= 12, "\(fromPrometheus)")
                #expect(await remote.health().first?.up == true)
            }
        }
    }

    @Test func aServerThatIsDownFailsEveryReading() async throws {
        try await Self.withClient { client in
            let closed = try await MetricsPageServer.withServer(handler: { _ in MetricsPageServer.Page(text: "") }) {
                $0
            }
            let source = PrometheusMetricsSource(
                baseURL: "http://127.0.0.1:\(closed)/", timeout: .milliseconds(500), httpClient: client)
            let readings = await source.read(
                [NamedQuery(name: "a", text: "sum(x)"), NamedQuery(name: "b", text: "max(y)")],
                at: Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
            #expect(readings.count == 2)
            for reading in readings.values {
                guard case .failed(let reason) = reading else {
                    Issue.record("a reading from a server that is down is \(reading), not failed")
                    continue
                }
                #expect(reason.hasPrefix("http://127.0.0.1:\(closed)/api/v1/query did not answer"), "\(reason)")
            }
            let health = await source.health()
            #expect(health.first?.up == false)
            #expect(health.first?.target.instance == "127.0.0.1:\(closed)")
        }
    }

    static let vectorOfTwo = """
        {"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"a":"1"},"value":[1700000000,"1"]},{"metric":{"a":"2"},"value":[1700000000,"2"]}]}}
        """

    @Test(arguments: [
        (200, #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.25"]}}"#, "value 0.25"),
        (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"7"]}]}}"#, "value 7"),
        (200, #"{"status":"success","data":{"resultType":"vector","result":[]}}"#, "missing"),
        (200, vectorOfTwo, "failed: for `q`: the query returned 2 series"),
        (400, #"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}"#,
         "failed: answered HTTP 400 for `q`: Prometheus answered bad_data: 1:5: parse error: unclosed left parenthesis"),
        (502, "<html>bad gateway</html>", "failed: answered HTTP 502 for `q`: the Prometheus response is not valid JSON"),
    ])
    func answersBecomeReadings(status: Int, body: String, expected: String) async throws {
        try await Self.withClient { client in
            try await MetricsPageServer.withServer(handler: { _ in
                MetricsPageServer.Page(status: status, contentType: "application/json", body: ByteBuffer(string: body))
            }) { port in
                let source = PrometheusMetricsSource(baseURL: "http://127.0.0.1:\(port)", httpClient: client)
                let reading = await source.read([NamedQuery(name: "q", text: "q")], at: .epoch)["q"]
                let endpoint = "http://127.0.0.1:\(port)/api/v1/query"
                switch reading {
                case .value(let number): #expect(expected == "value \(PrometheusMetricsSourceTests.format(number))")
                case .missing: #expect(expected == "missing")
                case .failed(let reason):
                    let shown = "failed: " + reason.replacingOccurrences(of: endpoint + " ", with: "")
                    #expect(shown.hasPrefix(expected), "\(reason)")
                    #expect(reason.hasPrefix(endpoint))
                default: Issue.record("unexpected \(String(describing: reading))")
                }
            }
        }
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : "\(number)"
    }

    @Test func queryTextIsFullyEncoded() {
        let source = PrometheusMetricsSource(
            baseURL: "http://p:9090/prom/", httpClient: HTTPClient.shared)
        #expect(
            source.queryURL("sum(rate(x{a=\"b\"}[1m])) + 1", at: Timestamp(millisecondsSinceEpoch: 1_700_000_000_005))
                == "http://p:9090/prom/api/v1/query?query=sum%28rate%28x%7Ba%3D%22b%22%7D%5B1m%5D%29%29%20%2B%201&time=1700000000.005"
        )
    }
}
