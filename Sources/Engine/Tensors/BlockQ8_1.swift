/// Layout of one Q8_1 block, exactly as ggml's `block_q8_1` (36 bytes for 32 values):
///
/// ```
/// offset 0   f16  d        scale
/// offset 2   f16  s        d · Σ qs[j]: the block sum, so a Q4_1 dot product adds m · s instead of m · Σ x
/// offset 4   i8   qs[32]   element j = qs[j] · d
/// ```
/// Activations only: the engine quantizes each activation row to Q8_1 before multiplying with Q4_1 weights.
public enum BlockQ8_1 {
    /// Elements per block.
    public static let elements = 32
    /// Bytes per block.
    public static let bytes = 36

    /// Quantizes 32 values into 36 bytes, as ggml's `quantize_row_q8_1_ref`.
    public static func quantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer) {
        var amax: Float = 0
        for v in x.prefix(elements) { amax = max(amax, abs(v)) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        var sum: Int32 = 0
        for j in 0..<elements {
            let q = Int8(roundingAwayFromZero: x[j] * id)
            out[4 + j] = UInt8(bitPattern: q)
            sum += Int32(q)
        }
        out.storeBytes(of: Float16(d).bitPattern.littleEndian, toByteOffset: 0, as: UInt16.self)
        out.storeBytes(of: Float16(Float(sum) * d).bitPattern.littleEndian, toByteOffset: 2, as: UInt16.self)
    }

    /// Expands the block at `block[0..<36]` into 32 floats.
    public static func dequantize(_ block: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let d = Float(Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(as: UInt16.self))))
        for j in 0..<elements {
            out[j] = Float(Int8(bitPattern: block[4 + j])) * d
        }
    }
}
