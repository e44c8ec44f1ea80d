import Foundation
import Testing

@testable import Engine

/// Our tokenizer against llama.cpp's on the real SmolLM2 vocabulary: the fixture holds the token ids
/// `llama-server`'s `/tokenize` returned for mixed text (code, Chinese, Japanese, Korean, emoji with joiners and
/// flags, whitespace runs, special tokens).
struct TokenizerLlamaCppTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var text: String
        var tokens: [Int]
        var testDescription: String { String(text.prefix(32)).debugDescription }
    }

    struct Fixture: Decodable {
        var source: String
        var cases: [Case]
    }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "smollm2-llamacpp-tokens", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url),
            let fixture = try? JSONDecoder().decode(Fixture.self, from: data)
        else { return [] }
        return fixture.cases
    }()

    @Test func fixtureIsThere() {
        #expect(Self.cases.count >= 15)
    }

    @Test(.enabled(if: TestModel.smolLM2Required, "needs the SmolLM2 model in the model cache"), arguments: cases)
    func encodesLikeLlamaCpp(_ testCase: Case) throws {
        let tokenizer = try Tokenizer(gguf: try GGUFFile(path: TestModel.smolLM2Path).header)
        #expect(tokenizer.encode(testCase.text, parseSpecial: true) == testCase.tokens)
        #expect(tokenizer.decode(testCase.tokens, renderSpecial: true) == testCase.text)
    }
}
