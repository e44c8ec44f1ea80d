public import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `ballast load`: drives an OpenAI-compatible server with streamed requests, open-loop (Poisson arrivals at a
/// rate) or closed-loop (a fixed number of clients), and reports first-token, inter-token and end-to-end latency
/// percentiles, tokens per second and errors by kind.
public struct LoadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load an OpenAI-compatible server and report latency percentiles and tokens/s."
    )

    @Argument(help: "The server's base URL, such as http://127.0.0.1:8080.")
    var url: String

    @Option(help: "Open loop: requests per second, arriving as a Poisson process.")
    var rate: Double?

    @Option(help: "Closed loop: clients each sending their next request when the last one ends.")
    var concurrency: Int?

    @Option(help: "How long to send requests, such as 30s or 2m.")
    var duration: String = "30s"

    @Option(help: "A file of prompts, one per line (default: a few built-in prompts).")
    var prompts: String?

    @Option(name: .customLong("max-tokens"), help: "max_tokens of every request.")
    var maxTokens: Int = 128

    @Option(help: "The model name to send.")
    var model: String?

    @Flag(help: "Send chat requests (/v1/chat/completions) instead of completions.")
    var chat = false

    @Flag(name: .customLong("ignore-eos"), help: "Ask the server to ignore end of text (llama-server's ignore_eos), so every request generates max-tokens.")
    var ignoreEOS = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    public init() {}

    public func validate() throws {
        guard (rate == nil) != (concurrency == nil) else {
            throw ValidationError("Give exactly one of --rate (open loop) and --concurrency (closed loop).")
        }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate \(rate) must be a positive number.") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency \(concurrency) must be at least 1.") }
        guard let d = parseDuration(duration), d > .zero else {
            throw ValidationError("--duration \(duration) is not a positive duration; write it like 30s.")
        }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens \(maxTokens) must be at least 1.") }
    }

    public func run() async throws {
        let texts = try loadPrompts()
        let length = parseDuration(duration) ?? .seconds(30)
        let client = LoadClient(
            base: url.hasSuffix("/") ? String(url.dropLast()) : url, chat: chat, maxTokens: maxTokens, model: model,
            ignoreEOS: ignoreEOS)
        let start = ContinuousClock.now
        let end = start + length
        var outcomes: [RequestOutcome] = []
        if let concurrency {
            outcomes = await withTaskGroup(of: [RequestOutcome].self) { group in
                for c in 0..<concurrency {
                    group.addTask {
                        var mine: [RequestOutcome] = []
                        var i = c
                        while ContinuousClock.now < end {
                            mine.append(await client.send(prompt: texts[i % texts.count]))
                            i += concurrency
                        }
                        return mine
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
        } else if let rate {
            outcomes = await withTaskGroup(of: RequestOutcome.self) { group in
                var generator = SystemRandomNumberGenerator()
                var next = start
                var i = 0
                while next < end {
                    // Exponential gaps make the arrivals a Poisson process of the given rate.
                    let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
                    next = next + .nanoseconds(Int64(-log(u) / rate * 1e9))
                    try? await Task.sleep(until: next, clock: .continuous)
                    guard next < end else { break }
                    let prompt = texts[i % texts.count]
                    i += 1
                    group.addTask { await client.send(prompt: prompt) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let mode = concurrency.map { "closed loop, \($0) clients" } ?? "open loop, \(rate ?? 0) requests/s"
        let report = LoadReport(mode: mode, durationSeconds: seconds, outcomes: outcomes)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }

    private func loadPrompts() throws -> [String] {
        guard let prompts else {
            return [
                "Explain in a few sentences why the sky is blue.",
                "Write a short poem about autumn leaves.",
                "List three uses of a paperclip.",
                "What is continuous batching in LLM inference?",
            ]
        }
        let text: String
        do {
            text = try String(contentsOfFile: prompts, encoding: .utf8)
        } catch {
            throw ValidationError("--prompts \(prompts) could not be read: \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ValidationError("--prompts \(prompts) has no prompts; write one per line.") }
        return lines
    }
}

/// Sends one streamed request and measures it.
struct LoadClient: Sendable {
    let base: String
    let chat: Bool
    let maxTokens: Int
    let model: String?
    let ignoreEOS: Bool

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

    func send(prompt: String) async -> RequestOutcome {
        let start = ContinuousClock.now
        func since(_ instant: ContinuousClock.Instant) -> Double {
            let d = instant.duration(to: .now)
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        var request = HTTPClientRequest(url: base + (chat ? "/v1/chat/completions" : "/v1/completions"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body(prompt: prompt)))
        var outcome = RequestOutcome(timeToFirstToken: nil, interTokenGaps: [], duration: 0, tokens: 0, error: nil)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
            guard response.status.code == 200 else {
                outcome.error = "http_\(response.status.code)"
                _ = try? await response.body.collect(upTo: 1 << 20)
                outcome.duration = since(start)
                return outcome
            }
            var pending: [UInt8] = []
            var last: ContinuousClock.Instant?
            var chunkTokens = 0
            var usageTokens: Int?
            for try await buffer in response.body {
                let now = ContinuousClock.now
                pending.append(contentsOf: buffer.readableBytesView)
                while let end = Self.eventEnd(pending) {
                    let event = Array(pending[..<end])
                    pending.removeFirst(end + 2)
                    guard event.starts(with: Array("data: ".utf8)) else { continue }
                    let payload = Data(event.dropFirst(6))
                    guard payload != Data("[DONE]".utf8),
                        let object = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
                    else { continue }
                    if let usage = object["usage"] as? [String: Any], let n = usage["completion_tokens"] as? Int {
                        usageTokens = n
                    }
                    if object["error"] != nil { outcome.error = "stream_error" }
                    guard let choice = (object["choices"] as? [[String: Any]])?.first else { continue }
                    let text = (choice["text"] as? String) ?? ((choice["delta"] as? [String: Any])?["content"] as? String)
                    guard let text, !text.isEmpty else { continue }
                    chunkTokens += 1
                    if let last {
                        let d = last.duration(to: now)
                        outcome.interTokenGaps.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
                    } else {
                        let d = start.duration(to: now)
                        outcome.timeToFirstToken = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                    }
                    last = now
                }
            }
            outcome.tokens = usageTokens ?? chunkTokens
        } catch {
            outcome.error = "\(error)".contains("imeout") ? "timeout" : "connection"
        }
        outcome.duration = since(start)
        return outcome
    }

    /// The offset of the first `\n\n` in `bytes`.
    static func eventEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 10 && bytes[i + 1] == 10 { return i }
        return nil
    }
}
