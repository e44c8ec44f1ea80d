import Foundation
import Testing

@testable import Engine

struct QuantizationTests {
    /// A block whose values are −16 … 15: the extreme is −16, so d = −16 / −8 = 2 and q = trunc(x / 2 + 8.5).
    @Test func q4_0HandComputedBlock() throws {
        let x = (0..<32).map { Float($0 - 16) }
        let bytes = try Quantization.quantize(x, as: .q4_0)
        #expect(bytes.count == 18)
        #expect(Array(bytes[0..<2]) == [0x00, 0x40])  // f16 2.0
        // Element j (low nibble) is j − 16 → q = trunc((j − 16)/2 + 8.5); element j + 16 is j → min(15, trunc(j/2 + 8.5)).
        let expected = (0..<16).map { j -> UInt8 in
            let lo = UInt8(Int((Float(j - 16) / 2 + 8.5).rounded(.towardZero)))
            let hi = UInt8(min(15, Int((Float(j) / 2 + 8.5).rounded(.towardZero))))
            return lo | hi << 4
        }
        #expect(Array(bytes[2...]) == expected)
        #expect(bytes[2] == 0x80)  // element 0 = −16 → q 0; element 16 = 0 → q 8
        let back = try Quantization.dequantize(bytes, as: .q4_0, count: 32)
        #expect(back[0] == -16)
        #expect(back[31] == 14)  // 15 clips to level 15 → (15 − 8) · 2
    }

    /// Q4_1 spans min … max in 15 steps: values 0 … 31 give d = 31/15, m = 0.
    @Test func q4_1HandComputedBlock() throws {
        let x = (0..<32).map { Float($0) }
        let bytes = try Quantization.quantize(x, as: .q4_1)
        let d = Float(Float16(bitPattern: UInt16(bytes[0]) | UInt16(bytes[1]) << 8))
        let m = Float(Float16(bitPattern: UInt16(bytes[2]) | UInt16(bytes[3]) << 8))
        #expect(d == Float(Float16(Float(31) / 15)))
        #expect(m == 0)
        #expect(bytes[4] & 0x0F == 0)
        #expect(bytes[19] >> 4 == 15)
    }

    @Test func q8_0RoundsHalvesAwayFromZero() throws {
        // max |x| = 127 → d = 1, so values are rounded directly: 2.5 → 3, −2.5 → −3.
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127
        x[1] = 2.5
        x[2] = -2.5
        x[3] = 0.49999997
        let bytes = try Quantization.quantize(x, as: .q8_0)
        #expect(Array(bytes[0..<6]) == [0x00, 0x3C, 127, 3, UInt8(bitPattern: -3), 0])
    }

    @Test func zeroBlocksStayZero() throws {
        for type in [TensorType.q4_0, .q4_1, .q8_0, .q8_1] {
            let back = try Quantization.dequantize(
                try Quantization.quantize([Float](repeating: 0, count: 64), as: type), as: type, count: 64)
            #expect(back == [Float](repeating: 0, count: 64), "\(type)")
        }
    }

    /// Round-trip error bounds from the grids: Q4_0 steps d = max/8 (the top level clips, so the error reaches d);
    /// Q4_1 steps (max − min)/15 (error ≤ d/2, plus f16 rounding of m); Q8 steps max/127 (error ≤ d/2). Each bound
    /// adds the f16 rounding of the scale (relative 2⁻¹¹, times at most 16 levels) and a float epsilon.
    @Test(arguments: [TensorType.q4_0, .q4_1, .q8_0, .q8_1])
    func roundTripErrorWithinGridStep(type: TensorType) throws {
        var rng = SeededGenerator(seed: UInt64(type.rawValue) + 100)
        let x = rng.floats(32 * 64, in: -3...3)
        let back = try Quantization.dequantize(try Quantization.quantize(x, as: type), as: type, count: x.count)
        for block in 0..<64 {
            let slice = x[(block * 32)..<(block * 32 + 32)]
            let amax = slice.map(abs).max() ?? 0
            let range = (slice.max() ?? 0) - (slice.min() ?? 0)
            let step: Float
            switch type {
            case .q4_0: step = amax / 8
            case .q4_1: step = range / 15 / 2
            default: step = amax / 127 / 2
            }
            let bound = step * (1 + 16.0 / 2048) + amax * 4.0 / 2048 + 1e-6
            for j in slice.indices {
                #expect(abs(back[j] - x[j]) <= bound, "\(type) element \(j): \(x[j]) → \(back[j]), bound \(bound)")
            }
        }
    }

