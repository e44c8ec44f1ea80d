import Testing

@testable import Engine

struct TokenizerTests {
    /// A tiny vocabulary: ids 0…255 are the single bytes (so a byte's id is its value), then five merged tokens
    /// and two control tokens.
    static let merges = ["h e", "t he", "Ġ t", "Ġt he", "m e"]
    static let mergedTokens = ["he", "the", "Ġt", "Ġthe", "me"]
    static let imStart = 261
    static let imEnd = 262

    static func tokenizer(_ pre: PreTokenizer = .smollm) throws -> Tokenizer {
        let bytes = ByteLevelAlphabet.scalarForByte.map { String($0) }
        let tokens = bytes + mergedTokens + ["<|im_start|>", "<|im_end|>"]
        let types = [TokenType](repeating: .normal, count: 261) + [.control, .control]
        return try Tokenizer(
            tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: pre, bosToken: imStart, eosToken: imEnd)
    }

    @Test func byteLevelAlphabetIsABijection() {
        #expect(Set(ByteLevelAlphabet.scalarForByte).count == 256)
        #expect(ByteLevelAlphabet.scalarForByte[32] == "Ġ")
        #expect(ByteLevelAlphabet.scalarForByte[10] == "Ċ")
        #expect(ByteLevelAlphabet.scalarForByte[65] == "A")
        let all = (0...255).map(UInt8.init)
        #expect(ByteLevelAlphabet.decode(ByteLevelAlphabet.encode(all)) == all)
        #expect(ByteLevelAlphabet.decode("\u{4E00}") == nil)
    }

    struct SplitCase: Sendable, CustomTestStringConvertible {
        let pre: PreTokenizer
        let text: String
        let pieces: [String]
        var testDescription: String { "\(pre.rawValue): \(text.debugDescription)" }
    }

    static let splitCases: [SplitCase] = [
        SplitCase(pre: .gpt2, text: "Hello world 123", pieces: ["Hello", " world", " 123"]),
        SplitCase(pre: .smollm, text: "Hello world 123", pieces: ["Hello", " world", " ", "1", "2", "3"]),
        SplitCase(pre: .llamaBPE, text: "Hello world 12345", pieces: ["Hello", " world", " ", "123", "45"]),
        SplitCase(pre: .qwen2, text: "x 123", pieces: ["x", " ", "1", "2", "3"]),
        SplitCase(pre: .gpt2, text: "don't", pieces: ["don", "'t"]),
        SplitCase(pre: .gpt2, text: "DON'T", pieces: ["DON", "'", "T"]),
        SplitCase(pre: .llamaBPE, text: "DON'T", pieces: ["DON", "'T"]),
        SplitCase(pre: .gpt2, text: "a   b", pieces: ["a", "  ", " b"]),
        SplitCase(pre: .smollm, text: "a\nb", pieces: ["a", "\n", "b"]),
        SplitCase(pre: .llamaBPE, text: "a\n\nb", pieces: ["a", "\n\n", "b"]),
        SplitCase(pre: .llamaBPE, text: "(x)", pieces: ["(x", ")"]),
        SplitCase(pre: .gpt2, text: "你好世界 🚀!", pieces: ["你好世界", " 🚀!"]),
        SplitCase(pre: .qwen2, text: "if x:\n    return 1", pieces: ["if", " x", ":\n", "   ", " return", " ", "1"]),
        // A combining mark is not a letter (\p{M}), so it splits a decomposed "é" off its base letter.
        SplitCase(pre: .smollm, text: "e\u{301}t\u{E9}", pieces: ["e", "\u{301}", "t\u{E9}"]),
    ]

    @Test(arguments: splitCases)
    func preTokenizerSplits(testCase: SplitCase) throws {
        let splitter = try PreTokenizerSplitter(testCase.pre)
        #expect(splitter.split(testCase.text[...]).map(String.init) == testCase.pieces)
    }

