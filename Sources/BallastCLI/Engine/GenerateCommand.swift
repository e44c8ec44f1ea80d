public import ArgumentParser
import Engine
import Foundation

/// `ballast generate --model M --prompt TEXT`: runs the engine on one prompt and streams the text.
public struct GenerateCommand: ParsableCommand {
    /// Name, abstract and help of the command.
    public static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text from a GGUF model with the built-in CPU engine.",
        discussion: """
            Text streams to stdout as it is generated. --chat wraps the prompt as a user message in the model's \
            chat template. --json prints one object at the end with the text, token ids and log-probabilities.
            """
    )

    /// The model.
    @Option(name: .long, help: "GGUF file or cached model name (such as smollm2-135m).")
    public var model: String

    /// The prompt.
    @Option(name: .long, help: "Prompt text.")
    public var prompt: String

    /// Chat mode.
    @Flag(name: .long, help: "Send the prompt as a chat user message.")
    public var chat = false

    /// Token limit; default 128.
    @Option(name: .long, help: "Most tokens to generate.")
    public var maxTokens: Int = 128

    /// Temperature; default 0 (greedy), so runs repeat unless asked otherwise.
    @Option(name: .long, help: "Sampling temperature; 0 picks the most likely token.")
    public var temperature: Float = 0

    /// Seed of the sampler; random when absent.
    @Option(name: .long, help: "Seed for sampling, so a run can be repeated.")
    public var seed: UInt64?

    /// Threads; default all processors.
    @Option(name: .long, help: "Threads (default: all processors).")
    public var threads: Int?

    /// Print JSON.
    @Flag(name: .long, help: "Print one JSON object with the text, token ids and log-probabilities.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Checks numbers before the model is loaded.
    public func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1; \(maxTokens) was given.") }
        guard temperature.isFinite, temperature >= 0 else {
            throw ValidationError(
                "--temperature must be 0 (greedy) or positive, such as 0.7; \(temperature) was given.")
        }
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1; \(threads) was given.")
        }
        guard !prompt.isEmpty else { throw ValidationError("--prompt is empty; give some text.") }
    }

    /// Loads the model, generates and prints.
    public func run() throws {
        let loaded = try ModelArgument.model(model)
        // Byte-level BPE never makes more tokens than bytes, so the prompt's bytes plus room for the chat template
        // and its default system prompt bound the sequence; the KV pool is sized to that, not to the whole context.
        let length = min(loaded.configuration.contextLength, prompt.utf8.count + 512 + maxTokens)
        let runner = try ModelRunner(
            model: loaded,
            configuration: .init(
                threadCount: threads, maximumBatchTokens: 512, maximumBatchSequences: 1,
                pageCount: (length + KVPageTable.defaultPageSize - 1) / KVPageTable.defaultPageSize,
                maximumSequenceLength: length))
        let generator = try Generator(runner: runner)
        let parameters = SamplingParameters(temperature: temperature, seed: seed)
        var tokens: [GenerateOutput.Token] = []
        let start = ContinuousClock.now
        let onToken: (GeneratedToken) -> Void = { token in
            tokens.append(.init(id: token.token, text: token.text, logprob: token.sample.chosen.logprob))
            if !json, !token.text.isEmpty {
                FileHandle.standardOutput.write(Data(token.text.utf8))
            }
        }
        let result =
            chat
            ? try generator.chat(
                [ChatMessage(role: "user", content: prompt)], maximumTokens: maxTokens, parameters: parameters,
                onToken: onToken)
            : try generator.generate(
                prompt: prompt, maximumTokens: maxTokens, parameters: parameters, onToken: onToken)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if json {
            print(
                try JSONOutput.line(
                    GenerateOutput(
                        text: result.text, finishReason: result.finishReason.rawValue,
                        promptTokens: result.promptTokenCount, tokens: tokens,
                        tokensPerSecond: seconds > 0 ? Double(tokens.count) / seconds : 0)))
        } else {
            // Same unbuffered handle as the streamed tokens, so the newline lands before the stderr summary.
            FileHandle.standardOutput.write(Data("\n".utf8))
            printError(
                String(
                    format: "%d prompt tokens, %d generated (%@) in %.2f s", result.promptTokenCount,
                    result.tokens.count, result.finishReason.rawValue, seconds))
        }
    }
}

/// `ballast generate --json` output.
struct GenerateOutput: Encodable {
    struct Token: Encodable {
        var id: Int
        var text: String
        var logprob: Float
    }

    var text: String
    var finishReason: String
    var promptTokens: Int
    var tokens: [Token]
    var tokensPerSecond: Double
}