    @Test func f16AndF32RoundTrip() throws {
        let x: [Float] = [0, 1, -2.5, 65504, 1e-8, .infinity]
        #expect(try Quantization.dequantize(try Quantization.quantize(x, as: .f32), as: .f32, count: 6) == x)
        let half = try Quantization.dequantize(try Quantization.quantize(x, as: .f16), as: .f16, count: 6)
        #expect(half == x.map { Float(Float16($0)) })
    }

    @Test func badCountsAndTypesAreClearErrors() {
        let partial = #expect(throws: QuantizationError.self) { try Quantization.quantize([1, 2, 3], as: .q4_0) }
        #expect(partial?.description == "3 values do not fill whole Q4_0 blocks; pass a multiple of 32.")
        let type = #expect(throws: QuantizationError.self) { try Quantization.quantize([1], as: .q6_K) }
        #expect(type?.description.hasPrefix("Type Q6_K cannot be converted here") == true)
        let size = #expect(throws: QuantizationError.self) { try Quantization.dequantize([0], as: .q8_0, count: 32) }
        #expect(size?.description == "32 values of Q8_0 take 34 bytes, but 1 were given.")
    }

    /// The PyPI `gguf` package's numpy quantizers mirror ggml's reference functions; ours must give the same bytes.
    static let pythonQuantizeScript = """
        import json, sys, numpy as np
        from gguf import quants, GGMLQuantizationType as T
        x = np.fromfile(sys.argv[1], dtype='<f4').reshape(-1, 256)
        out = {}
        for name in ['Q4_0', 'Q4_1', 'Q8_0']:
            q = quants.quantize(x, T[name])
            out[name] = q.tobytes().hex()
            out[name + '_deq'] = quants.dequantize(q, T[name]).astype('<f4').tobytes().hex()
        print(json.dumps(out))
        """

    @Test(.enabled(if: PythonRunner.ggufAvailable, "needs python3 with the PyPI gguf package"))
    func matchesPythonGGUFQuantizers() async throws {
        var rng = SeededGenerator(seed: 2024)
        // Mixed scales per block, as in real weights, plus one all-zero block and one constant block.
        var x: [Float] = []
        for block in 0..<62 {
            let scale = Float.random(in: 0.001...4, using: &rng)
            x += rng.floats(32, in: -scale...scale).map { block % 7 == 3 ? abs($0) : $0 }
        }
        x += [Float](repeating: 0, count: 32) + [Float](repeating: 0.75, count: 32)
        let directory = try TemporaryDirectory()
        let path = directory.file("x.f32")
        try x.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
        let json = try await PythonRunner.json(Self.pythonQuantizeScript, [path])
        for type in [TensorType.q4_0, .q4_1, .q8_0] {
            let ours = try Quantization.quantize(x, as: type)
            let theirs = try #require(json[type.description] as? String)
            let oursHex = ours.map { String(format: "%02x", $0) }.joined()
            let firstDifference = zip(oursHex, theirs).enumerated().first(where: { $0.element.0 != $0.element.1 })?
                .offset
            #expect(oursHex == theirs, "\(type) differs first at byte \((firstDifference ?? 0) / 2)")
            let deq = try Quantization.dequantize(ours, as: type, count: x.count)
            let deqHex = deq.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
            #expect(deqHex == json[type.description + "_deq"] as? String, "\(type) dequantized")
        }
    }
}