    /// " theme": h+e (rank 0) first, then t+he (rank 1) beats Ġ+t (rank 2), so "Ġt he" never applies.
    @Test func mergesApplyLowestRankFirst() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("the") == [257])
        #expect(tokenizer.encode(" theme") == [32, 257, 260])
        #expect(tokenizer.encode("tea") == [116, 101, 97])
        #expect(tokenizer.decode([32, 257, 260]) == " theme")
    }

    @Test func specialTokensAreCutOutOnlyWhenParsing() throws {
        let tokenizer = try Self.tokenizer()
        let text = "<|im_start|>the<|im_end|>"
        #expect(tokenizer.encode(text) == [Self.imStart, 257, Self.imEnd])
        let plain = tokenizer.encode(text, parseSpecial: false)
        #expect(!plain.contains(Self.imStart))
        #expect(tokenizer.decode(plain) == text)
        #expect(tokenizer.decode([Self.imStart, 257, Self.imEnd]) == "the")
        #expect(tokenizer.decode([Self.imStart, 257, Self.imEnd], renderSpecial: true) == text)
    }

    static let roundTripTexts = [
        "func f(x: Int) -> Int {\n\treturn x * 2 // double\n}\n",
        "机器学习模型的推理服务 — 量化到 INT4。",
        "emoji 🚀🎉👩‍👩‍👧 and flags 🇫🇷",
        "   leading, trailing   \n\n\n  and\r\nCRLF  ",
        "numbers 3.14159, 1e-9, 0xFF, 1234567890",
        "I'm sure they'll say we've done it, DON'T THEY'D?",
        "",
    ]

    @Test(arguments: PreTokenizer.allCases)
    func decodeInvertsEncode(pre: PreTokenizer) throws {
        let tokenizer = try Self.tokenizer(pre)
        for text in Self.roundTripTexts {
            let ids = tokenizer.encode(text)
            #expect(tokenizer.decode(ids) == text, "\(pre.rawValue): \(text.debugDescription)")
            #expect(ids.count <= text.utf8.count)
        }
    }

    @Test func characterSplitOverTokensDecodesWhole() throws {
        let tokenizer = try Self.tokenizer()
        let ids = tokenizer.encode("é")
        #expect(ids == [0xC3, 0xA9])
        #expect(tokenizer.decodeBytes([ids[0]]) == [0xC3])
        #expect(tokenizer.decode([ids[0]]) == "\u{FFFD}")
        #expect(tokenizer.decode(ids) == "é")
    }

    @Test func badVocabulariesAreClearErrors() throws {
        let bad = #expect(throws: TokenizerError.self) {
            try Tokenizer(tokens: ["a"], merges: ["abc"], preTokenizer: .gpt2)
        }
        #expect(
            bad?.description
                == "`tokenizer.ggml.merges`[0] is \"abc\"; each merge is two symbols separated by one space.")
        let types = #expect(throws: TokenizerError.self) {
            try Tokenizer(tokens: ["a", "b"], merges: [], tokenTypes: [.normal], preTokenizer: .gpt2)
        }
        #expect(
            types?.description
                == "`tokenizer.ggml.token_type` has 1 entries but there are 2 tokens; give one type per token.")
        let eos = #expect(throws: TokenizerError.self) {
            try Tokenizer(tokens: ["a"], merges: [], preTokenizer: .gpt2, eosToken: 5)
        }
        #expect(eos?.description == "`tokenizer.ggml.eos_token_id` is 5, outside the 1-token vocabulary.")
    }

    /// A merge whose result is not in the vocabulary leaves its parts as single-byte tokens.
    @Test func mergedSymbolMissingFromVocabularyFallsBackToBytes() throws {
        let bytes = ByteLevelAlphabet.scalarForByte.map { String($0) }
        let tokenizer = try Tokenizer(tokens: bytes, merges: ["a b"], preTokenizer: .gpt2)
        #expect(tokenizer.encode("ab") == [97, 98])
        #expect(tokenizer.decode([97, 98]) == "ab")
    }

    @Test func malformedGGUFTokenizerKeysAreNamed() throws {
        func header(_ edit: (inout GGUFWriter) throws -> Void) throws -> GGUFHeader {
            var writer = GGUFWriter()
            try writer.set("tokenizer.ggml.model", .string("gpt2"))
            try writer.set("tokenizer.ggml.tokens", .array(.string(["a", "b"])))
            try writer.set("tokenizer.ggml.merges", .array(.string(["a b"])))
            try edit(&writer)
            let bytes = writer.encoded()
            return try bytes.withUnsafeBytes { buffer throws(GGUFError) in try GGUFHeader.parse(buffer) }
        }
        let cases: [(String, (inout GGUFWriter) throws -> Void, String)] = [
            (
                "type value", { try $0.set("tokenizer.ggml.token_type", .array(.int32([1, 9]))) },
                "`tokenizer.ggml.token_type`[1] is 9; token types are 1 to 6."
            ),
            (
                "type kind", { try $0.set("tokenizer.ggml.token_type", .array(.string(["x", "y"]))) },
                "`tokenizer.ggml.token_type` is not an array of integers."
            ),
            (
                "tokens", { try $0.set("tokenizer.ggml.tokens", .uint32(2)) },
                "`tokenizer.ggml.tokens` is missing or not an array of strings."
            ),
            (
                "merges", { try $0.set("tokenizer.ggml.merges", .array(.int32([1]))) },
                "`tokenizer.ggml.merges` is missing or not an array of strings."
            ),
            (
                "bos", { try $0.set("tokenizer.ggml.bos_token_id", .uint32(7)) },
                "`tokenizer.ggml.bos_token_id` is 7, outside the 2-token vocabulary."
            ),
        ]
        for (name, edit, message) in cases {
            let error = #expect(throws: TokenizerError.self, "\(name)") { try Tokenizer(gguf: try header(edit)) }
            #expect(error?.description == message)
        }
        // "default" is llama.cpp's name for the GPT-2 expression.
        let defaulted = try Tokenizer(gguf: try header { try $0.set("tokenizer.ggml.pre", .string("default")) })
        #expect(defaulted.preTokenizer == .gpt2)
    }

    static func ggufHeader(model: String = "gpt2", pre: String = "smollm") throws -> GGUFHeader {
        var writer = GGUFWriter()
        try writer.set("tokenizer.ggml.model", .string(model))
        try writer.set("tokenizer.ggml.pre", .string(pre))
        let bytes = ByteLevelAlphabet.scalarForByte.map { String($0) }
        try writer.set("tokenizer.ggml.tokens", .array(.string(bytes + mergedTokens + ["<|im_start|>", "<|im_end|>"])))
        try writer.set("tokenizer.ggml.token_type", .array(.int32([Int32](repeating: 1, count: 261) + [3, 3])))
        try writer.set("tokenizer.ggml.merges", .array(.string(merges)))
        try writer.set("tokenizer.ggml.bos_token_id", .uint32(261))
        try writer.set("tokenizer.ggml.eos_token_id", .uint32(262))
        try writer.set("tokenizer.ggml.add_bos_token", .bool(true))
        let encoded = writer.encoded()
        return try encoded.withUnsafeBytes { buffer throws(GGUFError) in try GGUFHeader.parse(buffer) }
    }

    @Test func buildsFromGGUFMetadata() throws {
        let tokenizer = try Tokenizer(gguf: try Self.ggufHeader())
        #expect(tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.vocabularySize == 263)
        #expect(tokenizer.bosToken == 261)
        #expect(tokenizer.eosToken == 262)
        #expect(tokenizer.encode(" theme") == [261, 32, 257, 260])

        let model = #expect(throws: TokenizerError.self) { try Tokenizer(gguf: try Self.ggufHeader(model: "llama")) }
        #expect(
            model?.description
                == "`tokenizer.ggml.model` is \"llama\"; only \"gpt2\" (byte-level BPE) vocabularies are supported.")
        let pre = #expect(throws: TokenizerError.self) { try Tokenizer(gguf: try Self.ggufHeader(pre: "tekken")) }
        #expect(
            pre?.description.hasPrefix("`tokenizer.ggml.pre` is \"tekken\"; supported pre-tokenizers are \"gpt2\"")
                == true)
    }
}
