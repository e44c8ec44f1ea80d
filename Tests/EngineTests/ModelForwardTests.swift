import Foundation
import Testing

@testable import Engine

/// A plain Swift, all-F32 transformer forward over a whole token sequence: dequantized weights, full attention
/// recomputed from scratch at every position, no cache, no batching, no threads. Written apart from
/// ``ModelRunner`` so the two share nothing but the weight files.
struct ReferenceTransformer {
    let c: ModelConfiguration
    let weights: [String: [Float]]
    let neox: Bool

    /// A reference for `model`; `flippingRoPE` uses the other RoPE pairing, to show the comparison catches it.
    init(_ model: Model, flippingRoPE: Bool = false) throws {
        c = model.configuration
        neox = model.configuration.architecture.usesNeoXRoPE != flippingRoPE
        var weights: [String: [Float]] = [:]
        for info in model.file.tensors {
            weights[info.name] = try Quantization.dequantize(
                Array(try model.file.data(of: info)), as: info.type, count: info.elementCount)
        }
        self.weights = weights
    }

    private func w(_ name: String) -> [Float] { weights[name] ?? [] }

    /// `matrix` (rows of `x.count`) times `x`.
    private func matmul(_ matrix: [Float], _ x: [Float]) -> [Float] {
        let n = x.count
        return (0..<(matrix.count / n)).map { r in
            var sum: Float = 0
            for i in 0..<n { sum += matrix[r * n + i] * x[i] }
            return sum
        }
    }

    private func rmsNorm(_ x: [Float], _ weight: [Float]) -> [Float] {
        let meanSquare = x.reduce(0) { $0 + $1 * $1 } / Float(x.count)
        let scale = 1 / (meanSquare + c.rmsNormEpsilon).squareRoot()
        return zip(x, weight).map { $0 * scale * $1 }
    }

    private func rope(_ x: [Float], heads: Int, position: Int) -> [Float] {
        var out = x
        let d = c.headDimension
        let half = c.ropeDimensionCount / 2
        for h in 0..<heads {
            for i in 0..<half {
                let angle = Float(position) * powf(c.ropeFrequencyBase, -Float(2 * i) / Float(c.ropeDimensionCount))
                let (a, b) = neox ? (i, i + half) : (2 * i, 2 * i + 1)
                let x0 = x[h * d + a]
                let x1 = x[h * d + b]
                out[h * d + a] = x0 * cosf(angle) - x1 * sinf(angle)
                out[h * d + b] = x0 * sinf(angle) + x1 * cosf(angle)
            }
        }
        return out
    }

    /// Logits after every token of `tokens`.
    func logits(_ tokens: [Int]) -> [[Float]] {
        let dim = c.embeddingLength
        let d = c.headDimension
        var xs = tokens.map { Array(w("token_embd.weight")[($0 * dim)..<(($0 + 1) * dim)]) }
        for l in 0..<c.layerCount {
            let p = "blk.\(l)."
            var keys: [[Float]] = []
            var values: [[Float]] = []
            var queries: [[Float]] = []
            for (t, x) in xs.enumerated() {
                let h = rmsNorm(x, w(p + "attn_norm.weight"))
                var q = matmul(w(p + "attn_q.weight"), h)
                var k = matmul(w(p + "attn_k.weight"), h)
                var v = matmul(w(p + "attn_v.weight"), h)
                if c.architecture.hasAttentionBiases {
                    q = zip(q, w(p + "attn_q.bias")).map(+)
                    k = zip(k, w(p + "attn_k.bias")).map(+)
                    v = zip(v, w(p + "attn_v.bias")).map(+)
                }
                queries.append(rope(q, heads: c.headCount, position: t))
                keys.append(rope(k, heads: c.keyValueHeadCount, position: t))
                values.append(v)
            }
            for t in 0..<xs.count {
                var attended = [Float](repeating: 0, count: c.headCount * d)
                for head in 0..<c.headCount {
                    let kvHead = head * c.keyValueHeadCount / c.headCount
                    let scores = (0...t).map { u in
                        (0..<d).reduce(Float(0)) { $0 + queries[t][head * d + $1] * keys[u][kvHead * d + $1] }
                            / Float(d).squareRoot()
                    }
                    let maximum = scores.max() ?? 0
                    let e = scores.map { expf($0 - maximum) }
                    let sum = e.reduce(0, +)
                    for u in 0...t {
                        for i in 0..<d { attended[head * d + i] += e[u] / sum * values[u][kvHead * d + i] }
                    }
                }
                xs[t] = zip(xs[t], matmul(w(p + "attn_output.weight"), attended)).map(+)
                let h = rmsNorm(xs[t], w(p + "ffn_norm.weight"))
                let gate = matmul(w(p + "ffn_gate.weight"), h)
                let up = matmul(w(p + "ffn_up.weight"), h)
                let hidden = zip(gate, up).map { g, u in g / (1 + expf(-g)) * u }
                xs[t] = zip(xs[t], matmul(w(p + "ffn_down.weight"), hidden)).map(+)
            }
        }
        let output = weights["output.weight"] ?? w("token_embd.weight")
        return xs.map { matmul(output, rmsNorm($0, w("output_norm.weight"))) }
    }
}

