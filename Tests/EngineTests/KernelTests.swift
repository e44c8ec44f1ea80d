import CEngineKernels
import Testing

@testable import Engine

/// Every C kernel against its Swift twin in ``ReferenceKernels`` on seeded random data, on every instruction set
/// this CPU supports. The scalar C path performs the same float operations in the same order as the twin, so it
/// must agree exactly; SIMD paths add the same exactly-computed terms in another order, so they agree within
/// `(terms + 4) · ε · Σ|term|`, the classic bound for reordered float summation (ε = 2⁻²³).
struct KernelTests {
    static let instructionSets = InstructionSet.available
    static let weightTypes: [TensorType] = [.q4_0, .q4_1, .q8_0, .f16, .f32]

    /// Error bound for a sum of `terms` terms reordered, given Σ|term|.
    static func tolerance(_ isa: InstructionSet, terms: Int, magnitude: Float) -> Float {
        isa == .scalar ? 0 : Float(terms + 4) * Float.ulpOfOne * magnitude
    }

    static func activations(_ x: [Float], for type: TensorType) throws -> [UInt8] {
        try Quantization.quantize(x, as: try #require(Kernels.activationType(for: type)))
    }

    @Test func bestIsSupportedAndScalarAlwaysIs() throws {
        #expect(InstructionSet.best.isSupported)
        #expect(InstructionSet.available.first == .scalar)
        #expect(try Kernels(.scalar).instructionSet == .scalar)
        for isa in InstructionSet.allCases where !isa.isSupported {
            let error = #expect(throws: KernelError.self) { try Kernels(isa) }
            #expect(error?.description.hasPrefix("This CPU does not support \(isa)") == true)
        }
    }

    @Test(arguments: instructionSets, [TensorType.q8_0, .q8_1])
    func activationQuantizationMatchesReferenceBytes(isa: InstructionSet, type: TensorType) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: 11)
        // Mixed magnitudes, exact halves (2.5 · d) and an all-zero block exercise rounding and the zero scale;
        // tiny blocks give subnormal f16 scales and huge ones overflow the f16 scale to infinity, so the C
        // half-float conversion is checked against Swift's Float16 at both ends of its range.
        var x = rng.floats(32 * 40, in: -5...5)
        x += [Float](repeating: 0, count: 32)
        x += rng.floats(32, in: -1e-7...1e-7) + rng.floats(32, in: -3e-5...3e-5)
        x += rng.floats(32, in: -60_000...60_000) + rng.floats(32, in: -1e7...1e7)
        x += [127, 2.5, -2.5, 0.5, -0.5, 1.5] + [Float](repeating: 0, count: 26)
        let expected = try Quantization.quantize(x, as: type)
        var output = [UInt8](repeating: 0xAA, count: expected.count)
        try x.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBytes { try kernels.quantizeActivations(input, as: type, into: $0) }
        }
        #expect(output == expected)
        // An empty row is nothing to do, not an error.
        var empty: [UInt8] = []
        try [Float]().withUnsafeBufferPointer { input in
            try empty.withUnsafeMutableBytes { try kernels.quantizeActivations(input, as: type, into: $0) }
        }
    }

    @Test(arguments: instructionSets, [TensorType.q4_0, .q4_1, .q8_0])
    func weightQuantizationMatchesReferenceBytes(isa: InstructionSet, type: TensorType) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: 12 + UInt64(type.rawValue))
        var x: [Float] = []
        for block in 0..<200 {
            let scale = Float.random(in: 1e-6...50, using: &rng)
            x += rng.floats(32, in: -scale...scale).map { block % 5 == 0 ? abs($0) : $0 }
        }
        x += [Float](repeating: 0, count: 32) + [Float](repeating: -0.25, count: 32)
        x += (0..<32).map { Float($0 - 16) }
        let expected = try Quantization.quantize(x, as: type)
        var output = [UInt8](repeating: 0xAA, count: expected.count)
        try x.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBytes { try kernels.quantizeWeights(input, as: type, into: $0) }
        }
        #expect(output == expected)
        let wrongType = x.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBytes { out in
                #expect(throws: KernelError.self) { try kernels.quantizeWeights(input, as: .q8_1, into: out) }
            }
        }
        #expect(wrongType?.description == "quantizeWeights: cannot quantize to Q8_1; use Q4_0, Q4_1 or Q8_0.")
    }

    @Test(arguments: instructionSets, weightTypes)
    func dotMatchesReference(isa: InstructionSet, type: TensorType) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: 5 + UInt64(type.rawValue))
        for count in [32, 64, 96, 576, 1536] {
            let weights = try Quantization.quantize(rng.floats(count, in: -2...2), as: type)
            let activations = try Self.activations(rng.floats(count, in: -4...4), for: type)
            let reference = try ReferenceKernels.dot(
                weights: weights, type: type, activations: activations, count: count)
            let got = try weights.withUnsafeBytes { w in
                try activations.withUnsafeBytes { a in
                    try kernels.dot(weights: w, type: type, activations: a, count: count)
                }
            }
            let terms = type.blockSize == 1 ? count / 8 + 8 : count / 32
            let bound = Self.tolerance(isa, terms: terms, magnitude: reference.magnitude)
            #expect(
                abs(got - reference.value) <= bound,
                "\(isa) \(type) n=\(count): \(got) vs \(reference.value), bound \(bound)")
        }
    }

    struct MatmulShape: Sendable, CustomTestStringConvertible {
        let rowLength: Int
        let rows: Int
        let batches: [Int]
        let types: [TensorType]
        var testDescription: String { "\(rows)x\(rowLength)" }
    }

    /// Short rows with batches that fill the 4-row tiles and leave remainders; and rows of 2048 blocks, where the
    /// AVX2 path converts the quantized types' activation scales in groups of 4 rows (8192 blocks), so batch 5
    /// takes two groups.
    static let matmulShapes = [
        MatmulShape(rowLength: 128, rows: 13, batches: [1, 2, 3, 4, 5, 8, 9], types: weightTypes),
        MatmulShape(rowLength: 65_536, rows: 2, batches: [5], types: [.q4_0, .q4_1, .q8_0]),
    ]

    /// Q8_0 weights from other quantizers may hold −128, which ours never writes; the SIMD sign trick must still
    /// treat its magnitude as 128.
    @Test(arguments: instructionSets)
    func q8_0WeightsWithMinus128(isa: InstructionSet) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: 128)
        var weights: [UInt8] = []
        for block in 0..<18 {
            weights += [0x00, 0x30]  // d = 0.125
            weights += (0..<32).map { j in block % 2 == 0 || j % 3 == 0 ? 0x80 : UInt8.random(in: 0...255, using: &rng)
            }
        }
        let activations = try Self.activations(rng.floats(576, in: -2...2), for: .q8_0)
        let reference = try ReferenceKernels.dot(weights: weights, type: .q8_0, activations: activations, count: 576)
        let got = try weights.withUnsafeBytes { w in
            try activations.withUnsafeBytes { a in try kernels.dot(weights: w, type: .q8_0, activations: a, count: 576)
            }
        }
        #expect(abs(got - reference.value) <= Self.tolerance(isa, terms: 18, magnitude: reference.magnitude))
    }

    /// Batched results must equal single-row dot products exactly (same order of operations per output), for
    /// any batch and any split of the weight rows.
    @Test(arguments: instructionSets, matmulShapes)
    func matmulEqualsRowByRowDots(isa: InstructionSet, shape: MatmulShape) throws {
        for type in shape.types {
            try checkMatmul(isa: isa, type: type, shape: shape)
        }
    }

    func checkMatmul(isa: InstructionSet, type: TensorType, shape: MatmulShape) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: 77 + UInt64(type.rawValue))
        let rowLength = shape.rowLength
        let rows = shape.rows
        let weights = try Quantization.quantize(rng.floats(rowLength * rows, in: -1...1), as: type)
        let rowBytes = try #require(type.rowBytes(elements: rowLength))
        for batch in shape.batches {
            let activationRows = try (0..<batch).map { _ in
                try Self.activations(rng.floats(rowLength, in: -3...3), for: type)
            }
            let activations = activationRows.flatMap { $0 }
            let stride = rows + 3
            var output = [Float](repeating: .nan, count: (batch - 1) * stride + rows)
            try weights.withUnsafeBytes { w in
                try activations.withUnsafeBytes { a in
                    try output.withUnsafeMutableBufferPointer { y in
                        // Two disjoint ranges, as two threads would split the rows.
                        for range in [0..<min(5, rows), min(5, rows)..<rows] {
                            try kernels.matmul(
                                weights: w, type: type, rows: range, rowLength: rowLength, activations: a,
                                batch: batch, output: y, outputStride: stride)
                        }
                    }
                }
            }
            for b in 0..<batch {
                for r in 0..<rows {
                    let row = Array(weights[(r * rowBytes)..<((r + 1) * rowBytes)])
                    let single = try row.withUnsafeBytes { w in
                        try activationRows[b].withUnsafeBytes { a in
                            try kernels.dot(weights: w, type: type, activations: a, count: rowLength)
                        }
                    }
                    #expect(output[b * stride + r] == single, "\(isa) \(type) batch \(batch) row \(r) column \(b)")
                    let reference = try ReferenceKernels.dot(
                        weights: row, type: type, activations: activationRows[b], count: rowLength)
                    let terms = type.blockSize == 1 ? rowLength / 8 + 8 : rowLength / 32
                    let bound = Self.tolerance(isa, terms: terms, magnitude: reference.magnitude)
                    #expect(abs(single - reference.value) <= bound)
                }
            }
        }
    }

    @Test func matmulRejectsShortBuffers() throws {
        let kernels = Kernels.best
        let weights = [UInt8](repeating: 0, count: 18 * 3)
        let activations = [UInt8](repeating: 0, count: 34)
        var output = [Float](repeating: 0, count: 4)
        let error = weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                output.withUnsafeMutableBufferPointer { y in
                    #expect(throws: KernelError.self) {
                        try kernels.matmul(
                            weights: w, type: .q4_0, rows: 0..<4, rowLength: 32, activations: a,
                            batch: 1, output: y, outputStride: 4)
                    }
                }
            }
        }
        #expect(error?.description == "matmul: weights hold 54 bytes; rows up to 4 of 32 Q4_0 elements need 72.")
        let typeError = weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                output.withUnsafeMutableBufferPointer { y in
                    #expect(throws: KernelError.self) {
                        try kernels.matmul(
                            weights: w, type: .q6_K, rows: 0..<1, rowLength: 256, activations: a,
                            batch: 1, output: y, outputStride: 1)
                    }
                }
            }
        }
        #expect(typeError?.description.hasPrefix("matmul: cannot multiply Q6_K weights") == true)
        let padded = [UInt8](repeating: 0, count: 18 + 1)
        let misaligned = padded.withUnsafeBytes { buffer in
            activations.withUnsafeBytes { a in
                output.withUnsafeMutableBufferPointer { y in
                    #expect(throws: KernelError.self) {
                        try kernels.matmul(
                            weights: UnsafeRawBufferPointer(rebasing: buffer[1...]), type: .q4_0, rows: 0..<1,
                            rowLength: 32, activations: a, batch: 1, output: y, outputStride: 1)
                    }
                }
            }
        }
        #expect(misaligned?.description.hasPrefix("matmul: Q4_0 weights must start at a multiple of 2 bytes") == true)
    }

    @Test func wrappersRejectMismatchedBuffers() throws {
        let kernels = Kernels.best
        let x = [Float](repeating: 1, count: 64)
        var small = [UInt8](repeating: 0, count: 60)
        let quantize = x.withUnsafeBufferPointer { input in
            small.withUnsafeMutableBytes { output in
                #expect(throws: KernelError.self) { try kernels.quantizeActivations(input, as: .q8_0, into: output) }
            }
        }
        #expect(
            quantize?.description
                == "quantizeActivations: 64 values need a multiple of 32 and an output of 68 bytes; got 60.")
        let activationType = x.withUnsafeBufferPointer { input in
            small.withUnsafeMutableBytes { output in
                #expect(throws: KernelError.self) { try kernels.quantizeActivations(input, as: .q4_0, into: output) }
            }
        }
        #expect(
            activationType?.description == "quantizeActivations: type Q4_0 is not an activation type; use Q8_0 or Q8_1."
        )
        var padded = [UInt8](repeating: 0, count: 69)
        let odd = x.withUnsafeBufferPointer { input in
            padded.withUnsafeMutableBytes { output in
                #expect(throws: KernelError.self) {
                    try kernels.quantizeActivations(
                        input, as: .q8_0, into: UnsafeMutableRawBufferPointer(rebasing: output[1...]))
                }
            }
        }
        #expect(
            odd?.description
                == "quantizeActivations: the output must start at an even address; use a buffer from an array.")
        var y = [Float](repeating: 0, count: 63)
        let norm = x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                #expect(throws: KernelError.self) {
                    try kernels.rmsNorm(input, weight: nil, epsilon: 1e-5, into: output)
                }
            }
        }
        #expect(norm?.description == "rmsNorm: input (64), weight (64) and output (63) must have the same length.")
        var q = x
        let rope = q.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: KernelError.self) {
                try kernels.rope(
                    buffer, heads: 2, headDimension: 32, rotatedDimensions: 33, position: 0, base: 1e4, neox: false)
            }
        }
        #expect(
            rope?.description.hasPrefix("rope: 64 floats do not hold 2 heads of 32, or 33 rotated dimensions is odd")
                == true)
        let swiglu = q.withUnsafeMutableBufferPointer { gate in
            y.withUnsafeBufferPointer { up in
                #expect(throws: KernelError.self) { try kernels.siluMultiply(gate, by: up) }
            }
        }
        #expect(swiglu?.description == "siluMultiply: gate (64) and up (63) must have the same length.")
        // Sizes that would overflow are refused before any arithmetic on them.
        let weights = [UInt8](repeating: 0, count: 18)
        let activations = [UInt8](repeating: 0, count: 34)
        let huge = weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                y.withUnsafeMutableBufferPointer { out in
                    #expect(throws: KernelError.self) {
                        try kernels.matmul(
                            weights: w, type: .q4_0, rows: 0..<Int(Int32.max), rowLength: 32, activations: a,
                            batch: 1, output: out, outputStride: 1)
                    }
                }
            }
        }
        #expect(
            huge?.description
                == "matmul: weights hold 18 bytes; rows up to 2147483647 of 32 Q4_0 elements need 38654705646.")
        let tooMany = weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                y.withUnsafeMutableBufferPointer { out in
                    #expect(throws: KernelError.self) {
                        try kernels.matmul(
                            weights: w, type: .q4_0, rows: 0..<1, rowLength: 32, activations: a,
                            batch: Int(Int32.max) + 1, output: out, outputStride: 1)
                    }
                }
            }
        }
        #expect(
            tooMany?.description
                == "matmul: the batch is 2147483648; the kernels take 0 to 2147483647; split the work into smaller calls."
        )
        let overflow = q.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: KernelError.self) {
                try kernels.rope(
                    buffer, heads: Int.max, headDimension: 2, rotatedDimensions: 2, position: 0, base: 1e4, neox: false)
            }
        }
        #expect(overflow?.description.hasPrefix("rope: 64 floats do not hold") == true)
    }

    /// RMSNorm's SIMD path sums squares in `Double` in another order; the mean then rounds to the same float
    /// except in rare ties, so outputs agree within 4 ulp of each value.
    @Test(arguments: instructionSets, [1, 7, 8, 576, 1000])
    func rmsNormMatchesReference(isa: InstructionSet, count: Int) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: UInt64(count))
        let x = rng.floats(count, in: -3...3)
        let weight = rng.floats(count, in: 0.5...1.5)
        for w in [weight, nil] {
            let expected = try ReferenceKernels.rmsNorm(x, weight: w, epsilon: 1e-5)
            var y = [Float](repeating: 0, count: count)
            try x.withUnsafeBufferPointer { input in
                try y.withUnsafeMutableBufferPointer { output in
                    if let w {
                        try w.withUnsafeBufferPointer {
                            try kernels.rmsNorm(input, weight: $0, epsilon: 1e-5, into: output)
                        }
                    } else {
                        try kernels.rmsNorm(input, weight: nil, epsilon: 1e-5, into: output)
                    }
                }
            }
            for i in 0..<count {
                let bound = isa == .scalar ? 0 : 4 * expected[i].ulp
                #expect(abs(y[i] - expected[i]) <= bound, "\(isa) element \(i)")
            }
        }
    }

    /// Softmax, RoPE and SiLU are scalar C on every instruction set, with the same libm calls as the twins, so
    /// they agree exactly; SwiGLU takes the instruction set's exponential.
    @Test(arguments: instructionSets)
    func rowOperationsMatchReference(isa: InstructionSet) throws {
        let kernels = try Kernels(isa)
        var rng = SeededGenerator(seed: 99)
        var logits = rng.floats(1000, in: -20...20)
        let expectedSoftmax = ReferenceKernels.softmax(logits)
        try logits.withUnsafeMutableBufferPointer { try kernels.softmax($0) }
        #expect(logits == expectedSoftmax)
        #expect(abs(logits.reduce(0, +) - 1) < 1e-4)

        // 264 rotated pairs exceed the 256 whose angles the kernel computes once for all heads.
        for (heads, dimension, rotated) in [(3, 64, 48), (2, 544, 528)] {
            for neox in [false, true] {
                for position in [0, 1, 17, 4095] {
                    let q = rng.floats(heads * dimension, in: -1...1)
                    let expected = try ReferenceKernels.rope(
                        q, heads: heads, headDimension: dimension, rotatedDimensions: rotated, position: position,
                        base: 10_000, neox: neox)
                    var got = q
                    try got.withUnsafeMutableBufferPointer {
                        try kernels.rope(
                            $0, heads: heads, headDimension: dimension, rotatedDimensions: rotated,
                            position: position, base: 10_000, neox: neox)
                    }
                    #expect(got == expected, "rope \(heads)x\(dimension) neox=\(neox) position \(position)")
                    // Unrotated tail dimensions stay as they were; position 0 is the identity.
                    for h in 0..<heads {
                        let tail = (h * dimension + rotated)..<((h + 1) * dimension)
                        #expect(got[tail] == q[tail])
                    }
                    if position == 0 { #expect(got == q) }
                }
            }
        }

        let gate = rng.floats(300, in: -8...8)
        let up = rng.floats(300, in: -2...2)
        var silu = gate
        try silu.withUnsafeMutableBufferPointer { try kernels.silu($0) }
        #expect(silu == ReferenceKernels.silu(gate))
        var swiglu = gate
        try swiglu.withUnsafeMutableBufferPointer { g in
            try up.withUnsafeBufferPointer { try kernels.siluMultiply(g, by: $0) }
        }
        let expectedSwiglu = ReferenceKernels.siluMultiply(gate, up)
        if kernels.instructionSet == .scalar {
            #expect(swiglu == expectedSwiglu)
        } else {
            // SIMD paths use an eight-lane e^x within 2 ulp of expf: the result stays within a few ulp.
            for (got, want) in zip(swiglu, expectedSwiglu) {
                #expect(abs(got - want) <= 8 * Float.ulpOfOne * max(abs(want), Float.leastNormalMagnitude))
            }
        }
        // An element's result does not depend on where the range around it starts or ends.
        var split = gate
        try split.withUnsafeMutableBufferPointer { g in
            try up.withUnsafeBufferPointer { u in
                try kernels.siluMultiply(
                    UnsafeMutableBufferPointer(rebasing: g[0..<13]), by: UnsafeBufferPointer(rebasing: u[0..<13]))
                try kernels.siluMultiply(
                    UnsafeMutableBufferPointer(rebasing: g[13...]), by: UnsafeBufferPointer(rebasing: u[13...]))
            }
        }
        #expect(split == swiglu)
    }

    /// The runner rotates a token's query and key heads in one call that computes the angles once; each must come
    /// out as a rotation of its own alone would.
    @Test(arguments: [false, true])
    func ropeOfQueriesAndKeysTogetherMatchesEachAlone(neox: Bool) throws {
        var rng = SeededGenerator(seed: 12)
        for (position, rotated) in [(0, 64), (5, 64), (300, 48)] {
            let q = rng.floats(9 * 64, in: -1...1)
            let k = rng.floats(3 * 64, in: -1...1)
            let expectedQ = try ReferenceKernels.rope(
                q, heads: 9, headDimension: 64, rotatedDimensions: rotated, position: position, base: 10_000,
                neox: neox)
            let expectedK = try ReferenceKernels.rope(
                k, heads: 3, headDimension: 64, rotatedDimensions: rotated, position: position, base: 10_000,
                neox: neox)
            var (gotQ, gotK) = (q, k)
            gotQ.withUnsafeMutableBufferPointer { qb in
                gotK.withUnsafeMutableBufferPointer { kb in
                    bk_rope_qk(
                        qb.baseAddress, 9, kb.baseAddress, 3, 64, Int32(rotated), Int32(position), 10_000,
                        neox ? 1 : 0)
                }
            }
            #expect(gotQ == expectedQ, "queries at position \(position)")
            #expect(gotK == expectedK, "keys at position \(position)")
            // Either side may be absent.
            var onlyK = k
            onlyK.withUnsafeMutableBufferPointer {
                bk_rope_qk(nil, 0, $0.baseAddress, 3, 64, Int32(rotated), Int32(position), 10_000, neox ? 1 : 0)
            }
            #expect(onlyK == expectedK)
        }
    }

    /// RoPE preserves each rotated pair's length: a real rotation, whatever the pairing.
    @Test(arguments: [false, true])
    func ropePreservesPairNorms(neox: Bool) throws {
        var rng = SeededGenerator(seed: 3)
        let x = rng.floats(64, in: -1...1)
        var y = x
        try y.withUnsafeMutableBufferPointer {
            try Kernels.best.rope(
                $0, heads: 1, headDimension: 64, rotatedDimensions: 64, position: 123, base: 10_000, neox: neox)
        }
        for i in 0..<32 {
            let (a, b) = neox ? (i, i + 32) : (2 * i, 2 * i + 1)
            let before = x[a] * x[a] + x[b] * x[b]
            let after = y[a] * y[a] + y[b] * y[b]
            #expect(abs(before - after) <= 1e-5, "pair \(i)")
        }
        #expect(y != x)
    }
}
