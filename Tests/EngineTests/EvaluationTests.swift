import Foundation
import Testing

@testable import Engine

struct EvaluationTests {
    /// KL(P‖Q) computed by hand from the definition for small distributions.
    static func klByHand(_ p: [Double], _ q: [Double]) -> Double {
        zip(p, q).reduce(0) { $0 + ($1.0 > 0 ? $1.0 * Foundation.log($1.0 / $1.1) : 0) }
    }

    static func softmax(_ x: [Float]) -> [Double] {
        let e = x.map { Foundation.exp(Double($0)) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    @Test(arguments: [
        ([Float(0), 0, 0], [Float(0), 0, 0]),
        ([1, 2, 3], [1, 2, 3.5]),
        ([5, -1, 0.5, 2], [0, 0, 0, 0]),
        ([100, 101, 99], [100.2, 100.9, 99.1]),
        ([-3, 8, 1, 1, 0], [8, -3, 1, 1, 0]),
    ])
    func klMatchesTheDefinition(reference: [Float], candidate: [Float]) {
        let ours = Divergence.kullbackLeibler(reference: reference, candidate: candidate)
        let expected = Self.klByHand(Self.softmax(reference), Self.softmax(candidate))
        #expect(abs(ours - expected) < 1e-12)
        #expect(ours >= 0)
    }

    @Test func klIsZeroForShiftedLogitsAndNanForMismatchedSizes() {
        #expect(Divergence.kullbackLeibler(reference: [1, 2, 3], candidate: [11, 12, 13]) < 1e-15)
        #expect(Divergence.kullbackLeibler(reference: [1, 2], candidate: [1, 2, 3]).isNaN)
        #expect(Divergence.kullbackLeibler(reference: [], candidate: []).isNaN)
    }

    @Test func hugeLogitsDoNotOverflow() {
        let kl = Divergence.kullbackLeibler(reference: [1e30, 0], candidate: [0, 1e30])
        #expect(kl.isFinite)
        #expect(kl > 1e29)
    }

    @Test(arguments: [
        ([Float(0), 0, 0, 0], 2, Foundation.log(0.25)),
        ([Float(1), 2, 3], 2, 3 - Foundation.log(Foundation.exp(1) + Foundation.exp(2) + Foundation.exp(3))),
    ])
    func logProbabilities(logits: [Float], token: Int, expected: Double) {
        let value = logits.withUnsafeBufferPointer { Divergence.logProbability(of: token, in: $0) }
        #expect(abs(value - expected) < 1e-12)
    }

    @Test(arguments: [([Float(1), 3, 2], 1), ([2, 2, 1], 0), ([-5], 0), ([], -1)])
    func argmaxPicksFirstLargest(logits: [Float], expected: Int) {
        #expect(logits.withUnsafeBufferPointer(Divergence.argmax) == expected)
    }

    /// Uniform guesses over V tokens give perplexity V; certainty gives 1.
    @Test(arguments: [(4, 4.0), (1, 1.0), (50, 50.0)])
    func perplexityOfUniformGuesses(vocabulary: Int, expected: Double) {
        var p = Perplexity()
        for _ in 0..<10 { p.add(logProbability: -Foundation.log(Double(vocabulary))) }
        #expect(abs(p.value - expected) < 1e-9)
        #expect(p.tokenCount == 10)
    }

    @Test func perplexityOfNothingIsNan() {
        #expect(Perplexity().value.isNaN)
    }

    @Test(arguments: [
        ([1.0, 2, 3, 4], 0.99, 4.0),
        ([1.0, 2, 3, 4], 0.5, 2.0),
        (Array(stride(from: 1.0, through: 200, by: 1)), 0.99, 198.0),
        ([7.0], 0.99, 7.0),
    ])
    func nearestRankPercentile(values: [Double], fraction: Double, expected: Double) {
        #expect(DivergenceSummary.percentile(values.shuffled(), fraction) == expected)
    }

    @Test func summaryStatistics() {
        let s = DivergenceSummary(kl: [0.1, 0.3, 0.2, 0.4], agreements: 3)
        #expect(abs(s.meanKL - 0.25) < 1e-12)
        #expect(s.p99KL == 0.4)
        #expect(s.maximumKL == 0.4)
        #expect(s.topOneAgreement == 0.75)
        #expect(DivergenceSummary(kl: [], agreements: 0).meanKL.isNaN)
    }

    /// A model compared with itself: no divergence, full agreement, equal perplexities; with another seed's
    /// weights: a clear divergence.
    @Test func evaluatorOnTinyModels() throws {
        let directory = try TemporaryDirectory()
        let a = try TinyModel().model(in: directory, name: "a.gguf")
        let b = try TinyModel(seed: 99).model(in: directory, name: "b.gguf")
        let prompts = [[1, 2, 3, 4], [10, 20], [299, 0, 5]]
        let same = try ModelEvaluator(reference: a, candidate: a, threads: 1, batchSize: 2)
        let comparison = try same.compare(prompts)
        #expect(comparison.sequences.map(\.tokenCount) == [4, 2, 3])
        #expect(comparison.overall.count == 9)
        #expect(comparison.overall.maximumKL < 1e-9)
        #expect(comparison.overall.topOneAgreement == 1)
        let text = Array(0..<40).map { ($0 * 37) % 300 }
        let ppl = try same.perplexity(of: text, window: 16)
        // Two whole windows of 16 (the tail of 8 is dropped), each scoring tokens 9 to 15 from positions 8 to 14.
        #expect(ppl.reference.tokenCount == 2 * 7)
        #expect(try same.perplexity(of: Array(text.prefix(10)), window: 16).reference.tokenCount == 4)
        #expect(ppl.reference == ppl.candidate)
        #expect(ppl.divergence.count == 14)
        #expect(ppl.divergence.maximumKL < 1e-9)

        let other = try ModelEvaluator(reference: a, candidate: b, threads: 1, batchSize: 2)
        #expect(try other.compare(prompts).overall.meanKL > 0.01)
    }

    @Test func evaluatorRejectsBadInput() throws {
        let directory = try TemporaryDirectory()
        let a = try TinyModel().model(in: directory, name: "a.gguf")
        let small = try TinyModel(vocabulary: 200).model(in: directory, name: "small.gguf")
        #expect(throws: ModelError.self) { try ModelEvaluator(reference: a, candidate: small) }
        let evaluator = try ModelEvaluator(reference: a, candidate: a, threads: 1, maximumSequenceLength: 8)
        #expect(throws: ModelError.self) { try evaluator.compare([[1], []]) }
        #expect(throws: ModelError.self) { try evaluator.compare([Array(repeating: 1, count: 9)]) }
        #expect(throws: ModelError.self) { try evaluator.compare([[1, 300]]) }
        #expect(throws: ModelError.self) { try evaluator.perplexity(of: [1, 2]) }
        #expect(throws: ModelError.self) { try evaluator.perplexity(of: [1, 2, 3], window: 3) }
        #expect(try evaluator.perplexity(of: [1, 2, 3], window: 4).reference.tokenCount == 1)
        #expect(throws: ModelError.self) { try evaluator.perplexity(of: [1, 2, 3], window: 9) }
    }
}
