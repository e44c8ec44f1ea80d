import CEngineKernels

/// The engine's compute kernels (in the C target `CEngineKernels`) bound to one instruction set.
///
/// Every method checks its buffer sizes first and throws ``KernelError`` instead of reading out of bounds, then
/// runs the C kernel. ``ReferenceKernels`` holds the plain Swift twin of each method, used by the tests.
public struct Kernels: Sendable {
    /// The instruction set the kernels run with.
    public let instructionSet: InstructionSet

    /// Kernels for `instructionSet`.
    ///
    /// - Throws: ``KernelError`` when this CPU does not support it.
    public init(_ instructionSet: InstructionSet) throws(KernelError) {
        guard instructionSet.isSupported else {
            throw KernelError(
                description: "This CPU does not support \(instructionSet); use one of "
                    + InstructionSet.available.map(\.rawValue).joined(separator: ", ") + ".")
        }
        self.instructionSet = instructionSet
    }

    private init(unchecked instructionSet: InstructionSet) {
        self.instructionSet = instructionSet
    }

    /// The fastest kernels this CPU runs.
    public static let best = Kernels(unchecked: .best)

    /// The type activations must be quantized to before multiplying with `weightType` weights: Q8_0 for Q4_0 and
    /// Q8_0, Q8_1 for Q4_1, F32 for F16 and F32; `nil` when the kernels cannot multiply that weight type.
    public static func activationType(for weightType: TensorType) -> TensorType? {
        guard let c = bk_type(exactly: weightType), case let raw = bk_activation_type(c), raw >= 0 else { return nil }
        return TensorType(rawValue: UInt32(raw))
    }

    /// Quantizes activations `x` to `type` (``TensorType/q8_0`` or ``TensorType/q8_1``) into `output`.
    ///
    /// - Throws: when `type` is not an activation type, `x.count` is not a multiple of 32 or `output` is not
    ///   exactly the quantized size.
    public func quantizeActivations(
        _ x: UnsafeBufferPointer<Float>, as type: TensorType, into output: UnsafeMutableRawBufferPointer
    ) throws(KernelError) {
        guard type == .q8_0 || type == .q8_1 else {
            throw KernelError(
                description: "quantizeActivations: type \(type) is not an activation type; use Q8_0 or Q8_1.")
        }
        guard let bytes = type.rowBytes(elements: x.count), output.count == bytes else {
            throw KernelError(
                description: "quantizeActivations: \(x.count) values need a multiple of 32 and an output of "
                    + "\(type.rowBytes(elements: x.count).map(String.init) ?? "whole-block") bytes; got \(output.count)."
            )
        }
        let count = try Self.int32(x.count, "quantizeActivations: the value count")
        guard let base = x.baseAddress, let out = output.baseAddress else { return }
        try Self.requireEvenAddress(out, "quantizeActivations")
        if type == .q8_0 {
            bk_quantize_row_q8_0(instructionSet.cValue, base, out, count)
        } else {
            bk_quantize_row_q8_1(instructionSet.cValue, base, out, count)
        }
    }

    /// Quantizes weights `x` to `type` (``TensorType/q4_0``, ``TensorType/q4_1`` or ``TensorType/q8_0``) into
    /// `output`, bit for bit as ggml's reference quantizers and ``Quantization/quantize(_:as:)``.
    ///
    /// - Throws: when `type` is not one of those, `x.count` is not a multiple of 32 or `output` is not exactly the
    ///   quantized size.
    public func quantizeWeights(
        _ x: UnsafeBufferPointer<Float>, as type: TensorType, into output: UnsafeMutableRawBufferPointer
    ) throws(KernelError) {
        guard type == .q4_0 || type == .q4_1 || type == .q8_0 else {
            throw KernelError(description: "quantizeWeights: cannot quantize to \(type); use Q4_0, Q4_1 or Q8_0.")
        }
        guard let bytes = type.rowBytes(elements: x.count), output.count == bytes else {
            throw KernelError(
                description: "quantizeWeights: \(x.count) values need a multiple of 32 and an output of "
                    + "\(type.rowBytes(elements: x.count).map(String.init) ?? "whole-block") bytes; got \(output.count)."
            )
        }
        let count = try Self.int32(x.count, "quantizeWeights: the value count")
        guard let base = x.baseAddress, let out = output.baseAddress else { return }
        try Self.requireEvenAddress(out, "quantizeWeights")
        switch type {
        case .q4_0: bk_quantize_row_q4_0(base, out, count)
        case .q4_1: bk_quantize_row_q4_1(base, out, count)
        default: bk_quantize_row_q8_0(instructionSet.cValue, base, out, count)
        }
    }

    /// The dot product of one weight row of `type` (`count` elements in `weights`) with one activation row in the
    /// matching ``activationType(for:)``.
    ///
    /// - Throws: when the type is not supported or a buffer has the wrong size.
    public func dot(
        weights: UnsafeRawBufferPointer, type: TensorType, activations: UnsafeRawBufferPointer, count: Int
    ) throws(KernelError) -> Float {
        var result: Float = 0
        try withUnsafeMutableBytes(of: &result) { (out) throws(KernelError) in
            try matmul(
                weights: weights, type: type, rows: 0..<1, rowLength: count, activations: activations, batch: 1,
                output: UnsafeMutableBufferPointer(
                    start: out.baseAddress?.assumingMemoryBound(to: Float.self), count: 1),
                outputStride: 1)
        }
        return result
    }

