public import AsyncHTTPClient
public import BallastCore
import Foundation
import NIOCore
import NIOHTTP1
import PromQL

/// A ``MetricsSource`` that sends each query to an existing Prometheus server's `/api/v1/query`, for fleets
/// Prometheus already scrapes.
///
/// Queries run concurrently, each with its own timeout. An HTTP error, a timeout, `"status": "error"`, or a result
/// that is not one number becomes ``SignalReading/failed(reason:)`` naming the URL and what Prometheus said —
/// never a number, so an unreachable server never looks like an idle fleet.
public struct PrometheusMetricsSource: MetricsSource {
    /// The server, such as `http://prometheus:9090` (a path prefix such as `/prom` is kept).
    public var baseURL: String
    /// How long one query may take. Default 10 s.
    public var timeout: Duration
    private let client: HTTPClient

    /// Creates a source querying `baseURL` through `httpClient` (owned by the caller).
    public init(baseURL: String, timeout: Duration = .seconds(10), httpClient: HTTPClient) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeout = timeout
        self.client = httpClient
    }

    /// The query endpoint, for messages.
    public var queryEndpoint: String { baseURL + "/api/v1/query" }

    /// Evaluates every query at `now` on the server, concurrently.
    public func read(_ queries: [NamedQuery], at now: Timestamp) async -> [String: SignalReading] {
        await withTaskGroup(of: (String, SignalReading).self) { group in
            for query in queries {
                group.addTask { (query.name, await reading(of: query.text, at: now)) }
            }
            var result: [String: SignalReading] = [:]
            for await (name, reading) in group { result[name] = reading }
            return result
        }
    }

    /// The server's readiness (`/-/ready`), as one health record.
    public func health() async -> [TargetHealth] {
        let target = ScrapeTarget(instance: Self.instance(of: baseURL), url: baseURL)
        let clock = ContinuousClock()
        let start = clock.now
        let now = Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        var error: String?
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: baseURL + "/-/ready"), timeout: .nanoseconds(Self.nanoseconds(timeout)))
            if response.status != .ok {
                error = "\(baseURL)/-/ready answered HTTP \(response.status.code); Prometheus is not ready to answer queries."
            }
            _ = try? await response.body.collect(upTo: 1 << 16)
        } catch let failure {
            error = "\(baseURL) is unreachable: \(failure); check the Prometheus URL and that the server runs."
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return [TargetHealth(target: target, up: error == nil, lastScrape: now, lastDurationSeconds: seconds, lastError: error)]
    }

    /// One query's reading; every failure names the endpoint.
    private func reading(of text: String, at now: Timestamp) async -> SignalReading {
        let url = queryURL(text, at: now)
        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: url), timeout: .nanoseconds(Self.nanoseconds(timeout)))
            status = response.status.code
            body = try await response.body.collect(upTo: 16 << 20)
        } catch {
            return .failed(
                reason: "\(queryEndpoint) did not answer (\(error)); check the Prometheus URL and that the server runs.")
        }
        let value: QueryValue
        do {
            value = try QueryResponseDecoder().decode(body.readableBytesView)
        } catch {
            return .failed(reason: "\(queryEndpoint) answered HTTP \(status) for `\(text)`: \(error)")
        }
        guard status == 200 else {
            return .failed(reason: "\(queryEndpoint) answered HTTP \(status) for `\(text)` with a result; expected 200.")
        }
        switch QueryReading.reading(of: value) {
        case .failed(let reason): return .failed(reason: "\(queryEndpoint) for `\(text)`: \(reason)")
        case let other: return other
        }
    }

    /// `{base}/api/v1/query?query=…&time=…`, the query fully percent-encoded (Go reads a bare `+` as a space).
    public func queryURL(_ text: String, at now: Timestamp) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        let milliseconds = now.millisecondsSinceEpoch
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let fraction = String(magnitude % 1000)
        let time = "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
        return "\(queryEndpoint)?query=\(encoded)&time=\(time)"
    }

    static func instance(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        return String(rest.prefix { $0 != "/" })
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
