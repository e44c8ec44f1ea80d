/// A ggml tensor element type, numbered as in ggml's `enum ggml_type` (ggml `include/ggml.h`).
///
/// Data is stored in blocks: ``blockSize`` elements take ``blockBytes`` bytes. The engine computes with
/// ``f32``, ``f16``, ``q8_0``, ``q4_0`` and ``q4_1``; the other types are known only by their block
/// geometry, which is enough to list and copy tensors of any common file.
public struct TensorType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// ggml's type number as stored in a GGUF tensor info.
    public let rawValue: UInt32
    /// Elements per block (1 for plain floats and integers, 32 or 256 for quantized types).
    public let blockSize: Int
    /// Bytes per block.
    public let blockBytes: Int
    /// Lower-case ggml name, such as `q4_0`.
    public let name: String

    private init(_ rawValue: UInt32, _ name: String, _ blockSize: Int, _ blockBytes: Int) {
        self.rawValue = rawValue
        self.name = name
        self.blockSize = blockSize
        self.blockBytes = blockBytes
    }

    /// The type with ggml number `rawValue`, or `nil` when ggml has no such type (or it was removed, as Q4_2 was).
    public init?(rawValue: UInt32) {
        guard let known = Self.all.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }

    /// The type whose ggml name is `name` (case-insensitive, such as `Q4_0` or `f16`), or `nil`.
    public init?(name: String) {
        let lower = name.lowercased()
        guard let known = Self.all.first(where: { $0.name == lower }) else { return nil }
        self = known
    }

    /// 32-bit IEEE float; block of 1.
    public static let f32 = TensorType(0, "f32", 1, 4)
    /// 16-bit IEEE half float; block of 1.
    public static let f16 = TensorType(1, "f16", 1, 2)
    /// 4-bit symmetric: 32 elements, f16 scale + 16 bytes of nibbles (see ``BlockQ4_0``).
    public static let q4_0 = TensorType(2, "q4_0", 32, 18)
    /// 4-bit with minimum: 32 elements, f16 scale, f16 minimum + 16 bytes of nibbles (see ``BlockQ4_1``).
    public static let q4_1 = TensorType(3, "q4_1", 32, 20)
    /// 5-bit symmetric (geometry only).
    public static let q5_0 = TensorType(6, "q5_0", 32, 22)
    /// 5-bit with minimum (geometry only).
    public static let q5_1 = TensorType(7, "q5_1", 32, 24)
    /// 8-bit symmetric: 32 elements, f16 scale + 32 signed bytes (see ``BlockQ8_0``).
    public static let q8_0 = TensorType(8, "q8_0", 32, 34)
    /// 8-bit with the scaled sum, used for activations against Q4_1 weights (see ``BlockQ8_1``).
    public static let q8_1 = TensorType(9, "q8_1", 32, 36)
    /// k-quant types (geometry only), super-blocks of 256 elements.
    public static let q2_K = TensorType(10, "q2_k", 256, 84)
    /// See ``q2_K``.
    public static let q3_K = TensorType(11, "q3_k", 256, 110)
    /// See ``q2_K``.
    public static let q4_K = TensorType(12, "q4_k", 256, 144)
    /// See ``q2_K``.
    public static let q5_K = TensorType(13, "q5_k", 256, 176)
    /// See ``q2_K``.
    public static let q6_K = TensorType(14, "q6_k", 256, 210)
    /// See ``q2_K``.
    public static let q8_K = TensorType(15, "q8_k", 256, 292)
    /// Plain signed integers and doubles (geometry only).
    public static let i8 = TensorType(24, "i8", 1, 1)
    /// See ``i8``.
    public static let i16 = TensorType(25, "i16", 1, 2)
    /// See ``i8``.
    public static let i32 = TensorType(26, "i32", 1, 4)
    /// See ``i8``.
    public static let i64 = TensorType(27, "i64", 1, 8)
    /// See ``i8``.
    public static let f64 = TensorType(28, "f64", 1, 8)
    /// Brain float 16 (geometry only).
    public static let bf16 = TensorType(30, "bf16", 1, 2)

    /// Every type this build knows the geometry of.
    public static let all: [TensorType] = [
        .f32, .f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K,
        .i8, .i16, .i32, .i64, .f64, .bf16,
    ]

    /// Bytes taken by one row of `elements` elements, or `nil` when `elements` is not a whole number of blocks.
    public func rowBytes(elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        return elements / blockSize * blockBytes
    }

    /// The upper-case ggml name, such as `Q4_0`.
    public var description: String { name.uppercased() }
}
