public import ArgumentParser
import Engine
import Foundation

/// `ballast eval QUANTIZED --reference REF --prompts FILE`: how far a quantized model's predictions drift from the
/// model it was made from.
public struct EvalCommand: ParsableCommand {
    /// Name, abstract and help of the command.
    public static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare a quantized model with its reference: KL divergence, top-1 agreement, perplexity.",
        discussion: """
            Both models run over every prompt (one per non-empty line of --prompts); at each position the \
            next-token distributions are compared over the whole vocabulary: KL(reference || quantized) in nats \
            (softmax in double precision), its mean and 99th percentile, and how often both rank the same token \
            first. With --text, both models' perplexity on that text, computed as llama-perplexity does: whole \
            windows of --window tokens, the second half of each scored.
            """
    )

    /// The model under test.
    @Argument(help: "Quantized GGUF file or cached model name.")
    public var quantized: String

    /// The model it was made from.
    @Option(name: .long, help: "Reference GGUF file or cached model name.")
    public var reference: String

    /// Prompts, one per line.
    @Option(name: .long, help: "Text file with one prompt per non-empty line.")
    public var prompts: String

    /// Optional text for perplexity.
    @Option(name: .long, help: "Text file to measure both models' perplexity on.")
    public var text: String?

    /// Perplexity window; default 256 tokens, long enough for real context and short enough for a quick run.
    @Option(name: .long, help: "Tokens per perplexity window.")
    public var window: Int = 256

    /// Quality gate: the largest acceptable mean KL in nats; none by default (report only).
    @Option(name: .long, help: "Exit with status 1 when the mean KL over the prompts is above this many nats.")
    public var maxKL: Double?

    /// Threads; default all processors.
    @Option(name: .long, help: "Threads per model step (default: all processors).")
    public var threads: Int?

    /// Print JSON.
    @Flag(name: .long, help: "Print the result as one JSON object.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Checks numbers before any model is loaded.
    public func validate() throws {
        guard window >= 4 else { throw ValidationError("--window must be at least 4 tokens; \(window) was given.") }
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1; \(threads) was given.")
        }
        if let maxKL, !(maxKL >= 0 && maxKL.isFinite) {
            throw ValidationError("--max-kl must be a non-negative number of nats, such as 0.05; \(maxKL) was given.")
        }
    }

    /// Loads both models, compares them and prints the result.
    public func run() throws {
        let promptLines = try Self.readText(prompts, option: "--prompts")
            .split(whereSeparator: \.isNewline).map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
        guard !promptLines.isEmpty else {
            throw ValidationError("\(prompts) holds no prompts; write one prompt per line.")
        }
        let textTokens = try text.map { try Self.readText($0, option: "--text") }
        let referenceModel = try ModelArgument.model(reference)
        let quantizedModel = try ModelArgument.model(quantized)
        let tokenizer = try Tokenizer(gguf: referenceModel.file.header)
        let quantizedTokenizer = try Tokenizer(gguf: quantizedModel.file.header)
        guard tokenizer.tokens == quantizedTokenizer.tokens else {
            throw ValidationError(
                "\(quantized) and \(reference) have different vocabularies; compare a quantization with the model "
                    + "it was made from.")
        }
        let sequences = promptLines.map { tokenizer.encode($0, parseSpecial: false) }
        let textSequence = textTokens.map { tokenizer.encode($0, parseSpecial: false) }
        let longest = max(sequences.map(\.count).max() ?? 1, textSequence == nil ? 1 : window)
        let evaluator = try ModelEvaluator(
            reference: referenceModel, candidate: quantizedModel, threads: threads,
            batchSize: 16, maximumSequenceLength: longest)
        let comparison = try evaluator.compare(sequences)
        let perplexity = try textSequence.map { try evaluator.perplexity(of: $0, window: window) }
        let report = EvalReport(
            quantized: quantized, reference: reference,
            prompts: zip(promptLines, comparison.sequences).map { EvalReport.Prompt(prompt: $0, comparison: $1) },
            overall: EvalReport.Stats(comparison.overall),
            perplexity: perplexity.map(EvalReport.PerplexityReport.init))
        if json {
            print(try JSONOutput.line(report))
        } else {
            print(report.table)
        }
        if let maxKL, !(comparison.overall.meanKL <= maxKL) {
            printError(
                String(
                    format: "The mean KL %.6f nats is above --max-kl %g; keep more tensors with --keep or choose a "
                        + "wider --type when quantizing.", comparison.overall.meanKL, maxKL))
            throw ExitCode(1)
        }
    }

    static func readText(_ path: String, option: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("Cannot read \(option) file \(path); check the path.")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// What `ballast eval` prints.
struct EvalReport: Encodable {
    struct Stats: Encodable {
        var positions: Int
        var meanKL: Double
        var p99KL: Double
        var maxKL: Double
        var top1Agreement: Double

        init(_ s: DivergenceSummary) {
            positions = s.count
            meanKL = s.meanKL
            p99KL = s.p99KL
            maxKL = s.maximumKL
            top1Agreement = s.topOneAgreement
        }
    }

    struct Prompt: Encodable {
        var prompt: String
        var tokens: Int
        var stats: Stats

        init(prompt: String, comparison: ModelEvaluator.SequenceComparison) {
            self.prompt = prompt
            tokens = comparison.tokenCount
            stats = Stats(comparison.summary)
        }
    }

    struct PerplexityReport: Encodable {
        var tokens: Int
        var window: Int
        var reference: Double
        var quantized: Double
        var stats: Stats

        init(_ result: ModelEvaluator.PerplexityResult) {
            tokens = result.reference.tokenCount
            window = result.window
            reference = result.reference.value
            quantized = result.candidate.value
            stats = Stats(result.divergence)
        }
    }

    var quantized: String
    var reference: String
    var prompts: [Prompt]
    var overall: Stats
    var perplexity: PerplexityReport?

    /// A table for people.
    var table: String {
        func row(_ name: String, _ tokens: Int, _ s: Stats) -> String {
            String(
                format: "%@  %6d  %10.6f  %10.6f  %9.1f%%", name.padding(toLength: 32, withPad: " ", startingAt: 0),
                tokens, s.meanKL, s.p99KL, s.top1Agreement * 100)
        }
        var lines = ["\(quantized) against \(reference)", ""]
        lines.append(
            "prompt".padding(toLength: 32, withPad: " ", startingAt: 0) + "  tokens   mean KL      p99 KL     top-1")
        for p in prompts {
            let name = p.prompt.count > 32 ? String(p.prompt.prefix(29)) + "..." : p.prompt
            lines.append(row(name, p.tokens, p.stats))
        }
        lines.append(row("all", overall.positions, overall))
        if let perplexity {
            lines.append("")
            lines.append(
                String(
                    format:
                        "perplexity over %d scored tokens (windows of %d): reference %.3f, quantized %.3f (%+.2f%%)",
                    perplexity.tokens, perplexity.window, perplexity.reference, perplexity.quantized,
                    (perplexity.quantized / perplexity.reference - 1) * 100))
            lines.append(row("text (scored positions)", perplexity.tokens, perplexity.stats))
        }
        return lines.joined(separator: "\n")
    }
}
