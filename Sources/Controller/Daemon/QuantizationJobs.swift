public import BallastCore
import Foundation
public import Logging

/// Runs quantization evaluations in the background, one at a time: `ballast quantize`, `ballast eval`
/// against the current model, and `ballast bench engine` on both, then records whether the candidate is
/// ready to canary or why not.
///
/// A candidate is ready when its quality loss (perplexity increase on a held text, as a fraction) is within
/// the rule's `maxQualityLoss` and its measured decode throughput is higher than the current model's, which
/// makes each inference cheaper on the same replicas. The result is stored as the action's JSON `result`.
public actor QuantizationJobs {
    /// What to quantize and the limits the candidate must meet.
    public struct Request: Sendable {
        /// The action this job finishes.
        public var actionKey: String
        /// The deployment whose model is quantized.
        public var deployment: DeploymentKey
        /// `q4_0`, `q4_1` or `q8_0`.
        public var format: String
        /// Largest acceptable perplexity increase, as a fraction (0.02 = 2 %).
        public var maxQualityLoss: Double
        /// Tensor name parts kept at their original precision.
        public var keep: [String]
        /// The cost per inference when the rule fired, in the policy's currency, if measured.
        public var costPerInference: Double?
    }

    /// Where the tools and files are.
    public struct Configuration: Sendable {
        /// The `ballast` executable. Default: this process's own executable.
        public var executable: String
        /// The model file each deployment serves now; `nil` for a deployment means "cannot quantize".
        public var modelPath: @Sendable (DeploymentKey) -> String?
        /// Directory for candidate files and evaluation inputs.
        public var workDirectory: String
        /// Threads for `eval` and `bench`. Default 1, so the serving workers keep the other cores.
        public var threads: Int
        /// Longest a single step may run. Default 30 minutes.
        public var stepTimeout: Duration

        /// Creates a configuration.
        public init(
            executable: String, modelPath: @escaping @Sendable (DeploymentKey) -> String?, workDirectory: String,
            threads: Int = 1, stepTimeout: Duration = .seconds(1800)
        ) {
            self.executable = executable
            self.modelPath = modelPath
            self.workDirectory = workDirectory
            self.threads = threads
            self.stepTimeout = stepTimeout
        }
    }

    /// What a finished job found; stored as the action's `result`.
    public struct Candidate: Codable, Hashable, Sendable {
        /// The quantized file.
        public var file: String
        /// Its format.
        public var format: String
        /// Mean KL divergence from the current model over the evaluation prompts, in nats.
        public var meanKL: Double
        /// 99th percentile KL, in nats.
        public var p99KL: Double
        /// Perplexity of the current model on the held text.
        public var referencePerplexity: Double?
        /// Perplexity of the candidate on the held text.
        public var candidatePerplexity: Double?
        /// Perplexity increase as a fraction, never below 0.
        public var qualityLoss: Double
        /// Decode tokens/s of the current model at batch 1.
        public var referenceTokensPerSecond: Double
        /// Decode tokens/s of the candidate at batch 1.
        public var candidateTokensPerSecond: Double
        /// Cost per inference when the rule fired.
        public var costPerInference: Double?
        /// The same cost scaled by the throughput gain: what one inference would cost with the candidate.
        public var candidateCostPerInference: Double?
        /// Whether the candidate meets the quality limit and costs less.
        public var ready: Bool
        /// One sentence saying why or why not.
        public var verdict: String
    }

    let configuration: Configuration
    let runner: any CommandRunning
    let store: any StateStore
    let logger: Logger
    private let stream: AsyncStream<Request>
    private let continuation: AsyncStream<Request>.Continuation

    /// Creates the job queue; call ``run()`` to process it.
    public init(
        configuration: Configuration, runner: any CommandRunning, store: any StateStore,
        logger: Logger = Logger(label: "ballast.quantize")
    ) {
        self.configuration = configuration
        self.runner = runner
        self.store = store
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Request.self)
    }

    /// Queues a job.
    public func submit(_ request: Request) {
        continuation.yield(request)
    }

    /// Processes jobs until cancelled.
    public func run() async {
        for await request in stream {
            if Task.isCancelled { break }
            let (status, detail, commands, result) = await evaluate(request)
            do {
                try await store.updateAction(
                    key: request.actionKey, status: status, detail: detail, commands: commands, result: result,
                    at: ControllerClock.now())
            } catch {
                logger.error(
                    "Could not record a quantization result.",
                    metadata: ["action": "\(request.actionKey)", "error": "\(error)"])
            }
        }
    }

    /// Ends ``run()`` after the jobs already queued.
    public func finish() {
        continuation.finish()
    }

    private func evaluate(_ request: Request) async -> (ActionStatus, String, [CommandRecord], String?) {
        var commands: [CommandRecord] = []
        guard let model = configuration.modelPath(request.deployment) else {
            return (
                .failed,
                "No model file is known for \(request.deployment); start the controller with --model PATH.", [], nil
            )
        }
        let directory = (configuration.workDirectory as NSString).appendingPathComponent("candidates")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try EvaluationCorpus.write(into: directory)
        } catch {
            return (.failed, "Cannot prepare \(directory): \(error); check permissions.", [], nil)
        }
        let stem = ((model as NSString).lastPathComponent as NSString).deletingPathExtension
        let output = (directory as NSString).appendingPathComponent("\(stem).\(request.format).gguf")
        let threads = String(configuration.threads)
        logger.info("Quantizing \(model) to \(request.format) for \(request.deployment).")

        func failure(_ what: String) -> (ActionStatus, String, [CommandRecord], String?) {
            let stderr = commands.last.map { $0.stderr.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            return (.failed, "\(what) failed: \(stderr.isEmpty ? "no error output" : stderr)", commands, nil)
        }

        var quantize = ["quantize", model, output, "--type", request.format, "--json"]
        if !request.keep.isEmpty { quantize += ["--keep", request.keep.joined(separator: ",")] }
        guard await step(into: &commands, quantize) != nil else { return failure("ballast quantize") }
        guard
            let eval = await step(into: &commands, [
                "eval", output, "--reference", model, "--prompts", EvaluationCorpus.promptsPath(in: directory),
                "--text", EvaluationCorpus.textPath(in: directory), "--window", "128", "--threads", threads, "--json",
            ])
        else { return failure("ballast eval") }
        let bench = ["--batch", "1", "--decode-steps", "32", "--prompt-length", "64", "--threads", threads, "--json"]
        guard let benchReference = await step(into: &commands, ["bench", "engine", "--model", model] + bench) else {
            return failure("ballast bench engine on the current model")
        }
        guard let benchCandidate = await step(into: &commands, ["bench", "engine", "--model", output] + bench) else {
            return failure("ballast bench engine on the candidate")
        }
        guard let quality = EvalSummary(json: eval.stdout), let reference = BenchSummary(json: benchReference.stdout),
            let candidate = BenchSummary(json: benchCandidate.stdout)
        else {
            return (.failed, "The eval or bench output could not be read; run the commands by hand to see why.", commands, nil)
        }
        let verdict = Self.judge(
            request: request, file: output, quality: quality, reference: reference, candidate: candidate)
        logger.info("Quantization of \(request.deployment) to \(request.format): \(verdict.verdict).")
        return (.succeeded, verdict.verdict, commands, Self.json(verdict))
    }

    /// Runs one `ballast` step, appending its record; the record when it exited 0.
    private func step(into commands: inout [CommandRecord], _ arguments: [String]) async -> CommandRecord? {
        let record = await runner.run(
            [configuration.executable] + arguments, input: nil, timeout: configuration.stepTimeout)
        commands.append(record)
        return record.exitCode == 0 ? record : nil
    }

    /// The candidate as sorted-key JSON, the action's stored result.
    static func json(_ candidate: Candidate) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(candidate)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Decides whether a measured candidate is ready: pure, so tests can feed it numbers.
    static func judge(
        request: Request, file: String, quality: EvalSummary, reference: BenchSummary, candidate: BenchSummary
    ) -> Candidate {
        let loss: Double
        if let ref = quality.referencePerplexity, let cand = quality.candidatePerplexity, ref > 0 {
            loss = max(0, cand / ref - 1)
        } else {
            loss = max(0, 1 - quality.top1Agreement)
        }
        let gain = reference.tokensPerSecond > 0 ? candidate.tokensPerSecond / reference.tokensPerSecond : 0
        let newCost = request.costPerInference.flatMap { gain > 0 ? $0 / gain : nil }
        let percent = { (x: Double) in String(format: "%.2f %%", x * 100) }
        let verdict: String
        let ready: Bool
        if loss > request.maxQualityLoss {
            ready = false
            verdict =
                "not ready: quality loss \(percent(loss)) is above the limit \(percent(request.maxQualityLoss)); "
                + "keep more tensors or choose a wider format"
        } else if gain <= 1 {
            ready = false
            verdict = String(
                format: "not ready: the candidate decodes %.1f tokens/s against %.1f now, so it would not cost less",
                candidate.tokensPerSecond, reference.tokensPerSecond)
        } else {
            ready = true
            verdict = String(
                format: "candidate ready: quality loss %@ within %@, decode %.1f → %.1f tokens/s (%.2fx)",
                percent(loss), percent(request.maxQualityLoss), reference.tokensPerSecond, candidate.tokensPerSecond,
                gain)
        }
        return Candidate(
            file: file, format: request.format, meanKL: quality.meanKL, p99KL: quality.p99KL,
            referencePerplexity: quality.referencePerplexity, candidatePerplexity: quality.candidatePerplexity,
            qualityLoss: loss, referenceTokensPerSecond: reference.tokensPerSecond,
            candidateTokensPerSecond: candidate.tokensPerSecond, costPerInference: request.costPerInference,
            candidateCostPerInference: newCost, ready: ready, verdict: verdict)
    }
}

