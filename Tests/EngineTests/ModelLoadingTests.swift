import Foundation
import Testing

@testable import Engine

/// A small random-weight model written with ``GGUFWriter``: 2 layers, width 64, 4 heads over 2 KV heads, a
/// vocabulary of 300, with every weight type the kernels multiply so each path runs.
struct TinyModel {
    var architecture: ModelArchitecture = .llama
    var layers = 2
    var embedding = 64
    var feedForward = 128
    var heads = 4
    var keyValueHeads = 2
    var vocabulary = 300
    var tiedOutput = false
    var seed: UInt64 = 7
    /// Tensors to leave out or give a wrong shape, to test the loader's errors.
    var omit: Set<String> = []
    var reshape: [String: [Int]] = [:]
    var extraMetadata: [(String, GGUFValue)] = []

    /// Weight types by tensor suffix: a mix so Q4_0, Q4_1, Q8_0, F16 and F32 weights all take part.
    static let types: [String: TensorType] = [
        "attn_q.weight": .q4_0, "attn_k.weight": .q4_1, "attn_v.weight": .q8_0, "attn_output.weight": .f16,
        "ffn_gate.weight": .q4_1, "ffn_up.weight": .q4_0, "ffn_down.weight": .f32,
    ]

    /// The GGUF file as a writer.
    func writer() throws -> GGUFWriter {
        var rng = SeededGenerator(seed: seed)
        var w = GGUFWriter()
        let arch = architecture.rawValue
        try w.set("general.architecture", .string(arch))
        try w.set("\(arch).block_count", .uint32(UInt32(layers)))
        try w.set("\(arch).embedding_length", .uint32(UInt32(embedding)))
        try w.set("\(arch).feed_forward_length", .uint32(UInt32(feedForward)))
        try w.set("\(arch).attention.head_count", .uint32(UInt32(heads)))
        try w.set("\(arch).attention.head_count_kv", .uint32(UInt32(keyValueHeads)))
        try w.set("\(arch).rope.freq_base", .float32(10_000))
        try w.set("\(arch).attention.layer_norm_rms_epsilon", .float32(1e-5))
        try w.set("\(arch).context_length", .uint32(256))
        for (key, value) in extraMetadata { try w.set(key, value) }
        let headDim = embedding / heads
        func add(_ name: String, _ shape: [Int], _ type: TensorType, range: ClosedRange<Float>) throws {
            guard !omit.contains(name) else { return }
            let shape = reshape[name] ?? shape
            let values = rng.floats(shape.reduce(1, *), in: range)
            try w.addTensor(name: name, shape: shape, type: type, data: try Quantization.quantize(values, as: type))
        }
        // Weights scaled like a trained model's (about 1/sqrt(width)) so activations stay in a sensible range.
        try add("token_embd.weight", [embedding, vocabulary], .q8_0, range: -1...1)
        for l in 0..<layers {
            let p = "blk.\(l)."
            try add(p + "attn_norm.weight", [embedding], .f32, range: 0.5...1.5)
            try add(p + "attn_q.weight", [embedding, heads * headDim], Self.types["attn_q.weight"] ?? .f32, range: -0.3...0.3)
            try add(p + "attn_k.weight", [embedding, keyValueHeads * headDim], Self.types["attn_k.weight"] ?? .f32, range: -0.3...0.3)
            try add(p + "attn_v.weight", [embedding, keyValueHeads * headDim], Self.types["attn_v.weight"] ?? .f32, range: -0.3...0.3)
            if architecture.hasAttentionBiases {
                try add(p + "attn_q.bias", [heads * headDim], .f32, range: -0.5...0.5)
                try add(p + "attn_k.bias", [keyValueHeads * headDim], .f32, range: -0.5...0.5)
                try add(p + "attn_v.bias", [keyValueHeads * headDim], .f32, range: -0.5...0.5)
            }
            try add(p + "attn_output.weight", [heads * headDim, embedding], Self.types["attn_output.weight"] ?? .f32, range: -0.2...0.2)
            try add(p + "ffn_norm.weight", [embedding], .f32, range: 0.5...1.5)
            try add(p + "ffn_gate.weight", [embedding, feedForward], Self.types["ffn_gate.weight"] ?? .f32, range: -0.3...0.3)
            try add(p + "ffn_up.weight", [embedding, feedForward], Self.types["ffn_up.weight"] ?? .f32, range: -0.3...0.3)
            try add(p + "ffn_down.weight", [feedForward, embedding], Self.types["ffn_down.weight"] ?? .f32, range: -0.2...0.2)
        }
        try add("output_norm.weight", [embedding], .f32, range: 0.5...1.5)
        if !tiedOutput { try add("output.weight", [embedding, vocabulary], .q4_1, range: -0.3...0.3) }
        return w
    }