    /// Multiplies weight rows `rows` (each `rowLength` elements of `type`, stored back to back in `weights`) with
    /// `batch` activation rows (back to back in `activations`, in ``activationType(for:)``), writing
    /// `output[b * outputStride + r]` for every activation row `b` and weight row `r` in `rows`.
    ///
    /// Each weight block is read once for up to four activation rows, so a batched decode step streams the weights
    /// once for the whole batch. Threads split the work by passing disjoint `rows` ranges.
    ///
    /// - Throws: when the type is not supported or a buffer is smaller than the shapes need.
    public func matmul(
        weights: UnsafeRawBufferPointer, type: TensorType, rows: Range<Int>, rowLength: Int,
        activations: UnsafeRawBufferPointer, batch: Int, output: UnsafeMutableBufferPointer<Float>, outputStride: Int
    ) throws(KernelError) {
        guard let cType = bk_type(exactly: type), let activationType = Self.activationType(for: type),
            let weightRowBytes = type.rowBytes(elements: rowLength),
            let activationRowBytes = activationType.rowBytes(elements: rowLength)
        else {
            throw KernelError(
                description: "matmul: cannot multiply \(type) weights with rows of \(rowLength) elements; use F32, "
                    + "F16, Q4_0, Q4_1 or Q8_0 with rows a multiple of the block size.")
        }
        let begin = try Self.int32(rows.lowerBound, "matmul: the first row")
        let end = try Self.int32(rows.upperBound, "matmul: the row range's end")
        let length = try Self.int32(rowLength, "matmul: the row length")
        let count = try Self.int32(batch, "matmul: the batch")
        guard outputStride >= 0 else {
            throw KernelError(description: "matmul: the output stride is \(outputStride); it must not be negative.")
        }
        let weightBytes = Self.product(rows.upperBound, weightRowBytes) ?? Int.max
        guard weights.count >= weightBytes else {
            throw KernelError(
                description: "matmul: weights hold \(weights.count) bytes; rows up to \(rows.upperBound) of "
                    + "\(rowLength) \(type) elements need \(weightBytes).")
        }
        let activationBytes = Self.product(batch, activationRowBytes) ?? Int.max
        guard activations.count >= activationBytes else {
            throw KernelError(
                description: "matmul: activations hold \(activations.count) bytes; \(batch) rows of \(rowLength) "
                    + "\(activationType) elements need \(activationBytes).")
        }
        let lastRowStart = Self.product(max(batch - 1, 0), outputStride) ?? Int.max
        let needed =
            batch == 0 || rows.isEmpty
            ? 0 : (lastRowStart > Int.max - rows.upperBound ? Int.max : lastRowStart + rows.upperBound)
        guard outputStride >= (batch > 1 ? rows.upperBound : 0), output.count >= needed else {
            throw KernelError(
                description: "matmul: output holds \(output.count) floats with stride \(outputStride); \(batch) rows "
                    + "up to weight row \(rows.upperBound) need \(needed) and a stride of at least \(rows.upperBound).")
        }
        guard !rows.isEmpty, batch > 0, let w = weights.baseAddress, let x = activations.baseAddress,
            let y = output.baseAddress
        else { return }
        // The C kernels read block scales as 16-bit and plain weights as 32-bit values: GGUF data aligned to 1
        // byte (allowed by `general.alignment`) must be copied before it can be multiplied.
        let weightAlignment = type == .f32 ? 4 : 2
        let activationAlignment = activationType == .f32 ? 4 : 2
        guard Int(bitPattern: w) % weightAlignment == 0, Int(bitPattern: x) % activationAlignment == 0 else {
            throw KernelError(
                description: "matmul: \(type) weights must start at a multiple of \(weightAlignment) bytes and "
                    + "\(activationType) activations at a multiple of \(activationAlignment); copy the data to an "
                    + "aligned buffer first.")
        }
        _ = bk_matmul(
            instructionSet.cValue, cType, w, weightRowBytes, begin, end, length, x, activationRowBytes, count, y,
            outputStride)
    }

    /// RMS normalization: `y = x / sqrt(mean(x²) + epsilon) * weight` (`weight` may be `nil`); `y` may alias `x`.
    ///
    /// - Throws: when the buffers differ in length.
    public func rmsNorm(
        _ x: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>?, epsilon: Float,
        into y: UnsafeMutableBufferPointer<Float>
    ) throws(KernelError) {
        guard y.count == x.count, weight.map({ $0.count == x.count }) ?? true else {
            throw KernelError(
                description: "rmsNorm: input (\(x.count)), weight (\(weight?.count ?? x.count)) and output "
                    + "(\(y.count)) must have the same length.")
        }
        let count = try Self.int32(x.count, "rmsNorm: the length")
        guard let input = x.baseAddress, let output = y.baseAddress else { return }
        bk_rmsnorm(instructionSet.cValue, input, weight?.baseAddress, output, count, epsilon)
    }