/// The numbers of `ballast eval --json` a verdict needs.
struct EvalSummary: Sendable {
    var meanKL: Double
    var p99KL: Double
    var top1Agreement: Double
    var referencePerplexity: Double?
    var candidatePerplexity: Double?

    init(meanKL: Double, p99KL: Double, top1Agreement: Double, referencePerplexity: Double?, candidatePerplexity: Double?) {
        self.meanKL = meanKL
        self.p99KL = p99KL
        self.top1Agreement = top1Agreement
        self.referencePerplexity = referencePerplexity
        self.candidatePerplexity = candidatePerplexity
    }

    init?(json: String) {
        struct Report: Decodable {
            struct Stats: Decodable {
                var meanKL: Double
                var p99KL: Double
                var top1Agreement: Double
            }
            struct Perplexity: Decodable {
                var reference: Double
                var quantized: Double
            }
            var overall: Stats
            var perplexity: Perplexity?
        }
        guard let line = json.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8))
        else { return nil }
        self.init(
            meanKL: report.overall.meanKL, p99KL: report.overall.p99KL, top1Agreement: report.overall.top1Agreement,
            referencePerplexity: report.perplexity?.reference, candidatePerplexity: report.perplexity?.quantized)
    }
}

/// Decode throughput at batch 1 from `ballast bench engine --json`.
struct BenchSummary: Sendable {
    var tokensPerSecond: Double

    init(tokensPerSecond: Double) {
        self.tokensPerSecond = tokensPerSecond
    }

    init?(json: String) {
        struct Report: Decodable {
            struct Decode: Decodable {
                var batch: Int
                var tokensPerSecond: Double
            }
            var decode: [Decode]
        }
        guard let line = json.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)),
            let first = report.decode.first(where: { $0.batch == 1 }) ?? report.decode.first
        else { return nil }
        tokensPerSecond = first.tokensPerSecond
    }
}
