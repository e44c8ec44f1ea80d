public import ArgumentParser
import Foundation

/// `ballast load`: drives an OpenAI-compatible server with streamed requests, open-loop (Poisson arrivals at a
/// rate) or closed-loop (a fixed number of clients), and reports first-token, inter-token and end-to-end latency
/// percentiles, tokens per second and errors by kind.
///
/// A request that fails counts under its kind (`http_429`, `http_500`, `connection`, `timeout`, `stream_error`,
/// `incomplete_stream`) and the run goes on; a server that does not answer at all before the run starts is an
/// error (exit status 1).
public struct LoadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load an OpenAI-compatible server and report latency percentiles and tokens/s."
    )

    @Argument(help: "The server's base URL, such as http://127.0.0.1:8080 (a trailing /v1 is allowed).")
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
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            !(parsed.host ?? "").isEmpty
        else {
            throw ValidationError("\(url) is not an http:// or https:// URL; write it like http://127.0.0.1:8080.")
        }
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
            base: LoadClient.base(of: url), chat: chat, maxTokens: maxTokens, model: model, ignoreEOS: ignoreEOS,
            connections: concurrency ?? Self.openLoopConnections)
        do {
            try await client.checkReachable()
        } catch {
            await client.shutdown()
            throw error
        }
        let outcomes = await drive(client, texts: texts, length: length)
        await client.shutdown()
        let report = LoadReport(mode: outcomes.mode, durationSeconds: outcomes.seconds, outcomes: outcomes.list)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }

    /// Connections the open loop may hold: requests arriving faster than the server answers pile up at the server,
    /// where the queue is measured, up to this many.
    static let openLoopConnections = 1024

    /// How long a closed-loop client waits after a failed connection before its next request, so a server that
    /// went away is not hammered in a busy loop.
    static let connectionBackoff = Duration.milliseconds(100)

    /// Sends requests for `length` in the chosen loop and returns every outcome, the mode and the seconds taken.
    private func drive(
        _ client: LoadClient, texts: [String], length: Duration
    ) async -> (list: [RequestOutcome], mode: String, seconds: Double) {
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
                            let outcome = await client.send(prompt: texts[i % texts.count])
                            mine.append(outcome)
                            i += concurrency
                            if outcome.error == "connection" {
                                try? await Task.sleep(for: Self.connectionBackoff)
                            }
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
        let mode = concurrency.map { "closed loop, \($0) clients" } ?? "open loop, \(rate ?? 0) requests/s"
        return (outcomes, mode, start.duration(to: .now).seconds)
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
