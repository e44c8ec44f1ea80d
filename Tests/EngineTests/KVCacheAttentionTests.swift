import Foundation
import Testing

@testable import Engine

struct KVCacheAttentionTests {
    /// Plain attention of one query over tokens given as key and value rows (no pages).
    static func reference(
        query: [Float], keys: [[Float]], values: [[Float]], heads: Int, kvHeads: Int, headDim: Int, scale: Float
    ) -> [Float] {
        var out = [Float](repeating: 0, count: heads * headDim)
        for h in 0..<heads {
            let g = h / (heads / kvHeads)
            let scores = keys.map { k in
                (0..<headDim).reduce(Double(0)) { $0 + Double(query[h * headDim + $1]) * Double(k[g * headDim + $1]) }
                    * Double(scale)
            }
            let m = scores.max() ?? 0
            let e = scores.map { exp($0 - m) }
            let sum = e.reduce(0, +)
            for (t, v) in values.enumerated() {
                for d in 0..<headDim { out[h * headDim + d] += Float(e[t] / sum) * v[g * headDim + d] }
            }
        }
        return out
    }

    /// IEEE half bit patterns of `values`, rounded to nearest even.
    static func halves(_ values: [Float]) -> [UInt16] { values.map { Float16($0).bitPattern } }

    /// `values` rounded to halves and back.
    static func rounded(_ values: [Float]) -> [Float] { values.map { Float(Float16($0)) } }

