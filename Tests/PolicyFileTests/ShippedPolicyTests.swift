import BallastCore
import Foundation
import PolicyFile
import Testing

struct ShippedPolicyTests {
    @Test(arguments: Support.shippedPolicies)
    func loadsWithoutProblems(relative: String) throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path(relative))
        #expect(!document.policy.rules.isEmpty)
        #expect(!document.policy.signals.isEmpty)
    }

    @Test(arguments: Support.shippedPolicies)
    func roundTripsThroughTheWriter(relative: String) throws {
        let document = try PolicyLoader.loadDocument(contentsOf: Support.path(relative))
        let written = PolicyWriter.yaml(for: document)
        let reread = try PolicyLoader.parseDocument(written, file: "written.yaml")
        #expect(reread.policy == document.policy)
        #expect(reread.signalUnits == document.signalUnits)
        #expect(PolicyWriter.yaml(for: reread) == written)
    }

    @Test func defaultPolicyEncodesEveryThresholdOfTheDigest() throws {
        let policy = try PolicyLoader.load(contentsOf: Support.path("policies/default.yaml"))
        #expect(policy.name == "smollm2-135m")
        #expect(policy.target.model == "smollm2-135m")
        #expect(policy.target.engine == .ballast)
        #expect(policy.price == Price(perReplicaHour: 4.0, currency: "CNY"))
        func rule(_ name: String) -> Rule? { policy.rules.first { $0.name == name } }

        #expect(rule("queue-time")?.condition == .compare(signal: "queue_p95", op: .greater, threshold: 0.5))
        #expect(rule("queue-time")?.action == .scale(ScaleAction(target: 0.5)))
        #expect(rule("memory-shard")?.condition == .compare(signal: "memory_ratio", op: .greater, threshold: 0.85))
        #expect(rule("memory-shard")?.action == .shard(ShardAction(factor: 2)))
        #expect(rule("memory-alert")?.condition == .compare(signal: "memory_ratio", op: .greater, threshold: 0.9))
        #expect(
            rule("cost-quantize")?.condition == .compare(signal: "cost_per_inference", op: .greater, threshold: 0.03))
        #expect(
            rule("cost-quantize")?.action
                == .quantize(QuantizeAction(to: .q4_0, maxQualityLoss: 0.02, keep: ["attn_q", "attn_k", "attn_v"])))
        #expect(
            rule("decode-throughput")?.condition
                == .compare(signal: "decode_tokens_per_second", op: .less, threshold: 50))
        #expect(rule("latency-p95")?.condition == .compare(signal: "latency_p95", op: .greater, threshold: 1.0))
        // 0.02 USD at the file's explicit 7.2 CNY per USD.
        #expect(
            rule("cost-per-1k-tokens")?.condition
                == .compare(signal: "cost_per_1k_tokens", op: .greater, threshold: 0.144))
        #expect(rule("utilization")?.condition == .compare(signal: "batch_utilization", op: .greater, threshold: 0.85))
        #expect(rule("utilization")?.action == .scale(ScaleAction(target: 0.7)))
        #expect(
            rule("busy-and-queued")?.condition
                == .all([
                    .compare(signal: "batch_utilization", op: .greater, threshold: 0.8),
                    .compare(signal: "queue_depth", op: .greater, threshold: 50),
                ]))
        #expect(rule("fragmentation")?.condition == .compare(signal: "kv_fragmentation", op: .greater, threshold: 0.05))
        #expect(policy.behavior.scaleDown.stabilizationWindow == .seconds(300))
        #expect(policy.rollout.steps == [5, 25, 50, 100])
        #expect(policy.rollout.interval * 3 == .seconds(48 * 3600))
        #expect(policy.rollout.analysis == RolloutAnalysis(maxErrorRate: 0.01, maxP95: .seconds(1), maxKL: 0.05))
        #expect(policy.deployment.cpuUtilizationTarget == 70)
        #expect(policy.deployment.gpuUtilizationTarget == 70)
    }

    /// Every signal and rule in default.yaml names its source document (000 to 004) in a comment on its
    /// own line or in the comment block right above it.
    @Test func everyDefaultSignalAndRuleCitesASourceDocument() throws {
        let path = Support.path("policies/default.yaml")
        let document = try PolicyLoader.loadDocument(contentsOf: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        func cites(line: Int) -> Bool {
            var index = line - 1
            var candidates = [String(lines[index])]
            while index > 0, lines[index - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                index -= 1
                candidates.append(String(lines[index]))
            }
            return candidates.contains { text in
                guard let hash = text.firstIndex(of: "#") else { return false }
                return ["000", "001", "002", "003", "004"].contains { text[hash...].contains($0) }
            }
        }
        let locations = Array(document.signalLocations) + Array(document.ruleLocations)
        #expect(locations.count == document.policy.signals.count + document.policy.rules.count)
        for (name, location) in locations {
            #expect(cites(line: location.line), "\(name) at \(location) cites no source document")
        }
    }

    /// Cutting default.yaml anywhere gives a policy or a list of problems, never a crash, and every problem
    /// names the file.
    @Test func truncatedDefaultPolicyNeverCrashes() throws {
        let text = try String(contentsOfFile: Support.path("policies/default.yaml"), encoding: .utf8)
        let characters = Array(text)
        var generator = SplitMix64(seed: 0x5EED)
        var cuts = (0..<200).map { _ in Int(generator.next() % UInt64(characters.count)) }
        cuts += [0, 1, characters.count - 1]
        var failures = 0
        for cut in cuts {
            let prefix = String(characters[..<cut])
            do {
                _ = try PolicyLoader.parse(prefix, file: "cut.yaml")
            } catch {
                failures += 1
                #expect(!error.problems.isEmpty)
                for problem in error.problems {
                    #expect(problem.description.hasPrefix("cut.yaml"))
                    #expect(problem.message.hasSuffix(".") || problem.message.hasSuffix("?"), "\(problem)")
                }
            }
        }
        #expect(failures > 0)
    }

    /// Replacing or deleting single characters of a shipped policy never crashes either, and every
    /// problem is a located sentence.
    @Test(arguments: Support.shippedPolicies)
    func mutatedPolicyNeverCrashes(relative: String) throws {
        let text = try String(contentsOfFile: Support.path(relative), encoding: .utf8)
        let original = Array(text)
        var generator = SplitMix64(seed: UInt64(relative.utf8.count))
        let replacements: [Character] = [
            ":", "-", "{", "}", "[", "]", "\"", "'", " ", "\n", "#", "&", "*", "!", "%", "9", "x", "\t", "$", "|",
        ]
        var failures = 0
        for round in 0..<150 {
            var characters = original
            let index = Int(generator.next() % UInt64(characters.count))
            if round % 3 == 0 {
                characters.remove(at: index)
            } else {
                characters[index] = replacements[Int(generator.next() % UInt64(replacements.count))]
            }
            do {
                _ = try PolicyLoader.parse(String(characters), file: "mutated.yaml")
            } catch {
                failures += 1
                #expect(error.problems.allSatisfy { $0.description.hasPrefix("mutated.yaml") })
                #expect(error.problems.allSatisfy { $0.message.hasSuffix(".") || $0.message.hasSuffix("?") })
            }
        }
        #expect(failures > 0)
    }

    @Test func loadAllReportsDuplicateNamesAcrossFiles() throws {
        let path = Support.path("policies/default.yaml")
        #expect(
            throws: PolicyFileError(problems: [
                PolicyProblem(
                    location: SourceLocation(file: path, line: 0), field: "metadata.name",
                    message: "metadata.name (smollm2-135m) is already used by \(path); give each policy its own name.")
            ])
        ) {
            try PolicyLoader.loadAll(contentsOf: [path, path])
        }
        let documents = try PolicyLoader.loadAll(contentsOf: Support.shippedPolicies.map(Support.path))
        #expect(documents.count == Support.shippedPolicies.count)
    }

    @Test func missingFileIsReportedWithItsPath() {
        #expect(
            throws: PolicyFileError(problems: [
                PolicyProblem(
                    location: SourceLocation(file: "/nonexistent/p.yaml", line: 0), field: "",
                    message: "the policy file does not exist; check the path.")
            ])
        ) {
            try PolicyLoader.load(contentsOf: "/nonexistent/p.yaml")
        }
    }
}

/// A small deterministic generator so fuzz cases are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