    /// Writes the file into `directory` and opens it.
    func model(in directory: TemporaryDirectory, name: String = "tiny.gguf") throws -> Model {
        let path = directory.file(name)
        try writer().write(to: path)
        return try Model(path: path)
    }
}

struct ModelLoadingTests {
    @Test(arguments: [ModelArchitecture.llama, .qwen2], [false, true])
    func readsConfigurationAndWeights(architecture: ModelArchitecture, tied: Bool) throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(architecture: architecture, tiedOutput: tied).model(in: directory)
        let c = model.configuration
        #expect(c.architecture == architecture)
        #expect(c.layerCount == 2)
        #expect(c.embeddingLength == 64)
        #expect(c.feedForwardLength == 128)
        #expect(c.headCount == 4)
        #expect(c.keyValueHeadCount == 2)
        #expect(c.headDimension == 16)
        #expect(c.keyValueLength == 32)
        #expect(c.ropeDimensionCount == 16)
        #expect(c.ropeFrequencyBase == 10_000)
        #expect(c.rmsNormEpsilon == 1e-5)
        #expect(c.contextLength == 256)
        #expect(c.vocabularySize == 300)
        #expect(model.layers.count == 2)
        #expect(model.tiesOutputToEmbedding == tied)
        #expect(model.output.name == (tied ? "token_embd.weight" : "output.weight"))
        #expect(model.layers[1].query.type == .q4_0)
        #expect(model.layers[1].key.rowCount == 32)
        #expect(model.layers[0].down.rowLength == 128)
        #expect((model.layers[0].queryBias != nil) == (architecture == .qwen2))
        // Weights are views into the mapping, not copies.
        let mapping = model.file.file.bytes
        let start = try #require(mapping.baseAddress)
        let query = try #require(model.layers[0].query.data.baseAddress)
        #expect(query >= start && query < start + mapping.count)
    }

    @Test(arguments: [
        (TinyModel(omit: ["blk.1.ffn_up.weight"]), "blk.1.ffn_up.weight` is missing"),
        (TinyModel(reshape: ["blk.0.attn_k.weight": [64, 64]]), "blk.0.attn_k.weight` has shape [64, 64]; the metadata implies [64, 32]"),
        (TinyModel(architecture: .qwen2, omit: ["blk.0.attn_v.bias"]), "blk.0.attn_v.bias` is missing"),
        (TinyModel(omit: ["output_norm.weight"]), "output_norm.weight` is missing"),
        (TinyModel(extraMetadata: [("llama.attention.head_count_kv", .uint32(3))]), "head_count (4) is not a multiple of llama.attention.head_count_kv (3)"),
        (TinyModel(extraMetadata: [("general.architecture", .string("gpt2"))]), "`general.architecture` is `gpt2`"),
        (TinyModel(extraMetadata: [("llama.block_count", .string("two"))]), "`llama.block_count` is"),
    ])
    func namesTheProblem(model: TinyModel, message: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("bad.gguf")
        try model.writer().write(to: path)
        let error = try #require(throws: ModelError.self) { try Model(path: path) }
        #expect(error.description.contains(message), "\(error.description)")
        #expect(error.description.hasPrefix(path + ": "), "\(error.description)")
    }

    @Test func missingFileNamesThePath() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: ModelError.self) { try Model(path: directory.file("absent.gguf")) }
        #expect(error.description.contains("absent.gguf"))
    }

    @Test func ropeStylePerArchitecture() {
        #expect(!ModelArchitecture.llama.usesNeoXRoPE)
        #expect(ModelArchitecture.qwen2.usesNeoXRoPE)
    }
}
