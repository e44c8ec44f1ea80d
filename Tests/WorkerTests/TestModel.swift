import Engine
import Foundation

/// A tiny random-weight llama model with a byte-level vocabulary, written with the engine's ``GGUFWriter`` so the
/// scheduler and HTTP tests always have a model: 2 layers, width 64, 4 heads over 2 KV heads, 256 byte tokens
/// plus `<|im_start|>`. It has no end-of-text token, so every request runs to its `max_tokens`.
enum TestModel {
    /// Writes the model once per process and returns its path.
    static let path: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ballast-worker-tests-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("tiny-chat.gguf").path
        do {
            try writer().write(to: path)
        } catch {
            // The tests that open the path report the missing file with its name.
            return directory.appendingPathComponent("unwritable.gguf").path
        }
        return path
    }()

    /// The real SmolLM2 file named by `BALLAST_SMOLLM2_GGUF`, when it exists.
    static var smolLM2: String? {
        guard let path = ProcessInfo.processInfo.environment["BALLAST_SMOLLM2_GGUF"],
            FileManager.default.fileExists(atPath: path)
        else { return nil }
        return path
    }

    static func writer() throws -> GGUFWriter {
        var random = SamplingRandom(seed: 42)
        let layers = 2
        let embedding = 64
        let feedForward = 128
        let heads = 4
        let keyValueHeads = 2
        let headDimension = embedding / heads
        var tokens = (0..<256).map { String(ByteLevelAlphabet.scalarForByte[$0]) }
        tokens.append("<|im_start|>")
        var types = [Int32](repeating: 1, count: 256)
        types.append(3)
        var w = GGUFWriter()
        try w.set("general.architecture", .string("llama"))
        try w.set("general.name", .string("tiny-chat"))
        try w.set("llama.block_count", .uint32(UInt32(layers)))
        try w.set("llama.embedding_length", .uint32(UInt32(embedding)))
        try w.set("llama.feed_forward_length", .uint32(UInt32(feedForward)))
        try w.set("llama.attention.head_count", .uint32(UInt32(heads)))
        try w.set("llama.attention.head_count_kv", .uint32(UInt32(keyValueHeads)))
        try w.set("llama.rope.freq_base", .float32(10_000))
        try w.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        try w.set("llama.context_length", .uint32(1024))
        try w.set("tokenizer.ggml.model", .string("gpt2"))
        try w.set("tokenizer.ggml.pre", .string("gpt2"))
        try w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        try w.set("tokenizer.ggml.token_type", .array(.int32(types)))
        try w.set("tokenizer.ggml.merges", .array(.string([])))
        let vocabulary = tokens.count
        func add(_ name: String, _ shape: [Int], _ range: ClosedRange<Float>) throws {
            let count = shape.reduce(1, *)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count * 4)
            for _ in 0..<count {
                let value = range.lowerBound + (range.upperBound - range.lowerBound) * random.nextUnitFloat()
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            try w.addTensor(name: name, shape: shape, type: .f32, data: bytes)
        }
        try add("token_embd.weight", [embedding, vocabulary], -1...1)
        for l in 0..<layers {
            let p = "blk.\(l)."
            try add(p + "attn_norm.weight", [embedding], 0.5...1.5)
            try add(p + "attn_q.weight", [embedding, heads * headDimension], -0.3...0.3)
            try add(p + "attn_k.weight", [embedding, keyValueHeads * headDimension], -0.3...0.3)
            try add(p + "attn_v.weight", [embedding, keyValueHeads * headDimension], -0.3...0.3)
            try add(p + "attn_output.weight", [heads * headDimension, embedding], -0.2...0.2)
            try add(p + "ffn_norm.weight", [embedding], 0.5...1.5)
            try add(p + "ffn_gate.weight", [embedding, feedForward], -0.3...0.3)
            try add(p + "ffn_up.weight", [embedding, feedForward], -0.3...0.3)
            try add(p + "ffn_down.weight", [feedForward, embedding], -0.2...0.2)
        }
        try add("output_norm.weight", [embedding], 0.5...1.5)
        try add("output.weight", [embedding, vocabulary], -0.3...0.3)
        return w
    }
}
