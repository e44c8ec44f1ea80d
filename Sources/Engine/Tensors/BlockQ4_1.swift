/// Layout of one Q4_1 block, exactly as ggml's `block_q4_1` (20 bytes for 32 weights, 5 bits per weight):
///
/// ```
/// offset 0   f16  d        scale
/// offset 2   f16  m        minimum
/// offset 4   u8   qs[16]   qs[j] low nibble = element j, high nibble = element j + 16
/// ```
/// Element value = q · d + m: an asymmetric grid of 16 levels from the block's minimum to its maximum.
public enum BlockQ4_1 {
    /// Elements per block.
    public static let elements = 32
    /// Bytes per block.
    public static let bytes = 20

    /// Quantizes 32 values into 20 bytes, as ggml's `quantize_row_q4_1_ref`.
    public static func quantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer) {
        var lo = Float.greatestFiniteMagnitude
        var hi = -Float.greatestFiniteMagnitude
        for v in x.prefix(elements) {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        let d = (hi - lo) / 15
        let id: Float = d != 0 ? 1 / d : 0
        out.storeBytes(of: Float16(d).bitPattern.littleEndian, toByteOffset: 0, as: UInt16.self)
        out.storeBytes(of: Float16(lo).bitPattern.littleEndian, toByteOffset: 2, as: UInt16.self)
        for j in 0..<16 {
            let q0 = min(15, Int8(truncatingFloat: (x[j] - lo) * id + 0.5))
            let q1 = min(15, Int8(truncatingFloat: (x[j + 16] - lo) * id + 0.5))
            out[4 + j] = UInt8(truncatingIfNeeded: q0) | (UInt8(truncatingIfNeeded: q1) << 4)
        }
    }

    /// Expands the block at `block[0..<20]` into 32 floats.
    public static func dequantize(_ block: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let d = Float(Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(as: UInt16.self))))
        let m = Float(
            Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))))
        for j in 0..<16 {
            let byte = block[4 + j]
            out[j] = Float(byte & 0x0F) * d + m
            out[j + 16] = Float(byte >> 4) * d + m
        }
    }
}
