/// Expands tensor data of any type the quantizer reads (F32, F16, Q4_0, Q4_1, Q8_0) into floats, block by block,
/// with the reference dequantizers of ``Quantization``.
enum TensorDecoder {
    /// Decodes `count` elements of `type` from `bytes` into `output[0..<count]`.
    ///
    /// Callers pass whole blocks: `count` a multiple of `type.blockSize` and `bytes` of exactly the matching size.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, type: TensorType, count: Int, into output: UnsafeMutableBufferPointer<Float>
    ) {
        let blocks = count / type.blockSize
        switch type {
        case .f32:
            for i in 0..<count {
                output[i] = Float(
                    bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .f16:
            for i in 0..<count {
                output[i] = Float(
                    Float16(
                        bitPattern: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        default:
            for b in 0..<blocks {
                let input = UnsafeRawBufferPointer(rebasing: bytes[(b * type.blockBytes)..<((b + 1) * type.blockBytes)])
                let out = UnsafeMutableBufferPointer(
                    rebasing: output[(b * type.blockSize)..<((b + 1) * type.blockSize)])
                switch type {
                case .q4_0: BlockQ4_0.dequantize(input, into: out)
                case .q4_1: BlockQ4_1.dequantize(input, into: out)
                default: BlockQ8_0.dequantize(input, into: out)
                }
            }
        }
    }
}
