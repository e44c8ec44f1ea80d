import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends streamed completion or chat requests to one server and measures each.
struct LoadClient: Sendable {
    /// The server's base URL, without a trailing `/` or `/v1`.
    let base: String
    let chat: Bool
    let maxTokens: Int
    let model: String?
    let ignoreEOS: Bool
    /// Its own client: the shared one holds at most 8 connections per host, so more streams would queue inside
    /// the load generator instead of at the server and count as server latency.
    let http: HTTPClient
    /// Most times one request is sent again after finding its connection closed: the stale connections there can
    /// be, idle ones and those of requests in flight when the server was found out (at most 64, so a server that
    /// drops every request is not asked a thousand times).
    let staleConnectionRetries: Int
    /// Set once the server was seen closing a kept-alive connection without an answer.
    let serverDropsConnections = AtomicFlag()

    /// A client for the server at `base` that can hold `connections` requests in flight at once.
    init(base: String, chat: Bool, maxTokens: Int, model: String?, ignoreEOS: Bool, connections: Int) {
        self.base = base
        self.chat = chat
        self.maxTokens = maxTokens
        self.model = model
        self.ignoreEOS = ignoreEOS
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connections))
        // A refused connection is an error to report now, not one to retry quietly until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        staleConnectionRetries = min(64, 2 * max(4, connections))
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The base URL as given, less a trailing `/` and `/v1` (OpenAI clients' `base_url` ends in `/v1`).
    static func base(of url: String) -> String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v1") { base.removeLast(3) }
        return base
    }

    /// Checks that something answers HTTP at the base URL (any status will do: not every server has
    /// `/v1/models`); throws ``LoadError`` naming the URL when nothing does.
    func checkReachable() async throws {
        let url = base + "/v1/models"
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(15))
            _ = try? await response.body.collect(upTo: 1 << 20)
        } catch {
            throw LoadError(
                "Nothing answered GET \(url) (\(error)); start the server or correct the URL, then run again.")
        }
    }

    /// Closes the connections.
    func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends `request`, and again when a kept-alive connection turns out to be closed before any answer came.
    ///
    /// Servers such as llama.cpp's close connections after a streamed answer while announcing keep-alive, so a
    /// request written on one of those is never answered (the OpenAI clients retry these too). From the first
    /// such failure on, every request asks for `Connection: close`, so no more stale connections are made; each
    /// retry takes one of the remaining ones out of the pool, and ``staleConnectionRetries`` covers them all.
    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        var request = request
        var retries = 0
        while true {
            if serverDropsConnections.value.load(ordering: .relaxed) {
                request.headers.replaceOrAdd(name: "Connection", value: "close")
            }
            do {
                return try await http.execute(request, timeout: .seconds(600))
            } catch let error where Self.isClosedBeforeAnswer(error) && retries < staleConnectionRetries {
                serverDropsConnections.value.store(true, ordering: .relaxed)
                retries += 1
            }
        }
    }

    /// Whether `error` means the connection closed before the response head arrived.
    static func isClosedBeforeAnswer(_ error: any Error) -> Bool {
        (error as? HTTPClientError) == .remoteConnectionClosed || (error as? ChannelError) == .ioOnClosedChannel
    }

    /// The JSON body of one request for `prompt`.
    func body(prompt: String) -> [UInt8] {
        var object: [String: Any] = [
            "max_tokens": maxTokens, "stream": true, "temperature": 0, "stream_options": ["include_usage": true],
        ]
        if chat {
            object["messages"] = [["role": "user", "content": prompt]]
        } else {
            object["prompt"] = prompt
        }
        if let model { object["model"] = model }
        if ignoreEOS { object["ignore_eos"] = true }
        return Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// Sends one streamed request for `prompt` and measures it; never throws: failures are the outcome's `error`.
    func send(prompt: String) async -> RequestOutcome {
        let start = ContinuousClock.now
        var request = HTTPClientRequest(url: base + (chat ? "/v1/chat/completions" : "/v1/completions"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body(prompt: prompt)))
        var outcome = RequestOutcome(timeToFirstToken: nil, interTokenGaps: [], duration: 0, tokens: 0, error: nil)
        do {
            let response = try await execute(request)
            guard response.status.code == 200 else {
                outcome.error = "http_\(response.status.code)"
                _ = try? await response.body.collect(upTo: 1 << 20)
                outcome.duration = start.duration(to: .now).seconds
                return outcome
            }
            var parser = EventStreamParser()
            var reader = StreamReader(start: start)
            for try await buffer in response.body {
                let now = ContinuousClock.now
                parser.append(buffer.readableBytesView)
                while let event = parser.next() { reader.read(event, at: now, into: &outcome) }
            }
            outcome.tokens = reader.usageTokens ?? reader.pieces
            // A stream cut short (no `[DONE]` and no finish reason) is not a success, whatever came before.
            if outcome.error == nil && !reader.ended { outcome.error = "incomplete_stream" }
        } catch {
            outcome.error = "\(error)".contains("imeout") ? "timeout" : "connection"
        }
        outcome.duration = start.duration(to: .now).seconds
        return outcome
    }
}

/// What one response's events have said so far.
struct StreamReader {
    let start: ContinuousClock.Instant
    /// When the last piece of text came.
    var last: ContinuousClock.Instant?
    /// Pieces of text received (one per token on every server we know).
    var pieces = 0
    /// `usage.completion_tokens`, when a chunk carried it.
    var usageTokens: Int?
    /// Whether `[DONE]` or a finish reason came.
    var ended = false

    init(start: ContinuousClock.Instant) { self.start = start }

    /// Takes one event that arrived at `now` into `outcome`.
    mutating func read(
        _ event: EventStreamParser.Event, at now: ContinuousClock.Instant, into outcome: inout RequestOutcome
    ) {
        if event.error != nil { outcome.error = "stream_error" }
        guard let data = event.data else { return }
        if data == Array("[DONE]".utf8) {
            ended = true
            return
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] else { return }
        if object["error"] != nil { outcome.error = "stream_error" }
        if let usage = object["usage"] as? [String: Any], let n = usage["completion_tokens"] as? Int { usageTokens = n }
        guard let choice = (object["choices"] as? [[String: Any]])?.first else { return }
        if let finish = choice["finish_reason"] as? String, !finish.isEmpty { ended = true }
        let text = (choice["text"] as? String) ?? ((choice["delta"] as? [String: Any])?["content"] as? String)
        guard let text, !text.isEmpty else { return }
        pieces += 1
        if let last {
            outcome.interTokenGaps.append(last.duration(to: now).seconds)
        } else {
            outcome.timeToFirstToken = start.duration(to: now).seconds
        }
        last = now
    }
}

/// A flag shared by every request of a run.
final class AtomicFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// A failure of the load run itself (not of one request), worded for the person who started it.
struct LoadError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
