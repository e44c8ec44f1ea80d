/// Layout of one Q8_0 block, exactly as ggml's `block_q8_0` (34 bytes for 32 values, 8.5 bits per value):
///
/// ```
/// offset 0   f16  d        scale
/// offset 2   i8   qs[32]   element j = qs[j] · d
/// ```
/// Used for weights and for activations multiplied with Q4_0 and Q8_0 weights.
public enum BlockQ8_0 {
    /// Elements per block.
    public static let elements = 32
    /// Bytes per block.
    public static let bytes = 34

    /// Quantizes 32 values into 34 bytes, as ggml's `quantize_row_q8_0_ref`: d = max|x| / 127, q = round(x / d)
    /// with halves rounded away from zero (C `roundf`).
    public static func quantize(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer) {
        var amax: Float = 0
        for v in x.prefix(elements) { amax = max(amax, abs(v)) }
        let d = amax / 127
        let id: Float = d != 0 ? 1 / d : 0
        out.storeBytes(of: Float16(d).bitPattern.littleEndian, toByteOffset: 0, as: UInt16.self)
        for j in 0..<elements {
            out[2 + j] = UInt8(bitPattern: Int8(roundingAwayFromZero: x[j] * id))
        }
    }

    /// Expands the block at `block[0..<34]` into 32 floats.
    public static func dequantize(_ block: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let d = Float(Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(as: UInt16.self))))
        for j in 0..<elements {
            out[j] = Float(Int8(bitPattern: block[2 + j])) * d
        }
    }
}

extension Int8 {
    /// C's `(int8_t)roundf(f)`: halves away from zero; values beyond ±127.5 clamp, NaN gives 0.
    init(roundingAwayFromZero value: Float) {
        if value.isNaN {
            self = 0
        } else {
            self = Int8(Swift.max(-128, Swift.min(127, value.rounded(.toNearestOrAwayFromZero))))
        }
    }
}
