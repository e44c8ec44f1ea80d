import BallastCore
import Manifests
import Testing

/// Policies Kubernetes could not run fail at render time with an error naming the field and the fix.
struct BadInputTests {
    /// One bad input: how to break the small policy, which field the error names, and words of the fix.
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var field: String
        var fix: String
        var options = RenderOptions()
        var change: @Sendable (inout Policy) -> Void = { _ in }
    }

    static let cases: [Case] = [
        Case(description: "upper case name", field: "metadata.name", fix: "such as \"r1-7b\"") { $0.name = "R1_7b" },
        Case(description: "name ending in a dash", field: "metadata.name", fix: "start and end with") {
            $0.name = "r1-7b-"
        },
        Case(description: "name too long", field: "metadata.name", fix: "more than the 63") {
            $0.name = String(repeating: "a", count: 64)
        },
        Case(description: "empty name", field: "metadata.name", fix: "is empty") { $0.name = "" },
        Case(description: "dotted namespace", field: "spec.deployment.namespace", fix: "such as \"team-a\"") {
            $0.deployment.namespace = "team.a"
        },
        Case(description: "model without letters or digits", field: "spec.target.model", fix: "such as r1-7b") {
            $0.target.model = "//"
        },
        Case(description: "version with a plus", field: "spec.target.version", fix: "label value") {
            $0.target.version = "1.0+cpu"
        },
        Case(
            description: "GPUs without a GPU metric", field: "spec.deployment.gpuUtilizationMetric",
            fix: "DCGM_FI_DEV_GPU_UTIL"
        ) {
            $0.deployment.gpusPerReplica = 1
        },
        Case(
            description: "GPU metric that is not a metric name", field: "spec.deployment.gpuUtilizationMetric",
            fix: "not a metric name"
        ) {
            $0.deployment.gpuUtilizationMetric = "gpu util"
        },
        Case(
            description: "replicas above max", field: "options.replicas", fix: "within them",
            options: RenderOptions(replicas: 11)),
        Case(
            description: "replicas below min", field: "options.replicas", fix: "1...10",
            options: RenderOptions(replicas: 0)),
        Case(description: "max below min", field: "spec.target.maxReplicas", fix: "raise maxReplicas to at least 5") {
            $0.target.minReplicas = 5
            $0.target.maxReplicas = 2
        },
        Case(description: "zero min replicas", field: "spec.target.minReplicas", fix: "minReplicas: 1 or more") {
            $0.target.minReplicas = 0
        },
        Case(
            description: "negative GPUs", field: "options.gpusPerReplica", fix: "write 0 for CPU workers",
            options: RenderOptions(gpusPerReplica: -1)),
        Case(
            description: "tensor parallel 0", field: "options.tensorParallel", fix: "at least 1",
            options: RenderOptions(tensorParallel: 0)),
        Case(
            description: "image with a space", field: "options.image", fix: "container image",
            options: RenderOptions(image: "ballast worker")),
        Case(description: "port 0", field: "spec.deployment.port", fix: "such as 8080") { $0.deployment.port = 0 },
        Case(description: "memory in words", field: "spec.deployment.memory", fix: "\"4Gi\"") {
            $0.deployment.memory = "4 gigabytes"
        },
        Case(description: "cpu with a bad suffix", field: "spec.deployment.cpu", fix: "Kubernetes quantity") {
            $0.deployment.cpu = "2cores"
        },
        Case(description: "GPU target above 100 %", field: "spec.deployment.gpuUtilizationTarget", fix: "such as 70") {
            $0.deployment.gpuUtilizationTarget = 170
        },
        Case(
            description: "window beyond an hour", field: "spec.behavior.scaleDown.stabilizationWindow", fix: "0...3600"
        ) {
            $0.behavior.scaleDown.stabilizationWindow = .seconds(7200)
        },
        Case(
            description: "period beyond 30 minutes", field: "spec.behavior.scaleUp.policies[1].period", fix: "1...1800"
        ) {
            $0.behavior.scaleUp.policies[1].period = .seconds(3600)
        },
        Case(
            description: "zero-rate policy", field: "spec.behavior.scaleDown.policies[0].value",
            fix: "selectPolicy: Disabled"
        ) {
            $0.behavior.scaleDown.policies[0].value = 0
        },
        Case(
            description: "unknown placeholder", field: "spec.signals.kv_cache",
            fix: "known placeholders are ${queue_wait_seconds}"
        ) {
            $0.signals[2] = Signal(name: "kv_cache", source: .query("max(${kv_usage})"))
        },
        Case(description: "unclosed placeholder", field: "spec.signals.kv_cache", fix: "has no closing }") {
            $0.signals[2] = Signal(name: "kv_cache", source: .query("max(${kv_cache_usage_ratio)"))
        },
        Case(
            description: "alert on an undefined signal", field: "spec.rules[0].when",
            fix: "define it under spec.signals"
        ) {
            $0.rules = [
                Rule(
                    name: "x", condition: .compare(signal: "nope", op: .greater, threshold: 1),
                    action: .alert(AlertAction()))
            ]
        },
        Case(description: "cost alert without a price", field: "spec.price", fix: "perReplicaHour") { $0.price = nil },
        Case(description: "two rules with one alert name", field: "spec.rules", fix: "rename one") {
            $0.rules.append(
                Rule(
                    name: "kv_cache_full", condition: .compare(signal: "kv_cache", op: .greater, threshold: 0.9),
                    action: .alert(AlertAction())))
        },
        Case(
            description: "cost signal on an engine without request counts", field: "spec.signals.cost_per_inference",
            fix: "not requests"
        ) {
            $0.target.engine = .llamacpp
            $0.signals[0] = Signal(name: "queue_p95", source: .query("max(${waiting_requests})"))
        },
        Case(
            description: "placeholder the engine lacks", field: "spec.signals.queue_p95",
            fix: "has no equivalent on engine llamacpp"
        ) {
            $0.target.engine = .llamacpp
        },
    ]

    @Test(arguments: cases)
    func badPolicyNamesFieldAndFix(_ bad: Case) throws {
        var policy = TestPolicies.small
        bad.change(&policy)
        let error = try #require(throws: ManifestError.self) {
            try ManifestSet.render(policy: policy, options: bad.options)
        }
        #expect(error.field == bad.field, "\(error)")
        #expect(error.description.contains(bad.fix), "\(error)")
        #expect(error.description.hasPrefix(bad.field + ": "))
        #expect(error.description.hasSuffix("."))
    }

    @Test(arguments: [
        (ControllerOptions(name: "Ballast"), "options.name"),
        (ControllerOptions(namespace: "kube_system"), "options.namespace"),
        (ControllerOptions(image: ""), "options.image"),
        (ControllerOptions(port: 70000), "options.port"),
        (ControllerOptions(stateStorage: "lots"), "options.stateStorage"),
    ])
    func badControllerOptionsNameTheField(options: ControllerOptions, field: String) throws {
        let error = try #require(throws: ManifestError.self) {
            try ManifestSet.renderController(policyYAML: "kind: Policy\n", options: options)
        }
        #expect(error.field == field, "\(error)")
    }

    @Test func emptyPolicyTextIsRejected() throws {
        let error = try #require(throws: ManifestError.self) { try ManifestSet.renderController(policyYAML: " \n") }
        #expect(error.field == "policyYAML")
    }

    /// A vLLM fleet renders with vLLM's names from the alias table.
    @Test func vllmFleetRendersWithItsOwnNames() throws {
        var policy = TestPolicies.small
        policy.target.engine = .vllm
        policy.signals[1] = Signal(name: "memory_ratio", source: .query("max(${kv_cache_usage_ratio})"))
        let manifests = try ManifestSet.render(policy: policy)
        let rules = try #require(manifests.first { $0.fileName == ManifestSet.rulesFileName }).yaml
        #expect(rules.contains("rate(vllm:request_queue_time_seconds_bucket[1m])"))
        #expect(rules.contains("rate(vllm:e2e_request_latency_seconds_bucket[5m])"))
        #expect(!rules.contains("ballast_"))
        let hpa = try #require(manifests.first { $0.kind == "HorizontalPodAutoscaler" }).yaml
        #expect(hpa.contains("name: ballast_queue_wait_p95_seconds\n"))
    }

    /// Hugging Face ids hold a `/`, which labels cannot: the label gets a cleaned name, the annotation the exact one.
    @Test(arguments: [
        ("Qwen/Qwen2.5-14B-Instruct", "Qwen-Qwen2.5-14B-Instruct"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "deepseek-ai-DeepSeek-R1-Distill-Qwen-7B"),
        ("/models/r1:7b/", "models-r1-7b"),
        (String(repeating: "m", count: 70), String(repeating: "m", count: 63)),
    ])
    func modelNamesBecomeLabelValues(model: String, label: String) throws {
        var policy = TestPolicies.small
        policy.target.model = model
        let deployment = try #require(ManifestSet.render(policy: policy).first { $0.kind == "Deployment" }).yaml
        #expect(deployment.contains("    ballast.dev/model: \(label)\n"))
        #expect(deployment.contains("    ballast.dev/model-name: \(model)\n"))
        #expect(deployment.contains("- --model\n            - \(model)\n"))
    }
}
