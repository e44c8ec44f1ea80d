/// One weight matrix of a model: `rowCount` rows of `rowLength` elements of ``type``, read in place from the file's
/// memory mapping, plus a repacked copy for the fastest kernels where the CPU has them.
///
/// A matrix multiplies activation rows of `rowLength` floats into outputs of `rowCount` floats.
public struct WeightMatrix: @unchecked Sendable {
    // Sendable because ``data`` points into a read-only mapping that the owning ``Model`` keeps alive and no one
    // writes.

    /// The tensor's name in the file, such as `blk.0.attn_q.weight`, for error messages.
    public let name: String
    /// Element type (F32, F16, Q4_0, Q4_1 or Q8_0).
    public let type: TensorType
    /// Elements per row: the input width (ggml `ne[0]`).
    public let rowLength: Int
    /// Number of rows: the output width (ggml `ne[1]`).
    public let rowCount: Int
    /// The rows back to back in ``type``'s block layout.
    public let data: UnsafeRawBufferPointer
    /// The rows repacked for the VNNI matmul, on CPUs that have it (see ``PackedWeights``).
    let packed: PackedWeights?

    init(name: String, type: TensorType, rowLength: Int, rowCount: Int, data: UnsafeRawBufferPointer) {
        self.name = name
        self.type = type
        self.rowLength = rowLength
        self.rowCount = rowCount
        self.data = data
        packed = nil
    }

    /// This matrix with a packed copy of its rows, when this CPU and the matrix's type and shape allow one.
    func packingRows() -> WeightMatrix {
        WeightMatrix(self, packed: PackedWeights(self))
    }

    private init(_ matrix: WeightMatrix, packed: PackedWeights?) {
        name = matrix.name
        type = matrix.type
        rowLength = matrix.rowLength
        rowCount = matrix.rowCount
        data = matrix.data
        self.packed = packed
    }

    /// Bytes of one row.
    public var rowBytes: Int { type.rowBytes(elements: rowLength) ?? 0 }

    /// The type activation rows must be quantized to before multiplying (see ``Kernels/activationType(for:)``).
    public var activationType: TensorType { Kernels.activationType(for: type) ?? .f32 }

    /// Dequantizes row `row` into `output` (``rowLength`` floats), as the embedding lookup does.
    ///
    /// Row indices are checked by the caller (token ids are validated before a forward step).
    func dequantizeRow(_ row: Int, into output: UnsafeMutableBufferPointer<Float>) {
        let bytes = UnsafeRawBufferPointer(rebasing: data[(row * rowBytes)..<((row + 1) * rowBytes)])
        let blocks = rowLength / type.blockSize
        for b in 0..<blocks {
            let input = UnsafeRawBufferPointer(rebasing: bytes[(b * type.blockBytes)..<((b + 1) * type.blockBytes)])
            let out = UnsafeMutableBufferPointer(rebasing: output[(b * type.blockSize)..<((b + 1) * type.blockSize)])
            switch type {
            case .q4_0: BlockQ4_0.dequantize(input, into: out)
            case .q4_1: BlockQ4_1.dequantize(input, into: out)
            case .q8_0: BlockQ8_0.dequantize(input, into: out)
            case .f16: out[0] = Float(Float16(bitPattern: UInt16(littleEndian: input.loadUnaligned(as: UInt16.self))))
            default: out[0] = Float(bitPattern: UInt32(littleEndian: input.loadUnaligned(as: UInt32.self)))
            }
        }
    }
}

/// A vector of F32 weights (a norm scale or a bias) read in place from the memory mapping.
public struct WeightVector: @unchecked Sendable {
    // Sendable for the same reason as ``WeightMatrix``: a read-only view the owning ``Model`` keeps alive.

    /// The tensor's name in the file.
    public let name: String
    /// The floats.
    public let values: UnsafeBufferPointer<Float>
}
