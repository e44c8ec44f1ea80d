import Foundation
import Testing

@testable import Engine

struct SamplerTests {
    /// Log-probabilities of `logits` computed the long way, in Double.
    static func logSoftmax(_ logits: [Float]) -> [Double] {
        let m = Double(logits.max() ?? 0)
        let lse = m + log(logits.reduce(0.0) { $0 + exp(Double($1) - m) })
        return logits.map { Double($0) - lse }
    }

    @Test(arguments: [
        ([0.1, 2.5, -1, 2.4] as [Float], 1),
        ([5, 5, 1], 0),  // ties go to the lower id
        ([-3, -2, -10], 1),
        ([.nan, 1, .infinity, 0.5], 1),  // non-finite logits are impossible
    ])
    func greedyPicksTheLargestLogit(logits: [Float], expected: Int) throws {
        var sampler = try Sampler(.greedy)
        let before = sampler.random
        let result = sampler.sample(logits)
        #expect(result.token == expected)
        #expect(sampler.random == before, "greedy draws nothing")
        let finite = logits.map { $0.isFinite ? $0 : -Float.greatestFiniteMagnitude }
        let reference = Self.logSoftmax(finite)[expected]
        #expect(abs(Double(result.chosen.logprob) - reference) < 1e-5)
    }