    /// In-place softmax.
    ///
    /// - Throws: when `x` has more than `Int32.max` elements.
    public func softmax(_ x: UnsafeMutableBufferPointer<Float>) throws(KernelError) {
        let count = try Self.int32(x.count, "softmax: the length")
        guard let base = x.baseAddress else { return }
        bk_softmax(base, count)
    }

    /// In-place rotary position embedding of `x` (`heads` heads of `headDimension` floats) at token `position`.
    ///
    /// The first `rotatedDimensions` of each head rotate pairwise by `position · base^(−2i / rotatedDimensions)`;
    /// `neox` pairs element i with i + rotatedDimensions/2 (Qwen2) instead of 2i with 2i + 1 (llama).
    ///
    /// - Throws: when `x` is not `heads · headDimension` long or `rotatedDimensions` is odd or above
    ///   `headDimension`.
    public func rope(
        _ x: UnsafeMutableBufferPointer<Float>, heads: Int, headDimension: Int, rotatedDimensions: Int,
        position: Int, base: Float, neox: Bool
    ) throws(KernelError) {
        guard heads >= 0, headDimension >= 0, x.count == Self.product(heads, headDimension),
            rotatedDimensions % 2 == 0, (0...headDimension).contains(rotatedDimensions), position >= 0
        else {
            throw KernelError(
                description: "rope: \(x.count) floats do not hold \(heads) heads of \(headDimension), or "
                    + "\(rotatedDimensions) rotated dimensions is odd or above the head size, or position "
                    + "\(position) is negative.")
        }
        let headCount = try Self.int32(heads, "rope: the head count")
        let headSize = try Self.int32(headDimension, "rope: the head dimension")
        let rotated = try Self.int32(rotatedDimensions, "rope: the rotated dimensions")
        let at = try Self.int32(position, "rope: the position")
        guard let pointer = x.baseAddress else { return }
        bk_rope(pointer, headCount, headSize, rotated, at, base, neox ? 1 : 0)
    }

    /// In-place SiLU: `x / (1 + e^−x)`.
    ///
    /// - Throws: when `x` has more than `Int32.max` elements.
    public func silu(_ x: UnsafeMutableBufferPointer<Float>) throws(KernelError) {
        let count = try Self.int32(x.count, "silu: the length")
        guard let base = x.baseAddress else { return }
        bk_silu(base, count)
    }

    /// SwiGLU gate in place: `gate = silu(gate) · up`. The scalar kernels use `expf`; SIMD ones an eight-lane
    /// e^x within 2 ulp of it, computed alike for every element wherever the buffer starts.
    ///
    /// - Throws: when the buffers differ in length.
    public func siluMultiply(_ gate: UnsafeMutableBufferPointer<Float>, by up: UnsafeBufferPointer<Float>)
        throws(KernelError)
    {
        guard gate.count == up.count else {
            throw KernelError(
                description: "siluMultiply: gate (\(gate.count)) and up (\(up.count)) must have the same length.")
        }
        let count = try Self.int32(gate.count, "siluMultiply: the length")
        guard let g = gate.baseAddress, let u = up.baseAddress else { return }
        bk_swiglu(instructionSet.cValue, g, u, count)
    }
}

extension Kernels {
    /// `value` as the C kernels' `int`, or an error naming `what` when it does not fit.
    static func int32(_ value: Int, _ what: @autoclosure () -> String) throws(KernelError) -> Int32 {
        guard let narrow = Int32(exactly: value), narrow >= 0 else {
            throw KernelError(
                description:
                    "\(what()) is \(value); the kernels take 0 to \(Int32.max); split the work into smaller calls.")
        }
        return narrow
    }

    /// Throws unless `pointer` is 2-byte aligned: blocks start with 16-bit scales the C code stores directly.
    static func requireEvenAddress(_ pointer: UnsafeMutableRawPointer, _ kernel: String) throws(KernelError) {
        guard Int(bitPattern: pointer) % 2 == 0 else {
            throw KernelError(
                description: "\(kernel): the output must start at an even address; use a buffer from an array.")
        }
    }

    /// `a · b`, or `nil` when it overflows.
    static func product(_ a: Int, _ b: Int) -> Int? {
        let result = a.multipliedReportingOverflow(by: b)
        return result.overflow ? nil : result.partialValue
    }
}

extension bk_type {
    /// The C type for `type`, when the kernels know it.
    init?(exactly type: TensorType) {
        switch type {
        case .f32: self = BK_TYPE_F32
        case .f16: self = BK_TYPE_F16
        case .q4_0: self = BK_TYPE_Q4_0
        case .q4_1: self = BK_TYPE_Q4_1
        case .q8_0: self = BK_TYPE_Q8_0
        case .q8_1: self = BK_TYPE_Q8_1
        default: return nil
        }
    }
}
