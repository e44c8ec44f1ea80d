/// What ``ModelQuantizer`` does with each tensor of a file, decided from names, shapes and types alone (pure).
///
/// The rules follow llama.cpp's `llama-quantize`:
/// - one-dimensional tensors (norm scales, biases) and tensors whose names contain `norm` stay as they are: they
///   are tiny and quantizing them costs quality for no memory;
/// - tensors matching a `--keep` pattern stay as they are (document 004 keeps the attention Q/K/V projections in
///   higher precision to make up for INT4 weights elsewhere);
/// - the output projection (`output.weight`, or `token_embd.weight` when the file ties the two) becomes Q8_0:
///   llama.cpp picks Q6_K for it, or Q8_0 when rows are not a multiple of 256 as in SmolLM2; the engine has no
///   k-quants, so Q8_0 it is;
/// - every other tensor of two or more dimensions becomes the target type.
public struct QuantizationPlan: Sendable, Equatable {
    /// Why a tensor gets the type it gets.
    public enum Reason: String, Sendable, Equatable {
        /// A weight matrix converted to the target type.
        case weight
        /// A one-dimensional tensor or a norm scale, copied unchanged.
        case vector
        /// Named by a `--keep` pattern, copied unchanged.
        case keptByPattern = "kept"
        /// The output projection, stored as Q8_0.
        case outputProjection = "output"
    }

    /// One tensor's decision.
    public struct Entry: Sendable, Equatable {
        /// Tensor name.
        public var name: String
        /// Shape in ggml order.
        public var shape: [Int]
        /// Type in the input file.
        public var sourceType: TensorType
        /// Type in the output file.
        public var targetType: TensorType
        /// Why.
        public var reason: Reason

        /// Whether the bytes are copied unchanged (same type in and out).
        public var copiesBytes: Bool { sourceType == targetType }
    }

    /// Types ``ModelQuantizer`` writes weights as.
    public static let targetTypes: [TensorType] = [.q4_0, .q4_1, .q8_0]
    /// Types ``ModelQuantizer`` can read and convert.
    public static let sourceTypes: [TensorType] = [.f32, .f16, .q4_0, .q4_1, .q8_0]
    /// Type of the output projection (see the type's documentation for why).
    public static let outputProjectionType = TensorType.q8_0

    /// The weight type asked for.
    public let target: TensorType
    /// Decisions in file order.
    public let entries: [Entry]

    /// Plans the conversion of `tensors` to `target`, keeping tensors that match any of `keep`.
    ///
    /// A pattern matches a tensor when it equals the whole name or one of its dot-separated parts (`attn_q`
    /// matches `blk.3.attn_q.weight` but not `blk.3.attn_qkv.weight`), or as a glob with `*` over the whole name
    /// (`blk.0.*`).
    ///
    /// - Throws: ``QuantizerError`` when `target` is not Q4_0, Q4_1 or Q8_0, a pattern is empty, or a tensor that
    ///   must be converted has a type the quantizer cannot read or rows that are not a multiple of 32.
    public init(tensors: [GGUFTensorInfo], target: TensorType, keep: [String] = []) throws(QuantizerError) {
        guard Self.targetTypes.contains(target) else {
            throw QuantizerError(
                "Cannot quantize to \(target); choose --type q4_0, q4_1 or q8_0.")
        }
        if keep.contains(where: { $0.isEmpty }) {
            throw QuantizerError(
                "A --keep pattern is empty; write tensor name parts separated by commas, such as attn_q,attn_k,attn_v.")
        }
        let tied = !tensors.contains { $0.name == "output.weight" }
        var entries: [Entry] = []
        for tensor in tensors {
            let reason: Reason
            var type: TensorType
            if tensor.shape.count < 2 || tensor.name.contains("norm") {
                (reason, type) = (.vector, tensor.type)
            } else if keep.contains(where: { Self.pattern($0, matches: tensor.name) }) {
                (reason, type) = (.keptByPattern, tensor.type)
            } else if tensor.name == "output.weight" || (tied && tensor.name == "token_embd.weight") {
                (reason, type) = (.outputProjection, Self.outputProjectionType)
            } else {
                (reason, type) = (.weight, target)
            }
            if type != tensor.type {
                guard Self.sourceTypes.contains(tensor.type) else {
                    throw QuantizerError(
                        "Tensor `\(tensor.name)` is \(tensor.type); ballast quantize reads F32, F16, Q4_0, Q4_1 and "
                            + "Q8_0 tensors. Keep it with --keep \(tensor.name), or start from an F16 or Q8_0 file.")
                }
                guard tensor.rowLength % 32 == 0 else {
                    throw QuantizerError(
                        "Tensor `\(tensor.name)` has shape \(tensor.shape): its rows of \(tensor.rowLength) elements "
                            + "are not a multiple of 32, the \(type) block size. Keep it with --keep \(tensor.name).")
                }
            }
            entries.append(
                Entry(name: tensor.name, shape: tensor.shape, sourceType: tensor.type, targetType: type, reason: reason)
            )
        }
        self.target = target
        self.entries = entries
    }

    /// ggml's `general.file_type` (`enum llama_ftype`) for files whose weights are mostly `type`: 2 for Q4_0, 3 for
    /// Q4_1, 7 for Q8_0, 1 for F16, 0 for F32; `nil` for others.
    public static func fileType(of type: TensorType) -> UInt32? {
        switch type {
        case .f32: 0
        case .f16: 1
        case .q4_0: 2
        case .q4_1: 3
        case .q8_0: 7
        default: nil
        }
    }

    /// The weight type a `general.file_type` number stands for (the inverse of ``fileType(of:)``), or `nil`.
    public static func weightType(ofFileType number: Int) -> TensorType? {
        [TensorType.f32, .f16, .q4_0, .q4_1, .q8_0].first { fileType(of: $0).map(Int.init) == number }
    }

    /// Whether `pattern` names the tensor `name` (see ``init(tensors:target:keep:)``).
    public static func pattern(_ pattern: String, matches name: String) -> Bool {
        if pattern == name { return true }
        if pattern.contains("*") { return glob(Array(pattern.utf8), Array(name.utf8)) }
        return name.split(separator: ".").contains { $0 == pattern }
    }

    /// `*`-only glob matching over bytes.
    private static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let s = star {
                p = s + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