    @Test(arguments: [(0, [2, 3, 0]), (2, [2, 3]), (5, [2, 3, 0, 1])])
    func reportsTopLogprobsMostLikelyFirst(count: Int, expected: [Int]) throws {
        let logits: [Float] = [0.5, -1, 3, 1]
        var sampler = try Sampler(SamplingParameters(temperature: 0, topLogprobCount: count))
        let result = sampler.sample(logits)
        let topCount = min(count, logits.count)
        #expect(result.topLogprobs.map(\.token) == Array(expected.prefix(topCount)) || count == 0)
        if count == 0 { #expect(result.topLogprobs.isEmpty) }
        let reference = Self.logSoftmax(logits)
        for entry in result.topLogprobs {
            #expect(abs(Double(entry.logprob) - reference[entry.token]) < 1e-5)
        }
        let probabilities = reference.map { exp($0) }.reduce(0, +)
        #expect(abs(probabilities - 1) < 1e-9)
    }

    @Test(arguments: [UInt64(1), 42, 9_999])
    func aSeedRepeatsTheSameDraws(seed: UInt64) throws {
        let parameters = SamplingParameters(temperature: 0.8, topK: 50, topP: 0.95, seed: seed)
        var rng = SeededGenerator(seed: seed)
        let rows = (0..<20).map { _ in rng.floats(300, in: -4...4) }
        var a = try Sampler(parameters)
        var b = try Sampler(parameters)
        let first = rows.map { a.sample($0).token }
        #expect(first == rows.map { b.sample($0).token })
        var other = try Sampler(SamplingParameters(temperature: 0.8, topK: 50, topP: 0.95, seed: seed + 1))
        #expect(first != rows.map { other.sample($0).token })
    }

    /// Without log-probabilities the choice and the generator's state are those of a full sample.
    @Test(arguments: [
        SamplingParameters(temperature: 0, seed: 4),
        SamplingParameters(temperature: 0.8, topK: 50, topP: 0.95, seed: 5),
        SamplingParameters(temperature: 1.3, seed: 6),
        SamplingParameters(temperature: 0.7, topP: 0.5, seed: 7),
    ])
    func nextTokenChoosesAsSampleDoes(parameters: SamplingParameters) throws {
        var rng = SeededGenerator(seed: 77)
        var rows = (0..<40).map { _ in rng.floats(500, in: -6...6) }
        rows[3][17] = .nan
        rows[4] = [Float](repeating: -.infinity, count: 500)
        rows[5][499] = .infinity
        var full = try Sampler(parameters)
        var fast = try Sampler(parameters)
        for row in rows {
            let expected = full.sample(row).token
            #expect(row.withUnsafeBufferPointer { fast.nextToken($0) } == expected)
            #expect(fast.random == full.random)
        }
    }

    /// (top-k, top-p, tokens allowed): logits 4, 3, 2, 1, 0 have probabilities .636, .234, .086, .032, .012.
    @Test(arguments: [
        (1, Float(1), Set([0])),
        (2, 1, Set([0, 1])),
        (0, 0.5, Set([0])),
        (0, 0.8, Set([0, 1])),
        (0, 0.9, Set([0, 1, 2])),
        (3, 0.99, Set([0, 1, 2])),
        (0, 1, Set([0, 1, 2, 3, 4])),
    ])
    func topKAndTopPLimitTheCandidates(topK: Int, topP: Float, allowed: Set<Int>) throws {
        let logits: [Float] = [4, 3, 2, 1, 0]
        var sampler = try Sampler(SamplingParameters(temperature: 1, topK: topK, topP: topP, seed: 3))
        var seen: Set<Int> = []
        for _ in 0..<4000 { seen.insert(sampler.sample(logits).token) }
        #expect(seen == allowed)
    }

    @Test(arguments: [Float(1), 0.5, 2])
    func drawsFollowTheTemperedDistribution(temperature: Float) throws {
        let logits: [Float] = [1, 0, -1, 0.5]
        var sampler = try Sampler(SamplingParameters(temperature: temperature, seed: 11))
        let draws = 40_000
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<draws { counts[sampler.sample(logits).token] += 1 }
        let expected = Self.logSoftmax(logits.map { $0 / temperature }).map { exp($0) }
        for (count, p) in zip(counts, expected) {
            // Four standard deviations of a binomial count.
            let tolerance = 4 * (Double(draws) * p * (1 - p)).squareRoot()
            #expect(abs(Double(count) - Double(draws) * p) < tolerance, "\(counts) vs \(expected)")
        }
    }

    @Test(arguments: [
        (SamplingParameters(temperature: -1), "temperature (-1.0)"),
        (SamplingParameters(topK: -2), "top_k (-2)"),
        (SamplingParameters(topP: 0), "top_p (0.0)"),
        (SamplingParameters(topP: 1.5), "top_p (1.5)"),
        (SamplingParameters(topLogprobCount: 21), "top_logprobs (21)"),
        (SamplingParameters(stopSequences: ["\n", ""]), "stop sequence is empty"),
    ])
    func rejectsParametersOutOfRange(parameters: SamplingParameters, message: String) {
        let error = #expect(throws: SamplingError.self) { try Sampler(parameters) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func largestMatchesAFullSort() {
        var rng = SeededGenerator(seed: 5)
        let logits = rng.floats(1000, in: -3...3) + [3, 3, 3]
        let sorted = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        for count in [1, 3, 10, 40, 200, 1003] {
            let top = logits.withUnsafeBufferPointer { Sampler.largest(count, of: $0) }
            #expect(top == Array(sorted.prefix(count)), "count \(count)")
        }
    }
}

struct SamplingStopSequenceTests {
    /// (stop sequences, token texts, text shown after each token, whether it stopped, text left at the end).
    @Test(arguments: [
        ([], ["Hello", ", ", "world"], ["Hello", ", ", "world"], false, ""),
        (["\n\n"], ["a\n", "b\n", "\nc"], ["a", "\nb", ""], true, ""),
        (["END"], ["xE", "N", "D", "more"], ["x", "", ""], true, ""),
        (["END"], ["xE", "N", "O"], ["x", "", "ENO"], false, ""),
        (["END"], ["xEN"], ["x"], false, "EN"),
        (["stop", "op"], ["sto", "p!"], ["", ""], true, ""),
        (["User:"], ["Sure. User", ":"], ["Sure. ", ""], true, ""),
    ])
    func holdsBackAndStops(stops: [String], tokens: [String], shown: [String], stopped: Bool, left: String) {
        var matcher = StopSequenceMatcher(stopSequences: stops)
        var outputs: [String] = []
        var didStop = false
        for token in tokens where !didStop {
            switch matcher.append(Array(token.utf8)) {
            case .text(let text): outputs.append(text)
            case .stopped(let text):
                outputs.append(text)
                didStop = true
            }
        }
        #expect(outputs == shown)
        #expect(didStop == stopped)
        #expect(matcher.finish() == left)
    }

    @Test func neverSplitsACharacter() {
        // "é" is C3 A9 and "🚀" is F0 9F 9A 80; tokens may split them anywhere.
        let bytes: [UInt8] = Array("é🚀x".utf8)
        for split in 1..<bytes.count {
            var matcher = StopSequenceMatcher(stopSequences: [])
            var text = ""
            for part in [bytes[..<split], bytes[split...]] {
                if case .text(let shown) = matcher.append(part) {
                    #expect(!shown.contains("\u{FFFD}"), "split at \(split)")
                    text += shown
                }
            }
            text += matcher.finish()
            #expect(text == "é🚀x")
        }
    }

    @Test func afterStoppingNothingMoreComes() {
        var matcher = StopSequenceMatcher(stopSequences: ["!"])
        #expect(matcher.append(Array("hi!there".utf8)) == .stopped("hi"))
        #expect(matcher.append(Array("more".utf8)) == .stopped(""))
        #expect(matcher.finish() == "")
    }
}