/// The largest absolute difference between two logit vectors, relative to the largest logit magnitude.
func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count, !a.isEmpty else { return .infinity }
    let scale = max(a.map(abs).max() ?? 1, 1e-6)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
}

struct ModelForwardTests {
    static let prompts: [[Int]] = [
        [1, 17, 42, 299, 5, 88, 120, 7, 7, 250, 33],
        [2, 200, 150],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13, 14, 15, 16, 17, 18],
        // Six prompts decode six rows at once, so with 2 and 3 threads every thread gets whole rows and the steps
        // take the row-split path (positions stored inside attention); shorter ones drop out to the other path.
        [298, 4, 4, 61, 90, 12, 3],
        [77, 78, 79, 80, 81],
        [13, 250, 6, 140, 2, 2, 9, 31, 100],
    ]

    func runner(_ model: Model, threads: Int = 2, pageSize: Int = 4, pageCount: Int = 32) throws -> ModelRunner {
        try ModelRunner(
            model: model,
            configuration: .init(
                threadCount: threads, maximumBatchTokens: 64, maximumBatchSequences: 8,
                pageCount: pageCount, pageSize: pageSize))
    }

    /// Token-by-token decode of one prompt alone; logits after every token.
    func decodeAlone(_ model: Model, _ tokens: [Int], threads: Int = 2) throws -> [[Float]] {
        let r = try runner(model, threads: threads)
        let s = r.createSequence()
        return try tokens.map { token in
            try r.forward([.init(sequence: s, tokens: [token])])
            return r.logits(ofEntry: 0)
        }
    }

    @Test(arguments: [ModelArchitecture.llama, .qwen2], [false, true])
    func matchesTheReferenceForward(architecture: ModelArchitecture, tied: Bool) throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(architecture: architecture, tiedOutput: tied).model(in: directory)
        let reference = try ReferenceTransformer(model).logits(Self.prompts[0])
        let ours = try decodeAlone(model, Self.prompts[0])
        for (t, (a, b)) in zip(reference, ours).enumerated() {
            // The engine quantizes activations to 8 bits before each integer matmul; that costs 1 to 4 % of the
            // largest logit here, far below what a wrong rotation, mask or head mapping does (over 100 %).
            #expect(relativeDifference(a, b) < 0.06, "position \(t): \(relativeDifference(a, b))")
        }
        // The tolerance catches a real bug: the other RoPE pairing moves the logits well past it.
        let flipped = try ReferenceTransformer(model, flippingRoPE: true).logits(Self.prompts[0])
        let worst = zip(flipped, ours).map { relativeDifference($0, $1) }.max() ?? 0
        #expect(worst > 0.5, "\(worst)")
    }

    @Test(arguments: [1, 2, 3])
    func batchedDecodeEqualsOneSequenceAtATime(threads: Int) throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(architecture: .qwen2).model(in: directory)
        let alone = try Self.prompts.map { try decodeAlone(model, $0, threads: threads) }
        let r = try runner(model, threads: threads)
        let sequences = Self.prompts.map { _ in r.createSequence() }
        let steps = Self.prompts.map(\.count).max() ?? 0
        for step in 0..<steps {
            // Sequences of different lengths drop out of the batch as they finish, as in continuous batching.
            let active = Self.prompts.indices.filter { step < Self.prompts[$0].count }
            try r.forward(active.map { .init(sequence: sequences[$0], tokens: [Self.prompts[$0][step]]) })
            for (entry, p) in active.enumerated() {
                #expect(r.logits(ofEntry: entry) == alone[p][step], "prompt \(p) step \(step)")
            }
        }
    }

    @Test(arguments: [ModelArchitecture.llama, .qwen2])
    func prefillAllAtOnceEqualsTokenByToken(architecture: ModelArchitecture) throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(architecture: architecture).model(in: directory)
        let prompt = Self.prompts[2]
        let alone = try decodeAlone(model, prompt)
        let r = try runner(model)
        let s = r.createSequence()
        // A prefill chunk, then a chunk together with another sequence's decode token, then decode steps.
        try r.forward([.init(sequence: s, tokens: Array(prompt[0..<7]))])
        #expect(r.logits(ofEntry: 0) == alone[6])
        let other = r.createSequence()
        try r.forward([.init(sequence: other, tokens: [5]), .init(sequence: s, tokens: Array(prompt[7..<15]))])
        #expect(r.logits(ofEntry: 1) == alone[14])
        for t in 15..<prompt.count {
            try r.forward([.init(sequence: s, tokens: [prompt[t]])])
            #expect(r.logits(ofEntry: 0) == alone[t], "token \(t)")
        }
        #expect(r.length(of: s) == prompt.count)
    }

    /// A sequence that starts from another's copied prefix computes exactly what prefilling the whole prompt does.
    @Test(arguments: [1, 4, 9, 10])
    func copiedPrefixEqualsAPrefilledOne(shared: Int) throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel(architecture: .llama).model(in: directory)
        let first = Self.prompts[0]
        // The same first `shared` tokens, then a different ending.
        let second = Array(first[0..<shared]) + [3, 141, 59, 26, 5]
        let expected = try decodeAlone(model, second).last
        let r = try runner(model)
        let source = r.createSequence()
        try r.forward([.init(sequence: source, tokens: first)])
        let target = r.createSequence()
        // Page size 4: the copy ends mid-page for most lengths and spans up to three pages.
        try r.copyPrefix(of: source, count: shared, to: target)
        #expect(r.length(of: target) == shared)
        try r.forward([.init(sequence: target, tokens: Array(second[shared...]))])
        #expect(r.logits(ofEntry: 0) == expected)
        // The source is untouched: it decodes on as if nothing happened.
        try r.forward([.init(sequence: source, tokens: [7])])
        #expect(r.logits(ofEntry: 0) == (try decodeAlone(model, first + [7]).last))
    }

    @Test func copyingAPrefixRejectsWhatDoesNotFit() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let r = try runner(model, pageCount: 4)
        let source = r.createSequence()
        try r.forward([.init(sequence: source, tokens: Array(Self.prompts[0][0..<8]))])
        let target = r.createSequence()
        let cases: [(count: Int, to: SequenceID, message: String)] = [
            (9, target, "1 to 8 tokens"),
            (0, target, "1 to 8 tokens"),
            (4, source, "empty, different target"),
            (4, SequenceID(rawValue: 999), "unknown"),
        ]
        for c in cases {
            let error = try #require(throws: ModelError.self) { try r.copyPrefix(of: source, count: c.count, to: c.to) }
            #expect(error.description.contains(c.message), "\(error.description)")
        }
        #expect(r.length(of: target) == 0)
        // Two pages are left; a third sequence of 8 copied tokens takes them, a fourth finds none.
        try r.copyPrefix(of: source, count: 8, to: target)
        let other = r.createSequence()
        let short = try #require(throws: ModelError.self) { try r.copyPrefix(of: source, count: 5, to: other) }
        #expect(short.description.contains("need 2 pages and 0 are free"))
        #expect(r.length(of: other) == 0)
    }

    @Test func freeingOneSequenceLeavesTheOthersIntact() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let prompt = Self.prompts[0]
        let alone = try decodeAlone(model, prompt)
        // A pool of 4 pages of 4 tokens: the second sequence reuses the pages the first one freed.
        let r = try runner(model, pageCount: 4)
        let a = r.createSequence()
        try r.forward([.init(sequence: a, tokens: Array(prompt[0..<9]))])
        let b = r.createSequence()
        let error = try #require(throws: ModelError.self) {
            try r.forward([.init(sequence: b, tokens: Array(prompt[0..<9]))])
        }
        #expect(error.description.contains("out of pages: this step needs 3 more pages of 4 tokens and 1 of 4"))
        #expect(r.length(of: b) == 0)
        r.free(a)
        try r.forward([.init(sequence: b, tokens: Array(prompt[0..<9]))])
        #expect(r.logits(ofEntry: 0) == alone[8])
        try r.forward([.init(sequence: b, tokens: [prompt[9]])])
        #expect(r.logits(ofEntry: 0) == alone[9])
    }

    @Test func rejectsBadBatches() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let r = try runner(model)
        let s = r.createSequence()
        let cases: [([ModelRunner.BatchEntry], String)] = [
            ([], "needs 1 to 8 entries"),
            ([.init(sequence: s, tokens: [])], "has no tokens"),
            ([.init(sequence: s, tokens: [3, 300])], "token 1: id 300 is outside the vocabulary (0..<300)"),
            ([.init(sequence: s, tokens: [1]), .init(sequence: s, tokens: [2])], "appears twice"),
            ([.init(sequence: SequenceID(rawValue: 99), tokens: [1])], "sequence 99 is unknown"),
            ([.init(sequence: s, tokens: Array(repeating: 1, count: 65))], "above maximumBatchTokens (64)"),
        ]
        for (batch, message) in cases {
            let error = try #require(throws: ModelError.self) { try r.forward(batch) }
            #expect(error.description.contains(message), "\(error.description)")
        }
        #expect(r.length(of: s) == 0)
    }

    @Test(arguments: [(0, 2), (1, 2), (7, 3), (576, 2), (49152, 16), (9, 4)])
    func threadSharesCoverEveryItemOnce(count: Int, threads: Int) {
        let shares = (0..<threads).map { ModelRunner.share(of: count, thread: $0, of: threads) }
        #expect(shares.flatMap { Array($0) } == Array(0..<count))
        // Every share but the one holding the last item is whole tiles of 4.
        #expect(shares.filter { $0.upperBound < count }.allSatisfy { $0.count % 4 == 0 })
    }

    @Test func truncatingRewindsTheSequence() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let prompt = Self.prompts[0]
        let alone = try decodeAlone(model, prompt)
        let r = try runner(model, pageCount: 4)
        let s = r.createSequence()
        try r.forward([.init(sequence: s, tokens: Array(prompt[0..<6]) + [299, 298, 297, 296, 295])])
        #expect(r.pageTable.pages(of: s)?.count == 3)
        // Drop the five wrong tokens and go on from position 6, as after a rejected draft.
        r.truncate(s, to: 6)
        #expect(r.length(of: s) == 6)
        #expect(r.pageTable.pages(of: s)?.count == 2)
        try r.forward([.init(sequence: s, tokens: Array(prompt[6...]))])
        #expect(r.logits(ofEntry: 0) == alone[prompt.count - 1])
    }

    @Test func refusesToGrowPastTheMaximumLength() throws {
        let directory = try TemporaryDirectory()
        let model = try TinyModel().model(in: directory)
        let r = try ModelRunner(
            model: model, configuration: .init(threadCount: 1, pageCount: 4, pageSize: 4, maximumSequenceLength: 10))
        let s = r.createSequence()
        try r.forward([.init(sequence: s, tokens: Array(0..<10))])
        let error = try #require(throws: ModelError.self) { try r.forward([.init(sequence: s, tokens: [1])]) }
        #expect(error.description.contains("would grow to 11 tokens, past the maximum sequence length 10"))
        #expect(r.length(of: s) == 10)
        #expect(throws: ModelError.self) {
            try ModelRunner(model: model, configuration: .init(threadCount: 0))
        }
    }
}
