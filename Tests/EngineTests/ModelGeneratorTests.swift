import Foundation
import Testing

@testable import Engine

struct ModelGeneratorTests {
    static let prompt = [5, 60, 120, 7, 250, 33, 90]

    func generator(_ directory: TemporaryDirectory) throws -> Generator {
        let model = try TinyModel(withVocabulary: true).model(in: directory)
        return try Generator(
            runner: ModelRunner(
                model: model,
                configuration: .init(
                    threadCount: 2, maximumBatchTokens: 4, maximumBatchSequences: 2, pageCount: 8,
                    pageSize: 4)))
    }

    @Test(arguments: [0, 1, 12])
    func greedyFollowsTheArgmaxAndStreamsTheText(maximumTokens: Int) throws {
        let directory = try TemporaryDirectory()
        let generator = try generator(directory)
        var streamed: [GeneratedToken] = []
        let result = try generator.generate(promptTokens: Self.prompt, maximumTokens: maximumTokens) {
            streamed.append($0)
        }
        // The same greedy loop written out with the runner (a prompt of 7 tokens spans two chunks of 4).
        let runner = generator.runner
        let s = runner.createSequence()
        try runner.forward([.init(sequence: s, tokens: Array(Self.prompt[0..<4]))])
        try runner.forward([.init(sequence: s, tokens: Array(Self.prompt[4...]))])
        var expected: [Int] = []
        while expected.count < maximumTokens {
            let logits = runner.logits(ofEntry: 0)
            let best = logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) } ?? 0
            expected.append(best)
            if generator.endTokens.contains(best) || expected.count == maximumTokens { break }
            try runner.forward([.init(sequence: s, tokens: [best])])
        }
        runner.free(s)
        #expect(result.tokens == expected)
        #expect(result.promptTokenCount == Self.prompt.count)
        #expect(result.finishReason == (expected.last.map(generator.endTokens.contains) == true ? .stop : .length))
        #expect(streamed.map(\.token) == result.tokens)
        #expect(streamed.map(\.text).joined() == result.text)
        #expect(result.text == generator.tokenizer.decode(result.tokens))
        #expect(runner.pageTable.sequenceIDs.isEmpty, "the generator frees its sequence")
        #expect(runner.pageTable.freePageCount == runner.pageTable.pageCount)
    }

    @Test func stopSequenceEndsTheTextBeforeIt() throws {
        let directory = try TemporaryDirectory()
        let generator = try generator(directory)
        let full = try generator.generate(promptTokens: Self.prompt, maximumTokens: 12)
        try #require(full.tokens.count >= 6)
        // Stop at the text of the fifth token, across whatever tokens it may also occur in earlier.
        let stop = generator.tokenizer.decode([full.tokens[4]])
        let end = try #require(full.text.range(of: stop)).lowerBound
        let stopped = try generator.generate(
            promptTokens: Self.prompt, maximumTokens: 12,
            parameters: SamplingParameters(temperature: 0, stopSequences: [stop]))
        #expect(stopped.text == String(full.text[..<end]))
        #expect(stopped.finishReason == .stop)
        #expect(stopped.tokens == Array(full.tokens.prefix(stopped.tokens.count)))
    }

    @Test func seededSamplingRepeats() throws {
        let directory = try TemporaryDirectory()
        let generator = try generator(directory)
        let parameters = SamplingParameters(temperature: 1.2, topK: 40, topP: 0.95, seed: 1234, topLogprobCount: 3)
        let a = try generator.generate(promptTokens: Self.prompt, maximumTokens: 10, parameters: parameters)
        let b = try generator.generate(promptTokens: Self.prompt, maximumTokens: 10, parameters: parameters)
        #expect(a == b)
        var other = parameters
        other.seed = 4321
        let c = try generator.generate(promptTokens: Self.prompt, maximumTokens: 10, parameters: other)
        #expect(a.tokens != c.tokens)
    }

    @Test func rejectsBadRequests() throws {
        let directory = try TemporaryDirectory()
        let generator = try generator(directory)
        let cases: [([Int], Int, SamplingParameters, String)] = [
            ([], 5, .greedy, "The prompt is empty"),
            ([1], -1, .greedy, "max_tokens (-1)"),
            ([1], 5, SamplingParameters(topP: 2), "top_p (2.0)"),
            ([1, 400], 5, .greedy, "id 400 is outside the vocabulary"),
        ]
        for (prompt, maximum, parameters, message) in cases {
            let error = try #require(throws: ModelError.self) {
                try generator.generate(promptTokens: prompt, maximumTokens: maximum, parameters: parameters)
            }
            #expect(error.description.contains(message), "\(error.description)")
        }
        #expect(generator.runner.pageTable.sequenceIDs.isEmpty)
    }

    @Test func modelWithoutVocabularyNamesTheKey() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let error = try #require(throws: ModelError.self) { try Generator(runner: ModelRunner(model: model)) }
        #expect(error.description.contains("tokenizer.ggml.model"), "\(error.description)")
    }
}
