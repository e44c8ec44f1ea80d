import Foundation
import Testing

@testable import Engine

struct ModelBenchmarkTests {
    @Test func measuresEveryBatchSize() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        var reports: [(Int, Int)] = []
        let result = try DecodeBenchmark.run(
            model: model, threads: 2, promptLength: 40, batchSizes: [1, 3], decodeSteps: 4, rounds: 3
        ) { reports.append(($0, $1)) }
        #expect(result.threadCount == 2)
        #expect(result.promptLength == 40)
        #expect(result.rounds == 3)
        #expect(result.promptSamples.count == 3)
        #expect(result.promptTokensPerSecond == DecodeBenchmark.median(result.promptSamples))
        #expect(result.promptTokensPerSecond > 0 && result.promptTokensPerSecond.isFinite)
        #expect(result.decodeTokensPerSecond.map(\.batch) == [1, 3])
        for rate in result.decodeTokensPerSecond {
            #expect(rate.samples.count == 3)
            #expect(rate.samples.allSatisfy { $0 > 0 && $0.isFinite })
            #expect(rate.tokensPerSecond == DecodeBenchmark.median(rate.samples))
        }
        // A report after every measurement: a prompt and two batch sizes in each of three rounds.
        #expect(reports.map(\.0) == Array(1...9))
        #expect(reports.allSatisfy { $0.1 == 9 })
    }

    @Test(
        arguments: [
            ([], 0), ([5], 5), ([3, 1], 2), ([9, 1, 4], 4), ([2, 8, 4, 6], 5), ([7, 7, 1], 7),
        ] as [([Double], Double)])
    func medianIsTheMiddleValue(values: [Double], median: Double) {
        #expect(DecodeBenchmark.median(values) == median)
    }

    @Test func rejectsNonPositiveSizes() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let error = try #require(throws: ModelError.self) {
            try DecodeBenchmark.run(model: model, batchSizes: [1, 0])
        }
        #expect(error.description.contains("must be positive"))
        let rounds = try #require(throws: ModelError.self) {
            try DecodeBenchmark.run(model: model, rounds: 0)
        }
        #expect(rounds.description.contains("rounds (0)"))
    }

    /// Prints the real model's rates when `BALLAST_SMOLLM2_GGUF` names it (meaningful in a release build).
    @Test(.enabled(if: ModelSmolLM2Tests.present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func smolLM2Rates() throws {
        let model = try Model(path: ModelSmolLM2Tests.path)
        let result = try DecodeBenchmark.run(model: model)
        print(
            "SmolLM2 \(result.threadCount) threads: prompt \(result.promptTokensPerSecond) tokens/s; decode "
                + result.decodeTokensPerSecond.map { "batch \($0.batch) \($0.tokensPerSecond) tokens/s" }.joined(
                    separator: ", "))
        #expect(result.decodeTokensPerSecond.count == 3)
    }
}
