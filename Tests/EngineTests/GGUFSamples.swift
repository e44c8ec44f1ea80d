@testable import Engine

/// Sample GGUF contents shared by the reader, writer and cross-check tests.
enum GGUFSamples {
    /// Metadata covering every value type, empty and nested arrays and non-ASCII strings.
    static let metadata: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("general.name", .string("Ballast test model — 小模型 🚀")),
        ("test.uint8", .uint8(250)),
        ("test.int8", .int8(-120)),
        ("test.uint16", .uint16(65_000)),
        ("test.int16", .int16(-32_000)),
        ("test.uint32", .uint32(4_000_000_000)),
        ("test.int32", .int32(-2_000_000_000)),
        ("test.float32", .float32(-1.5e-7)),
        ("test.bool.true", .bool(true)),
        ("test.bool.false", .bool(false)),
        ("test.uint64", .uint64(18_000_000_000_000_000_000)),
        ("test.int64", .int64(-9_000_000_000_000_000_000)),
        ("test.float64", .float64(3.141592653589793)),
        ("test.empty_string", .string("")),
        ("test.array.uint8", .array(.uint8([0, 1, 255]))),
        ("test.array.int8", .array(.int8([-128, 0, 127]))),
        ("test.array.uint16", .array(.uint16([0, 65_535]))),
        ("test.array.int16", .array(.int16([-32_768, 32_767]))),
        ("test.array.uint32", .array(.uint32([7, 4_294_967_295]))),
        ("test.array.int32", .array(.int32([-5, 0, 5]))),
        ("test.array.float32", .array(.float32([0.5, -2.25, 1e30]))),
        ("test.array.bool", .array(.bool([true, false, true]))),
        ("test.array.string", .array(.string(["Ġthe", "", "<|im_start|>", "é"]))),
        ("test.array.uint64", .array(.uint64([0, 18_446_744_073_709_551_615]))),
        ("test.array.int64", .array(.int64([-1, 1]))),
        ("test.array.float64", .array(.float64([1e-300, -0.0]))),
        ("test.array.empty", .array(.int32([]))),
        ("test.array.nested", .array(.array([.int32([1, 2]), .int32([3])]))),
    ]

    /// Tensors of every computed type, with 1 to 4 dimensions and sizes that need padding.
    static func tensors(seed: UInt64) -> [(name: String, shape: [Int], type: TensorType, data: [UInt8])] {
        var rng = SeededGenerator(seed: seed)
        let specs: [(String, [Int], TensorType)] = [
            ("token_embd.weight", [64, 3], .q4_1),
            ("blk.0.attn_q.weight", [64, 5], .q4_0),
            ("blk.0.attn_k.weight", [32, 2, 2], .q8_0),
            ("blk.0.attn_norm.weight", [7], .f32),
            ("blk.0.ffn_up.weight", [3, 1, 2, 1], .f16),
            // Types the engine does not compute with are still listed and copied by their block geometry.
            ("blk.0.ffn_down.weight", [256, 2], .q6_K),
            ("rope_freqs.weight", [5], .bf16),
        ]
        return specs.map { name, shape, type in
            let info = GGUFTensorInfo(name: name, shape: shape, type: type, offset: 0)
            return (name, shape, type, rng.bytes(info.byteCount))
        }
    }

    /// A writer holding ``metadata`` and ``tensors(seed:)``.
    static func writer(version: UInt32 = 3, alignment: UInt32? = nil, seed: UInt64 = 1) throws -> GGUFWriter {
        var writer = GGUFWriter(version: version)
        if let alignment { try writer.set("general.alignment", .uint32(alignment)) }
        for (key, value) in metadata { try writer.set(key, value) }
        for tensor in tensors(seed: seed) {
            try writer.addTensor(name: tensor.name, shape: tensor.shape, type: tensor.type, data: tensor.data)
        }
        return writer
    }
}
