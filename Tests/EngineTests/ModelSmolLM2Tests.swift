import Foundation
import Testing

@testable import Engine

/// Runs the real SmolLM2-135M-Instruct Q4_1 model when `BALLAST_SMOLLM2_GGUF` names it; skipped otherwise.
struct ModelSmolLM2Tests {
    static let path = ProcessInfo.processInfo.environment["BALLAST_SMOLLM2_GGUF"] ?? ""
    static let present = !path.isEmpty && FileManager.default.fileExists(atPath: path)

    @Test(.enabled(if: present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func readsTheConfiguration() throws {
        let model = try Model(path: Self.path)
        let c = model.configuration
        #expect(c.architecture == .llama)
        #expect(c.layerCount == 30)
        #expect(c.embeddingLength == 576)
        #expect(c.feedForwardLength == 1536)
        #expect(c.headCount == 9)
        #expect(c.keyValueHeadCount == 3)
        #expect(c.headDimension == 64)
        #expect(c.ropeFrequencyBase == 100_000)
        #expect(c.vocabularySize == 49152)
        #expect(model.tiesOutputToEmbedding)
        #expect(model.output.type == .q8_0)
    }

    @Test(.enabled(if: present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func greedyChatAnswersParis() throws {
        let model = try Model(path: Self.path)
        let runner = try ModelRunner(model: model, configuration: .init(maximumBatchSequences: 4, pageCount: 4))
        let generator = try Generator(runner: runner)
        var streamed = ""
        // Plain ChatML, as llama.cpp's built-in chatml format renders it (without the Jinja template's default
        // system prompt). With that system prompt the 135M model's first token is a near tie ("The" against "L",
        // 0.1 apart in an unquantized float64 forward of this file) that 8-bit activations tip either way.
        let prompt = ChatTemplate.chatML.encode(
            [ChatMessage(role: "user", content: "What is the capital of France?")], with: generator.tokenizer)
        let result = try generator.generate(promptTokens: prompt, maximumTokens: 20) { streamed += $0.text }
        #expect(result.text.contains("Paris"), "\(result.text)")
        #expect(result.finishReason == .stop)
        #expect(streamed == result.text)
        #expect(result.tokens.count <= 20)
        // English words, not byte soup: mostly letters and spaces.
        let letters = result.text.unicodeScalars.filter { $0.properties.isAlphabetic || $0 == " " }.count
        #expect(Double(letters) > 0.8 * Double(result.text.unicodeScalars.count), "\(result.text)")
    }

    @Test(.enabled(if: present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func batchedDecodeEqualsSingleOnTheRealModel() throws {
        let model = try Model(path: Self.path)
        let tokenizer = try Tokenizer(gguf: model.file.header)
        let prompts = ["The capital of France is", "def fibonacci(n):", "Once upon a time"].map { tokenizer.encode($0) }
        let configuration = ModelRunner.Configuration(maximumBatchSequences: 4, pageCount: 4)
        var alone: [[Float]] = []
        for prompt in prompts {
            let runner = try ModelRunner(model: model, configuration: configuration)
            let s = runner.createSequence()
            try runner.forward([.init(sequence: s, tokens: prompt)])
            try runner.forward([.init(sequence: s, tokens: [13])])
            alone.append(runner.logits(ofEntry: 0))
        }
        let runner = try ModelRunner(model: model, configuration: configuration)
        let sequences = prompts.map { _ in runner.createSequence() }
        try runner.forward(zip(sequences, prompts).map { .init(sequence: $0, tokens: $1) })
        try runner.forward(sequences.map { .init(sequence: $0, tokens: [13]) })
        for i in prompts.indices {
            #expect(runner.logits(ofEntry: i) == alone[i], "prompt \(i)")
        }
    }
}
