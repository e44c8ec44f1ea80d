import Testing

@testable import Engine

/// The packed (eight rows at a time, VNNI) matmul against the row kernels' scalar reference, and its invariance
/// to batch size and row split, which batched decoding relies on for identical results.
struct PackedWeightsTests {
    static let types: [TensorType] = [.q4_0, .q4_1, .q8_0]

    static func matrix(_ type: TensorType, rows: Int, rowLength: Int, seed: UInt64) throws -> (WeightMatrix, [UInt8]) {
        var rng = SeededGenerator(seed: seed)
        var bytes = try Quantization.quantize(rng.floats(rowLength * rows, in: -1...1), as: type)
        if type == .q8_0 {
            // Other quantizers may write −128, which ours never does; the packed offset must handle it.
            bytes[2] = 0x80
            bytes[40] = 0x80
        }
        let matrix = bytes.withUnsafeBytes {
            WeightMatrix(name: "w", type: type, rowLength: rowLength, rowCount: rows, data: $0)
        }
        return (matrix, bytes)
    }

    /// Runs the packed kernel over `groups` for `activations` (batch rows back to back).
    static func multiply(
        _ packed: PackedWeights, groups: [Range<Int>], activations: [UInt8], rowBytes: Int, batch: Int,
        rows: Int
    ) -> [Float]? {
        var output = [Float](repeating: .nan, count: batch * rows)
        let ok = activations.withUnsafeBytes { a in
            output.withUnsafeMutableBufferPointer { y in
                groups.allSatisfy { range in
                    guard let x = a.baseAddress, let out = y.baseAddress else { return false }
                    return packed.multiply(
                        groups: range, activations: x, activationRowBytes: rowBytes, batch: batch, output: out,
                        outputStride: rows)
                }
            }
        }
        return ok ? output : nil
    }

