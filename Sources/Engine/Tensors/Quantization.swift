/// Why values could not be converted to or from a tensor type.
public struct QuantizationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming the type and the count, and what to pass instead.
    public let description: String
}

/// Plain reference conversions between `Float` rows and tensor block layouts (the Swift twins of the C kernels).
///
/// These follow ggml's `*_ref` functions bit for bit; they favour clarity over speed and are what the kernel tests
/// and the quantizer's checks compare against.
public enum Quantization {
    /// Types ``quantize(_:as:)`` and ``dequantize(_:as:count:)`` handle.
    public static let supportedTypes: [TensorType] = [.f32, .f16, .q4_0, .q4_1, .q8_0, .q8_1]

    /// Encodes `values` as `type` (row-major, a whole number of blocks).
    ///
    /// - Throws: ``QuantizationError`` when the type is not supported or `values.count` is not a multiple of the
    ///   block size.
    public static func quantize(_ values: [Float], as type: TensorType) throws(QuantizationError) -> [UInt8] {
        let blocks = try blockCount(values.count, type)
        var out = [UInt8](repeating: 0, count: blocks * type.blockBytes)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBytes { y in
                for b in 0..<blocks {
                    let input = UnsafeBufferPointer(rebasing: x[(b * type.blockSize)..<((b + 1) * type.blockSize)])
                    let output = UnsafeMutableRawBufferPointer(
                        rebasing: y[(b * type.blockBytes)..<((b + 1) * type.blockBytes)])
                    switch type {
                    case .q4_0: BlockQ4_0.quantize(input, into: output)
                    case .q4_1: BlockQ4_1.quantize(input, into: output)
                    case .q8_0: BlockQ8_0.quantize(input, into: output)
                    case .q8_1: BlockQ8_1.quantize(input, into: output)
                    case .f16: output.storeBytes(of: Float16(input[0]).bitPattern.littleEndian, as: UInt16.self)
                    default: output.storeBytes(of: input[0].bitPattern.littleEndian, as: UInt32.self)
                    }
                }
            }
        }
        return out
    }

    /// Decodes `count` values of `type` from `bytes`.
    ///
    /// - Throws: ``QuantizationError`` when the type is not supported, `count` is not a whole number of blocks or
    ///   `bytes` has the wrong size.
    public static func dequantize(_ bytes: [UInt8], as type: TensorType, count: Int) throws(QuantizationError)
        -> [Float]
    {
        let blocks = try blockCount(count, type)
        guard bytes.count == blocks * type.blockBytes else {
            throw QuantizationError(
                description:
                    "\(count) values of \(type) take \(blocks * type.blockBytes) bytes, but \(bytes.count) were given.")
        }
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { x in
            out.withUnsafeMutableBufferPointer { y in
                for b in 0..<blocks {
                    let input = UnsafeRawBufferPointer(rebasing: x[(b * type.blockBytes)..<((b + 1) * type.blockBytes)])
                    let output = UnsafeMutableBufferPointer(
                        rebasing: y[(b * type.blockSize)..<((b + 1) * type.blockSize)])
                    switch type {
                    case .q4_0: BlockQ4_0.dequantize(input, into: output)
                    case .q4_1: BlockQ4_1.dequantize(input, into: output)
                    case .q8_0: BlockQ8_0.dequantize(input, into: output)
                    case .q8_1: BlockQ8_1.dequantize(input, into: output)
                    case .f16:
                        output[0] = Float(
                            Float16(bitPattern: UInt16(littleEndian: input.loadUnaligned(as: UInt16.self))))
                    default:
                        output[0] = Float(bitPattern: UInt32(littleEndian: input.loadUnaligned(as: UInt32.self)))
                    }
                }
            }
        }
        return out
    }

    private static func blockCount(_ count: Int, _ type: TensorType) throws(QuantizationError) -> Int {
        guard supportedTypes.contains(type) else {
            throw QuantizationError(
                description: "Type \(type) cannot be converted here; use one of "
                    + supportedTypes.map(\.description).joined(separator: ", ") + ".")
        }
        guard count >= 0, count % type.blockSize == 0 else {
            throw QuantizationError(
                description: "\(count) values do not fill whole \(type) blocks; pass a multiple of \(type.blockSize).")
        }
        return count / type.blockSize
    }
}
