/// Layout of one Q4_0 block, exactly as ggml's `block_q4_0` (18 bytes for 32 weights, 4.5 bits per weight):
///
/// ```
/// offset 0   f16  d        scale
/// offset 2   u8   qs[16]   qs[j] low nibble = element j, high nibble = element j + 16
/// ```
/// Element value = (q − 8) · d, with q the 4-bit unsigned nibble: a symmetric grid of 16 levels, −8d … 7d.
public enum BlockQ4_0 {
    /// Elements per block.
    public static let elements = 32
    /// Bytes per block.
    public static let bytes = 18

    /// Quantizes 32 values (`x[0..<32]`) into 18 bytes at `out[0..<18]`, as ggml's `quantize_row_q4_0_ref`.
    ///
    /// The value with the largest magnitude maps to −8 exactly (d = max / −8), so the grid's extra negative level is
    /// used for it and nothing clips.
    public static func quantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer) {
        var amax: Float = 0
        var max: Float = 0
        for v in x.prefix(elements) where amax < abs(v) {
            amax = abs(v)
            max = v
        }
        let d = max / -8
        let id: Float = d != 0 ? 1 / d : 0
        out.storeBytes(of: Float16(d).bitPattern.littleEndian, toByteOffset: 0, as: UInt16.self)
        for j in 0..<16 {
            // ggml: MIN(15, (int8_t)(x * id + 8.5f)); the cast truncates toward zero.
            let q0 = min(15, Int8(truncatingFloat: x[j] * id + 8.5))
            let q1 = min(15, Int8(truncatingFloat: x[j + 16] * id + 8.5))
            out[2 + j] = UInt8(truncatingIfNeeded: q0) | (UInt8(truncatingIfNeeded: q1) << 4)
        }
    }

    /// Expands the block at `block[0..<18]` into 32 floats at `out[0..<32]`.
    public static func dequantize(_ block: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let d = Float(Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(as: UInt16.self))))
        for j in 0..<16 {
            let byte = block[2 + j]
            out[j] = Float(Int(byte & 0x0F) - 8) * d
            out[j + 16] = Float(Int(byte >> 4) - 8) * d
        }
    }
}

extension Int8 {
    /// C's `(int8_t)f` for values within range: truncation toward zero; out-of-range and NaN inputs clamp
    /// instead of trapping (C leaves them undefined).
    init(truncatingFloat value: Float) {
        if value.isNaN {
            self = 0
        } else {
            self = Int8(Swift.max(-128, Swift.min(127, value.rounded(.towardZero))))
        }
    }
}
