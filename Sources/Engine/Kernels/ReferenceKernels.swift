#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plain Swift twins of the C kernels, written for clarity: the tests hold every kernel against these.
///
/// The operations and their order match the C scalar path (ggml's reference functions), so on the scalar
/// instruction set results agree bit for bit; the SIMD paths agree within a rounding bound.
public enum ReferenceKernels {
    /// One dot product and the sum of the magnitudes of its terms (the scale of its rounding error).
    public struct Dot: Sendable, Equatable {
        /// The dot product.
        public var value: Float
        /// Σ |term| over the per-block (or per-element) terms, for error bounds.
        public var magnitude: Float
    }

    /// Dot product of one weight row (`weights`, `count` elements of `type`) with one activation row in
    /// ``Kernels/activationType(for:)``.
    ///
    /// - Throws: ``KernelError`` when the type is not supported or a buffer has the wrong size.
    public static func dot(
        weights: [UInt8], type: TensorType, activations: [UInt8], count: Int
    ) throws(KernelError) -> Dot {
        guard let activationType = Kernels.activationType(for: type),
            weights.count == type.rowBytes(elements: count),
            activations.count == activationType.rowBytes(elements: count)
        else {
            throw KernelError(
                description:
                    "ReferenceKernels.dot: buffers do not hold \(count) elements of \(type) and its activation type.")
        }
        func half(_ bytes: [UInt8], _ offset: Int) -> Float {
            Float(Float16(bitPattern: UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8))
        }
        func int8(_ bytes: [UInt8], _ offset: Int) -> Int { Int(Int8(bitPattern: bytes[offset])) }

        var sum: Float = 0
        var magnitude: Float = 0
        switch type {
        case .q4_0, .q4_1, .q8_0:
            for i in 0..<(count / 32) {
                let w = i * type.blockBytes
                let a = i * activationType.blockBytes
                let term: Float
                switch type {
                case .q4_0:
                    var sumi = 0
                    for j in 0..<16 {
                        sumi += (Int(weights[w + 2 + j] & 0x0F) - 8) * int8(activations, a + 2 + j)
                        sumi += (Int(weights[w + 2 + j] >> 4) - 8) * int8(activations, a + 2 + j + 16)
                    }
                    term = Float(sumi) * half(weights, w) * half(activations, a)
                case .q4_1:
                    var sumi = 0
                    for j in 0..<16 {
                        sumi += Int(weights[w + 4 + j] & 0x0F) * int8(activations, a + 4 + j)
                        sumi += Int(weights[w + 4 + j] >> 4) * int8(activations, a + 4 + j + 16)
                    }
                    let scaled = (half(weights, w) * half(activations, a)) * Float(sumi)
                    let offset = half(weights, w + 2) * half(activations, a + 2)
                    magnitude += abs(scaled) + abs(offset)
                    sum += scaled + offset
                    continue
                default:
                    var sumi = 0
                    for j in 0..<32 { sumi += int8(weights, w + 2 + j) * int8(activations, a + 2 + j) }
                    term = Float(sumi) * (half(weights, w) * half(activations, a))
                }
                magnitude += abs(term)
                sum += term
            }
            return Dot(value: sum, magnitude: magnitude)
        default:
            let x = (try? Quantization.dequantize(weights, as: type, count: count)) ?? []
            let y = (try? Quantization.dequantize(activations, as: .f32, count: count)) ?? []
            var total = 0.0
            for i in 0..<count {
                let product = x[i] * y[i]
                total += Double(product)
                magnitude += abs(product)
            }
            return Dot(value: Float(total), magnitude: magnitude)
        }
    }

    /// `y = x / sqrt(mean(x²) + epsilon) * weight`, as ggml's `rms_norm` followed by `mul`.
    public static func rmsNorm(_ x: [Float], weight: [Float]?, epsilon: Float) -> [Float] {
        var sum = 0.0
        for v in x { sum += Double(v * v) }
        let mean = Float(sum / Double(x.count))
        let scale = 1 / (mean + epsilon).squareRoot()
        return x.indices.map { i in weight.map { (x[i] * scale) * $0[i] } ?? x[i] * scale }
    }

    /// Softmax with the maximum subtracted first, the sum accumulated in `Double`.
    public static func softmax(_ x: [Float]) -> [Float] {
        guard let maximum = x.max() else { return [] }
        let e = x.map { expf($0 - maximum) }
        var sum = 0.0
        for v in e { sum += Double(v) }
        let scale = Float(1 / sum)
        return e.map { $0 * scale }
    }

    /// Rotary embedding of `heads` heads of `headDimension` floats at `position` (see ``Kernels/rope``).
    public static func rope(
        _ x: [Float], heads: Int, headDimension: Int, rotatedDimensions: Int, position: Int, base: Float, neox: Bool
    ) -> [Float] {
        var out = x
        let thetaScale = powf(base, -2 / Float(rotatedDimensions))
        let half = rotatedDimensions / 2
        for h in 0..<heads {
            var theta = Float(position)
            for i in 0..<half {
                let a = h * headDimension + (neox ? i : 2 * i)
                let b = h * headDimension + (neox ? i + half : 2 * i + 1)
                let c = cosf(theta)
                let s = sinf(theta)
                out[a] = x[a] * c - x[b] * s
                out[b] = x[a] * s + x[b] * c
                theta *= thetaScale
            }
        }
        return out
    }

    /// SiLU: `x / (1 + e^−x)`.
    public static func silu(_ x: [Float]) -> [Float] {
        x.map { $0 / (1 + expf(-$0)) }
    }

    /// SwiGLU gate: `silu(gate) · up`.
    public static func siluMultiply(_ gate: [Float], _ up: [Float]) -> [Float] {
        zip(silu(gate), up).map { $0 * $1 }
    }
}