    /// Both paths store the bits Swift's own rounding gives, including ties, subnormals, overflow and NaN.
    @Test(arguments: InstructionSet.available)
    func storedHalvesRoundToNearestEven(isa: InstructionSet) throws {
        var rng = SeededGenerator(seed: 16)
        var values = rng.floats(1_000, in: -70_000...70_000) + rng.floats(1_000, in: -1e-3...1e-3)
        values += [
            0, -0.0, 1, 1 + 0x1p-11, 1 + 0x1p-11 + 0x1p-23, 1 + 3 * 0x1p-11, 65_504, 65_520, 65_519.99, 1e-8, 6e-8,
            -6.1e-5, .infinity, -.infinity, .greatestFiniteMagnitude, 0x1p-25, 0x1.8p-25,
        ]
        var stored = [UInt16](repeating: 0xFFFF, count: values.count + 3)
        try values.withUnsafeBufferPointer { v in
            try stored.withUnsafeMutableBufferPointer { try Kernels(isa).storeHalves(v, into: $0) }
        }
        #expect(Array(stored.prefix(values.count)) == Self.halves(values))
        #expect(stored.suffix(3).allSatisfy { $0 == 0xFFFF }, "nothing is written past the values")
        var nan = [UInt16](repeating: 0, count: 1)
        try [Float.nan].withUnsafeBufferPointer { v in
            try nan.withUnsafeMutableBufferPointer { try Kernels(isa).storeHalves(v, into: $0) }
        }
        #expect(Float16(bitPattern: nan[0]).isNaN)
        let error = #expect(throws: KernelError.self) {
            try values.withUnsafeBufferPointer { v in
                try stored.withUnsafeMutableBufferPointer {
                    try Kernels(isa).storeHalves(v, into: UnsafeMutableBufferPointer(rebasing: $0[0..<10]))
                }
            }
        }
        #expect(error?.description.contains("do not fit 10 halves") == true)
    }

    /// (heads, KV heads, head size, tokens, page size): odd head sizes exercise the vector tails.
    @Test(
        arguments: InstructionSet.available,
        [
            (4, 2, 16, 1, 4), (9, 3, 64, 37, 8), (9, 3, 64, 3, 2), (9, 3, 64, 300, 256), (6, 6, 20, 300, 256),
            (8, 1, 13, 9, 2),
        ])
    func matchesPlainAttentionOverScatteredPages(isa: InstructionSet, shape: (Int, Int, Int, Int, Int)) throws {
        let (heads, kvHeads, headDim, tokens, pageSize) = shape
        var rng = SeededGenerator(seed: UInt64(heads * 1000 + tokens))
        let kvDim = kvHeads * headDim
        let pageCount = (tokens + pageSize - 1) / pageSize + 3
        let pageStride = 2 * pageSize * kvDim
        var pool = Self.halves(rng.floats(pageCount * pageStride, in: -1...1))
        // The sequence owns pages in a shuffled order, as a pool shared with other sequences hands them out.
        let pages = Array((0..<Int32(pageCount)).shuffled(using: &rng).prefix((tokens + pageSize - 1) / pageSize))
        // The cache holds halves: the reference attends over the same rounded keys and values.
        let keys = (0..<tokens).map { _ in Self.rounded(rng.floats(kvDim, in: -2...2)) }
        let values = (0..<tokens).map { _ in Self.rounded(rng.floats(kvDim, in: -2...2)) }
        for t in 0..<tokens {
            let base = Int(pages[t / pageSize]) * pageStride + (t % pageSize) * kvDim
            pool.replaceSubrange(base..<(base + kvDim), with: Self.halves(keys[t]))
            pool.replaceSubrange(
                (base + pageSize * kvDim)..<(base + pageSize * kvDim + kvDim), with: Self.halves(values[t]))
        }
        let query = rng.floats(heads * headDim, in: -1...1)
        let scale = 1 / Float(headDim).squareRoot()
        let expected = Self.reference(
            query: query, keys: keys, values: values, heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale)
        var output = [Float](repeating: .nan, count: heads * headDim)
        // Several heads of one KV head may be scored together, each with a row of its own.
        var scores = [Float](
            repeating: 0,
            count: Kernels.attentionScratchCount(queryHeads: heads, keyValueHeads: kvHeads, tokens: tokens))
        #expect(scores.count >= tokens && scores.count <= min(3, heads / kvHeads) * tokens)
        let kernels = try Kernels(isa)
        try pool.withUnsafeBufferPointer { pool in
            try pages.withUnsafeBufferPointer { pages in
                let layout = PagedKVLayout(
                    pool: pool, pageStride: pageStride, valueOffset: pageSize * kvDim, pageSize: pageSize,
                    keyValueHeads: kvHeads, headDimension: headDim, pages: pages)
                try query.withUnsafeBufferPointer { q in
                    try output.withUnsafeMutableBufferPointer { out in
                        try scores.withUnsafeMutableBufferPointer { s in
                            // Two calls over halves of the heads, as two threads would split them.
                            try kernels.attention(
                                query: q, output: out, heads: 0..<(heads / 2), layout: layout, tokens: tokens,
                                scale: scale, scores: s)
                            try kernels.attention(
                                query: q, output: out, heads: (heads / 2)..<heads, layout: layout, tokens: tokens,
                                scale: scale, scores: s)
                        }
                    }
                }
            }
        }
        for (a, b) in zip(output, expected) {
            #expect(abs(a - b) <= 1e-4 * max(1, abs(b)), "\(a) vs \(b)")
        }
    }

    @Test func rejectsBuffersThatDoNotFit() throws {
        let pool = [UInt16](repeating: 0, count: 2 * 2 * 4 * 8)
        let pages: [Int32] = [0, 5]
        let query = [Float](repeating: 0, count: 16)
        var output = [Float](repeating: 0, count: 16)
        var scores = [Float](repeating: 0, count: 16)
        let cases: [(tokens: Int, heads: Range<Int>, kvHeads: Int, scores: Int, message: String)] = [
            (6, 0..<2, 1, 16, "page 5 lies outside the pool"),
            (9, 0..<2, 1, 16, "9 tokens need 3 pages of 4"),
            (3, 0..<3, 1, 16, "heads 0..<3"),
            (3, 0..<2, 3, 16, "grouped over 3 KV heads"),
            // Two query heads share the one KV head: 3 tokens need 6 score floats.
            (3, 0..<2, 1, 5, "6 score floats; got 2 pages and 5 floats"),
        ]
        for c in cases {
            let error = #expect(throws: KernelError.self) {
                try pool.withUnsafeBufferPointer { pool in
                    try pages.withUnsafeBufferPointer { pages in
                        try output.withUnsafeMutableBufferPointer { out in
                            try scores.withUnsafeMutableBufferPointer { all in
                                let s = UnsafeMutableBufferPointer(rebasing: all[0..<c.scores])
                                try query.withUnsafeBufferPointer { q in
                                    try Kernels.best.attention(
                                        query: q, output: out, heads: c.heads,
                                        layout: PagedKVLayout(
                                            pool: pool, pageStride: 2 * 4 * 8, valueOffset: 4 * 8, pageSize: 4,
                                            keyValueHeads: c.kvHeads, headDimension: 8, pages: pages),
                                        tokens: c.tokens, scale: 1, scores: s)
                                }
                            }
                        }
                    }
                }
            }
            #expect(error?.description.contains(c.message) == true, "\(error?.description ?? "")")
        }
    }
}
