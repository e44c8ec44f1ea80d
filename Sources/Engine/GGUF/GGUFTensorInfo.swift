/// One tensor's entry in a GGUF header: name, shape, element type and where its data lies.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// Tensor name, such as `blk.0.attn_q.weight` (at most 63 bytes, as ggml's `GGML_MAX_NAME` allows).
    public let name: String
    /// Dimensions in ggml order: `shape[0]` is the innermost, contiguous one (a row's length); 1 to 4 entries.
    public let shape: [Int]
    /// Element type.
    public let type: TensorType
    /// Byte offset of the data from the start of the file's data section (a multiple of the alignment).
    public let offset: Int

    /// Makes a tensor info; the reader and the writer validate it.
    public init(name: String, shape: [Int], type: TensorType, offset: Int) {
        self.name = name
        self.shape = shape
        self.type = type
        self.offset = offset
    }

    /// Total number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Elements in one row (`shape[0]`).
    public var rowLength: Int { shape.first ?? 1 }

    /// Number of rows (the product of the outer dimensions).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }

    /// Bytes of one row in ``type``'s block layout.
    public var rowBytes: Int { rowLength / type.blockSize * type.blockBytes }

    /// Bytes of the whole tensor's data (unpadded).
    public var byteCount: Int { rowBytes * rowCount }
}
