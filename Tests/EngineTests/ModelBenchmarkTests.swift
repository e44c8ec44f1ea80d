import Foundation
import Testing

@testable import Engine

struct ModelBenchmarkTests {
    @Test func measuresEveryBatchSize() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let result = try DecodeBenchmark.run(model: model, threads: 2, promptLength: 40, batchSizes: [1, 3], decodeSteps: 4)
        #expect(result.threadCount == 2)
        #expect(result.promptLength == 40)
        #expect(result.promptTokensPerSecond > 0 && result.promptTokensPerSecond.isFinite)
        #expect(result.decodeTokensPerSecond.map(\.batch) == [1, 3])
        #expect(result.decodeTokensPerSecond.allSatisfy { $0.tokensPerSecond > 0 && $0.tokensPerSecond.isFinite })
    }

    @Test func rejectsNonPositiveSizes() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let error = try #require(throws: ModelError.self) {
            try DecodeBenchmark.run(model: model, batchSizes: [1, 0])
        }
        #expect(error.description.contains("must be positive"))
    }

    /// Prints the real model's rates when `BALLAST_SMOLLM2_GGUF` names it (meaningful in a release build).
    @Test(.enabled(if: ModelSmolLM2Tests.present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func smolLM2Rates() throws {
        let model = try Model(path: ModelSmolLM2Tests.path)
        let result = try DecodeBenchmark.run(model: model)
        print(
            "SmolLM2 \(result.threadCount) threads: prompt \(result.promptTokensPerSecond) tokens/s; decode "
                + result.decodeTokensPerSecond.map { "batch \($0.batch) \($0.tokensPerSecond) tokens/s" }.joined(separator: ", "))
        #expect(result.decodeTokensPerSecond.count == 3)
    }
}
