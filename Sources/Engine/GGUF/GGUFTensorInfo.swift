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

    /// Total number of elements; `Int.max` when the shape's product overflows (no file can hold such a tensor).
    public var elementCount: Int { Self.saturatingProduct(shape) }

    /// Elements in one row (`shape[0]`).
    public var rowLength: Int { shape.first ?? 1 }

    /// Number of rows (the product of the outer dimensions); `Int.max` on overflow.
    public var rowCount: Int { Self.saturatingProduct(shape.dropFirst()) }

    /// Bytes of one row in ``type``'s block layout; `Int.max` on overflow.
    public var rowBytes: Int { type.rowBytes(elements: rowLength - rowLength % type.blockSize) ?? Int.max }

    /// Bytes of the whole tensor's data (unpadded); `Int.max` on overflow. Readers and writers reject such sizes,
    /// so for a tensor info from a parsed header this is exact.
    public var byteCount: Int { Self.saturatingProduct([rowBytes, rowCount]) }

    private static func saturatingProduct(_ values: some Sequence<Int>) -> Int {
        var product = 1
        for value in values {
            let next = product.multipliedReportingOverflow(by: value)
            if next.overflow { return Int.max }
            product = next.partialValue
        }
        return product
    }
}