    @Test(arguments: types)
    func packedMatmulAgreesWithTheScalarReference(type: TensorType) throws {
        let rows = 24
        let rowLength = 96
        let (source, bytes) = try Self.matrix(type, rows: rows, rowLength: rowLength, seed: 5 + UInt64(type.rawValue))
        try bytes.withUnsafeBytes { data in
            let matrix = WeightMatrix(name: "w", type: type, rowLength: rowLength, rowCount: rows, data: data)
            guard PackedWeights.isSupported(for: type) else {
                #expect(matrix.packingRows().packed == nil, "no packed copy on a CPU without the kernel")
                return
            }
            let packed = try #require(matrix.packingRows().packed)
            #expect(packed.groupCount == 3)
            let activationType = try #require(Kernels.activationType(for: type))
            let rowBytes = try #require(activationType.rowBytes(elements: rowLength))
            var rng = SeededGenerator(seed: 99)
            let batch = 11
            let floats = (0..<batch).map { _ in rng.floats(rowLength, in: -3...3) }
            let activations = try floats.flatMap { try Quantization.quantize($0, as: activationType) }
            let output = try #require(
                Self.multiply(
                    packed, groups: [0..<1, 1..<3], activations: activations, rowBytes: rowBytes, batch: batch,
                    rows: rows))
            let scalar = try Kernels(.scalar)
            let weights = try Quantization.dequantize(bytes, as: type, count: rows * rowLength)
            let inputs = try floats.map { try Quantization.dequantize(Quantization.quantize($0, as: activationType),
                as: activationType, count: rowLength) }
            for b in 0..<batch {
                for r in 0..<rows {
                    let row = Array(bytes[(r * source.rowBytes)..<((r + 1) * source.rowBytes)])
                    let reference = try row.withUnsafeBytes { w in
                        try activations[(b * rowBytes)..<((b + 1) * rowBytes)].withUnsafeBytes { a in
                            try scalar.dot(weights: w, type: type, activations: a, count: rowLength)
                        }
                    }
                    // The same exact block sums added in another order: well within 1e-5 of the sum of |terms|.
                    let magnitude = (0..<rowLength).reduce(Float(0)) {
                        $0 + abs(weights[r * rowLength + $1] * inputs[b][$1])
                    }
                    #expect(
                        abs(output[b * rows + r] - reference) <= 1e-5 * (magnitude + 1),
                        "\(type) row \(r) activation \(b): packed \(output[b * rows + r]), reference \(reference)")
                }
            }
        }
    }

    @Test(arguments: types)
    func resultsDoNotDependOnBatchOrSplit(type: TensorType) throws {
        guard PackedWeights.isSupported(for: type) else { return }
        let rows = 32
        let rowLength = 64
        let (_, bytes) = try Self.matrix(type, rows: rows, rowLength: rowLength, seed: 21)
        try bytes.withUnsafeBytes { data in
            let matrix = WeightMatrix(name: "w", type: type, rowLength: rowLength, rowCount: rows, data: data)
            let packed = try #require(matrix.packingRows().packed)
            let activationType = try #require(Kernels.activationType(for: type))
            let rowBytes = try #require(activationType.rowBytes(elements: rowLength))
            var rng = SeededGenerator(seed: 3)
            let batch = 19
            let activations = try (0..<batch).flatMap { _ in
                try Quantization.quantize(rng.floats(rowLength, in: -2...2), as: activationType)
            }
            let whole = try #require(
                Self.multiply(
                    packed, groups: [0..<4], activations: activations, rowBytes: rowBytes, batch: batch, rows: rows))
            for b in 0..<batch {
                let one = try #require(
                    Self.multiply(
                        packed, groups: [0..<1, 1..<2, 2..<4],
                        activations: Array(activations[(b * rowBytes)..<((b + 1) * rowBytes)]), rowBytes: rowBytes,
                        batch: 1, rows: rows))
                #expect(one == Array(whole[(b * rows)..<((b + 1) * rows)]), "\(type) activation row \(b)")
            }
        }
    }

    /// Every batch size from 1 to 17 (whole tiles of eight, remainders, and the first tile alone prefetching)
    /// over an odd number of groups gives each activation row exactly what it gets alone.
    @Test(arguments: types, 1...17)
    func everyBatchSizeMatchesSingleRows(type: TensorType, batch: Int) throws {
        guard PackedWeights.isSupported(for: type) else { return }
        let rows = 40
        let rowLength = 160
        let (_, bytes) = try Self.matrix(type, rows: rows, rowLength: rowLength, seed: 7 + UInt64(batch))
        try bytes.withUnsafeBytes { data in
            let matrix = WeightMatrix(name: "w", type: type, rowLength: rowLength, rowCount: rows, data: data)
            let packed = try #require(matrix.packingRows().packed)
            #expect(packed.groupCount == 5)
            let activationType = try #require(Kernels.activationType(for: type))
            let rowBytes = try #require(activationType.rowBytes(elements: rowLength))
            var rng = SeededGenerator(seed: 40 + UInt64(batch))
            let activations = try (0..<batch).flatMap { _ in
                try Quantization.quantize(rng.floats(rowLength, in: -2...2), as: activationType)
            }
            let whole = try #require(
                Self.multiply(
                    packed, groups: [0..<2, 2..<5], activations: activations, rowBytes: rowBytes, batch: batch,
                    rows: rows))
            #expect(!whole.contains { $0.isNaN }, "\(type) batch \(batch): every output is written")
            for b in 0..<batch {
                let one = try #require(
                    Self.multiply(
                        packed, groups: [0..<5], activations: Array(activations[(b * rowBytes)..<((b + 1) * rowBytes)]),
                        rowBytes: rowBytes, batch: 1, rows: rows))
                #expect(one == Array(whole[(b * rows)..<((b + 1) * rows)]), "\(type) batch \(batch) row \(b)")
            }
        }
    }

    @Test func unpackableMatricesKeepTheRowLayout() throws {
        let (_, q4) = try Self.matrix(.q4_1, rows: 12, rowLength: 64, seed: 1)
        q4.withUnsafeBytes { data in
            let matrix = WeightMatrix(name: "w", type: .q4_1, rowLength: 64, rowCount: 12, data: data)
            #expect(matrix.packingRows().packed == nil, "12 rows are not whole groups of 8")
        }
        let f32 = [Float](repeating: 1, count: 64 * 8)
        f32.withUnsafeBytes { data in
            let matrix = WeightMatrix(name: "w", type: .f32, rowLength: 64, rowCount: 8, data: data)
            #expect(matrix.packingRows().packed == nil, "F32 rows have no packed kernel")
        }
    }
}
