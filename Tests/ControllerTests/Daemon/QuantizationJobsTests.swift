import BallastCore
import BallastTesting
import Foundation
import Logging
import Testing

@testable import Controller

/// Quantization evaluations: the verdict table, and one job run through scripted `ballast` commands.
struct QuantizationJobsTests {
    static let request = QuantizationJobs.Request(
        actionKey: "chat/quantize/cost/1", deployment: DeploymentKey(policy: "chat", model: "chat"), format: "q4_0",
        maxQualityLoss: 0.02, keep: ["attn_q", "attn_k", "attn_v"], costPerInference: 0.04)

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var referencePerplexity: Double
        var candidatePerplexity: Double
        var referenceSpeed: Double
        var candidateSpeed: Double
        var ready: Bool
        var verdictStart: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(
            name: "within quality and faster", referencePerplexity: 21.0, candidatePerplexity: 21.3,
            referenceSpeed: 100, candidateSpeed: 125, ready: true, verdictStart: "candidate ready: quality loss 1.43 %"),
        Case(
            name: "too much quality lost", referencePerplexity: 21.0, candidatePerplexity: 25.2, referenceSpeed: 100,
            candidateSpeed: 140, ready: false, verdictStart: "not ready: quality loss 20.00 % is above the limit 2.00 %"),
        Case(
            name: "no faster, so no cheaper", referencePerplexity: 21.0, candidatePerplexity: 21.1,
            referenceSpeed: 100, candidateSpeed: 95, ready: false, verdictStart: "not ready: the candidate decodes 95.0"),
        Case(
            name: "better perplexity counts as no loss", referencePerplexity: 21.0, candidatePerplexity: 20.5,
            referenceSpeed: 100, candidateSpeed: 110, ready: true, verdictStart: "candidate ready: quality loss 0.00 %"),
    ])
    func verdicts(_ c: Case) {
        let candidate = QuantizationJobs.judge(
            request: Self.request, file: "/tmp/m.q4_0.gguf",
            quality: EvalSummary(
                meanKL: 0.2, p99KL: 1.1, top1Agreement: 0.8, referencePerplexity: c.referencePerplexity,
                candidatePerplexity: c.candidatePerplexity),
            reference: BenchSummary(tokensPerSecond: c.referenceSpeed),
            candidate: BenchSummary(tokensPerSecond: c.candidateSpeed))
        #expect(candidate.ready == c.ready)
        #expect(candidate.verdict.hasPrefix(c.verdictStart), "\(candidate.verdict)")
        if c.ready, let cost = candidate.candidateCostPerInference {
            #expect(abs(cost - 0.04 * c.referenceSpeed / c.candidateSpeed) < 1e-12)
        }
    }

    static let evalJSON = """
        {"overall":{"maxKL":3.1,"meanKL":0.28,"p99KL":1.36,"positions":120,"top1Agreement":0.81},\
        "perplexity":{"quantized":21.2,"reference":21.0,"stats":{"maxKL":1,"meanKL":0.2,"p99KL":1,"positions":10,\
        "top1Agreement":0.8},"tokens":400,"window":128},"prompts":[],"quantized":"c","reference":"r"}
        """

    static func bench(_ speed: Double) -> String {
        """
        {"decode":[{"batch":1,"tokensPerSecond":\(speed)}],"model":"m","promptLength":64,"promptTokensPerSecond":300,"threads":1}
        """
    }

    @Test func aJobRunsTheStepsInOrderAndStoresTheCandidate() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-quant-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let candidate = work.appendingPathComponent("candidates/model.q4_0.gguf").path
        let runner = ScriptedCommandRunner(responses: [
            .init(prefix: ["/bin/ballast", "quantize"], stdout: "{}"),
            .init(prefix: ["/bin/ballast", "eval"], stdout: Self.evalJSON),
            .init(prefix: ["/bin/ballast", "bench", "engine", "--model", "/models/model.gguf"], stdout: Self.bench(100)),
            .init(prefix: ["/bin/ballast", "bench", "engine", "--model", candidate], stdout: Self.bench(120)),
        ])
        let store: any StateStore = InMemoryStateStore()
        try await Self.plant(store)
        let jobs = QuantizationJobs(
            configuration: QuantizationJobs.Configuration(
                executable: "/bin/ballast", modelPath: { _ in "/models/model.gguf" }, workDirectory: work.path),
            runner: runner, store: store, logger: Logger(label: "test.quantize"))
        await jobs.submit(Self.request)
        await jobs.finish()
        await jobs.run()

        let calls = await runner.calls
        #expect(calls.map { Array($0.prefix(3)) } == [
            ["/bin/ballast", "quantize", "/models/model.gguf"], ["/bin/ballast", "eval", candidate],
            ["/bin/ballast", "bench", "engine"], ["/bin/ballast", "bench", "engine"],
        ])
        #expect(calls[0].contains("--keep") && calls[0].contains("attn_q,attn_k,attn_v"))
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("candidates/eval-text.txt").path))
        let action = try #require(try await store.action(key: Self.request.actionKey))
        #expect(action.status == .succeeded)
        #expect(action.detail?.hasPrefix("candidate ready: quality loss 0.95 %") == true, "\(action.detail ?? "")")
        #expect(action.commands.count == 4)
        let result = try JSONDecoder().decode(
            QuantizationJobs.Candidate.self, from: Data(try #require(action.result).utf8))
        #expect(result.file == candidate)
        #expect(result.meanKL == 0.28)
        #expect(result.ready)
    }

    @Test func aFailingStepFailsTheActionWithItsError() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-quant-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let runner = ScriptedCommandRunner(responses: [
            .init(prefix: ["/bin/ballast", "quantize"], exitCode: 1, stderr: "Error: disk full; free space in /tmp")
        ])
        let store: any StateStore = InMemoryStateStore()
        try await Self.plant(store)
        let jobs = QuantizationJobs(
            configuration: QuantizationJobs.Configuration(
                executable: "/bin/ballast", modelPath: { _ in "/models/model.gguf" }, workDirectory: work.path),
            runner: runner, store: store)
        await jobs.submit(Self.request)
        await jobs.finish()
        await jobs.run()
        let action = try #require(try await store.action(key: Self.request.actionKey))
        #expect(action.status == .failed)
        #expect(action.detail == "ballast quantize failed: Error: disk full; free space in /tmp")
        #expect(await runner.calls.count == 1, "nothing runs after a failed step")
    }

    /// Stores the planned action the job finishes.
    static func plant(_ store: any StateStore) async throws {
        let evaluation = PolicyEvaluator.explain(
            policy: DaemonFixture.policy(), observed: Observation(values: [:], fleet: .steady(1)),
            now: DaemonFixture.at(0))
        try await store.commit(
            TickCommit(
                state: DeploymentState(
                    desired: DesiredState(deployment: request.deployment, replicas: 1),
                    evaluator: PolicyEvaluator.State(), updatedAt: DaemonFixture.at(0)),
                decisions: [
                    DecisionRecord(
                        time: DaemonFixture.at(0), deployment: request.deployment, kind: "quantize", rule: "cost",
                        summary: "quantize", evaluation: evaluation)
                ],
                actions: [
                    ActionRecord(
                        key: request.actionKey, decisionID: 0, deployment: request.deployment, kind: "quantize",
                        request: "quantize to q4_0", createdAt: DaemonFixture.at(0))
                ]))
    }
}
