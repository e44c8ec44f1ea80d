public import ArgumentParser
import Engine
import Foundation

/// `ballast quantize IN OUT --type T`: requantizes a GGUF model's weights.
public struct QuantizeCommand: ParsableCommand {
    /// Name, abstract and help of the command.
    public static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Requantize a GGUF model's weights to Q4_0, Q4_1 or Q8_0.",
        discussion: """
            Weight matrices become --type; norms and other 1-D tensors stay as they are; the output projection \
            (or the token embedding when the two are tied) becomes Q8_0, as llama.cpp does for rows that are not \
            a multiple of 256. Tensors matching --keep stay as they are (document 004 keeps the attention Q/K/V \
            projections in higher precision). Progress goes to stderr; a summary to stdout.
            """
    )

    /// The model to read: a path or a cache name.
    @Argument(help: "Input GGUF file or cached model name (F32, F16, Q4_0, Q4_1 and Q8_0 tensors).")
    public var input: String

    /// The file to write.
    @Argument(help: "Output GGUF file.")
    public var output: String

    /// Target weight type.
    @Option(name: .long, help: "Weight type to write: q4_0, q4_1 or q8_0.")
    public var type: String

    /// Tensor name patterns to copy unchanged; none by default.
    @Option(
        name: .long, parsing: .singleValue,
        help: "Comma-separated tensor name parts or globs to keep unchanged, such as attn_q,attn_k,attn_v.")
    public var keep: [String] = []

    /// Print the summary as JSON.
    @Flag(name: .long, help: "Print the summary as one JSON object.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Checks the type name before any file is read.
    public func validate() throws {
        guard let parsed = TensorType(name: type), QuantizationPlan.targetTypes.contains(parsed) else {
            throw ValidationError("--type \(type) is not supported; use q4_0, q4_1 or q8_0.")
        }
    }

    /// Plans, converts and writes, then prints what was done.
    public func run() throws {
        let target = TensorType(name: type) ?? .q8_0
        let patterns = keep.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let file = try GGUFFile(path: try ModelArgument.path(input))
        let plan: QuantizationPlan
        do {
            plan = try QuantizationPlan(tensors: file.tensors, target: target, keep: patterns)
        } catch {
            throw ValidationError("\(input): \(error.description)")
        }
        var bar = ProgressBar(label: "quantize")
        let report = try ModelQuantizer.quantize(file, plan: plan, to: output) { progress in
            bar.update(done: progress.bytesDone, total: progress.byteCount, detail: progress.tensor)
        }
        bar.finish()
        var counts: [String: Int] = [:]
        for entry in plan.entries { counts[entry.targetType.description, default: 0] += 1 }
        let converted = plan.entries.filter { !$0.copiesBytes }.count
        let kept = plan.entries.filter { $0.reason == .keptByPattern }.count
        if json {
            print(
                try JSONOutput.line(
                    QuantizeSummary(
                        input: input, output: output, type: target.description, tensors: plan.entries.count,
                        converted: converted, kept: kept, tensorTypes: counts,
                        inputTensorBytes: report.inputTensorBytes, outputTensorBytes: report.outputTensorBytes,
                        outputFileBytes: report.outputFileBytes)))
        } else {
            let types = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print(
                "\(output): \(plan.entries.count) tensors (\(types)); \(converted) converted to \(target), "
                    + "\(kept) kept by --keep; tensor data \(report.inputTensorBytes) -> \(report.outputTensorBytes) "
                    + "bytes.")
        }
    }
}

/// `ballast quantize --json` output.
struct QuantizeSummary: Encodable {
    var input: String
    var output: String
    var type: String
    var tensors: Int
    var converted: Int
    var kept: Int
    var tensorTypes: [String: Int]
    var inputTensorBytes: Int
    var outputTensorBytes: Int
    var outputFileBytes: Int
}
