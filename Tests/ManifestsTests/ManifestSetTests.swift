import BallastCore
import Foundation
import Manifests
import Testing

struct ManifestSetTests {
    @Test func rendersWorkerObjectsInApplyOrder() throws {
        let manifests = try ManifestSet.render(policy: TestPolicies.small)
        #expect(
            manifests.map(\.kind) == [
                "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor",
                "PrometheusRule", "PrometheusAdapterRules", "PrometheusRules",
            ])
        #expect(
            manifests.map(\.fileName) == [
                "r1-7b-deployment.yaml", "r1-7b-service.yaml", "r1-7b-hpa.yaml", "r1-7b-pdb.yaml",
                "r1-7b-servicemonitor.yaml", "r1-7b-prometheusrule.yaml", "prometheus/r1-7b-adapter-rules.yaml",
                "alerts.rules.yaml",
            ])
        #expect(Set(manifests.map(\.fileName)).count == manifests.count)
    }

    /// Rendering is a pure function of its input: the same policy gives the same bytes, every time.
    @Test(arguments: RenderCase.allCases)
    func renderingIsDeterministic(_ render: RenderCase) throws {
        let first = try render.manifests()
        for _ in 0..<5 {
            #expect(try render.manifests() == first)
        }
    }

    @Test func kedaReplacesTheAutoscaler() throws {
        let kinds = try ManifestSet.render(policy: TestPolicies.gpu).map(\.kind)
        #expect(kinds.contains("ScaledObject"))
        #expect(!kinds.contains("HorizontalPodAutoscaler"))
        let overridden = try ManifestSet.render(policy: TestPolicies.gpu, options: RenderOptions(includeKEDA: false))
            .map(\.kind)
        #expect(overridden.contains("HorizontalPodAutoscaler"))
        #expect(!overridden.contains("ScaledObject"))
    }

    /// When the controller sets the replicas, no autoscaler is rendered: neither the HPA nor KEDA's
    /// ScaledObject, nor the adapter rules only the HPA reads. The default keeps the HPA.
    @Test(arguments: [(TestPolicies.small, "r1-7b"), (TestPolicies.gpu, "gpu")])
    func theAutoscalerCanBeLeftOut(policy: Policy, label: String) throws {
        let defaults = try ManifestSet.render(policy: policy).map(\.kind)
        #expect(defaults.contains("HorizontalPodAutoscaler") || defaults.contains("ScaledObject"), "\(label)")
        let kinds = try ManifestSet.render(policy: policy, options: RenderOptions(includeHorizontalPodAutoscaler: false))
            .map(\.kind)
        #expect(!kinds.contains("HorizontalPodAutoscaler"), "\(label)")
        #expect(!kinds.contains("ScaledObject"), "\(label)")
        #expect(!kinds.contains("PrometheusAdapterRules"), "\(label)")
        #expect(kinds.first == "Deployment" && kinds.contains("Service") && kinds.contains("PodDisruptionBudget"))
    }

    @Test func optionalOperatorObjectsCanBeLeftOut() throws {
        let options = RenderOptions(includeServiceMonitor: false, includePrometheusRule: false)
        let kinds = try ManifestSet.render(policy: TestPolicies.small, options: options).map(\.kind)
        #expect(
            kinds == [
                "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "PrometheusAdapterRules",
                "PrometheusRules",
            ])
    }

    @Test func optionsOverrideReplicasGPUsImageAndVersion() throws {
        let options = RenderOptions(
            replicas: 4, gpusPerReplica: 4, tensorParallel: 4, image: "registry.local/ballast/worker:v2", version: "v2",
            includeKEDA: false)
        let yaml = try Self.yaml(of: "Deployment", ManifestSet.render(policy: TestPolicies.gpu, options: options))
        #expect(yaml.contains("\n  replicas: 4\n"))
        #expect(yaml.contains("nvidia.com/gpu: \"4\"\n"))
        #expect(yaml.contains("- --tensor-parallel\n            - \"4\"\n"))
        #expect(yaml.contains("image: registry.local/ballast/worker:v2\n"))
        #expect(yaml.contains("app.kubernetes.io/version: v2\n"))
        #expect(yaml.contains("- --version\n            - v2\n"))
        #expect(
            yaml.contains(
                "tolerations:\n        - key: nvidia.com/gpu\n          operator: Exists\n          effect: NoSchedule\n"
            ))
    }

    @Test func cpuWorkersHaveNoGPULimitOrToleration() throws {
        let yaml = try Self.yaml(of: "Deployment", ManifestSet.render(policy: TestPolicies.small))
        #expect(!yaml.contains("nvidia.com/gpu"))
        #expect(!yaml.contains("tolerations"))
    }

    @Test func customArgsKeepTheirOrderAndGetTensorParallel() throws {
        var policy = TestPolicies.small
        policy.deployment.args = ["serve", "--model", "r1-7b"]
        let yaml = try Self.yaml(
            of: "Deployment", ManifestSet.render(policy: policy, options: RenderOptions(tensorParallel: 2)))
        #expect(
            yaml.contains(
                "args:\n            - serve\n            - --model\n            - r1-7b\n            - --tensor-parallel\n            - \"2\"\n"
            ))
    }

    /// Document 003's `type: Resource, name: gpu` becomes a Pods metric, with a comment saying why.
    @Test func gpuUtilisationIsAPodsMetricWithAComment() throws {
        let yaml = try Self.yaml(
            of: "HorizontalPodAutoscaler",
            ManifestSet.render(policy: TestPolicies.gpu, options: RenderOptions(includeKEDA: false)))
        #expect(
            yaml.contains(
                """
                    # GPU utilisation comes from a metrics adapter as a Pods metric. Document 003 writes `type: Resource,
                    # name: gpu`, which Kubernetes rejects: resource metrics are only cpu and memory.
                    - type: Pods
                      pods:
                        metric:
                          name: DCGM_FI_DEV_GPU_UTIL
                        target:
                          type: AverageValue
                          averageValue: "70"

                """))
        #expect(!yaml.contains("name: gpu\n"))
    }

    /// The queue-time Pods metric's target comes from the scale rule: its action's target, else its threshold.
    @Test(arguments: [
        (ScaleAction(target: 0.5), 0.5, "500m"),
        (ScaleAction(), 0.25, "250m"),
        (ScaleAction(target: 2), 0.5, "2"),
        (ScaleAction(target: 1.5), 0.5, "1500m"),
    ])
    func queueTargetComesFromTheScaleRule(action: ScaleAction, threshold: Double, expected: String) throws {
        var policy = TestPolicies.small
        policy.rules[0] = Rule(
            name: "queue-time", condition: .compare(signal: "queue_p95", op: .greater, threshold: threshold),
            action: .scale(action))
        let yaml = try Self.yaml(of: "HorizontalPodAutoscaler", ManifestSet.render(policy: policy))
        #expect(yaml.contains("name: ballast_queue_wait_p95_seconds\n"))
        #expect(yaml.contains("averageValue: \"\(expected)\"\n"))
    }

    @Test func noQueueRuleMeansCPUOnly() throws {
        var policy = TestPolicies.small
        policy.rules.removeFirst()
        let yaml = try Self.yaml(of: "HorizontalPodAutoscaler", ManifestSet.render(policy: policy))
        #expect(!yaml.contains("ballast_queue_wait_p95_seconds"))
        #expect(!yaml.contains("pods:\n"))
        #expect(yaml.contains("averageUtilization: 70\n"))
    }

    @Test func kedaTriggersUseTheResolvedQueueQuery() throws {
        let yaml = try Self.yaml(
            of: "ScaledObject",
            ManifestSet.render(policy: TestPolicies.gpu, options: RenderOptions(prometheusAddress: "http://prom:9090")))
        #expect(
            yaml.contains(
                "query: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))\n"))
        #expect(yaml.contains("serverAddress: http://prom:9090\n"))
        #expect(yaml.contains("threshold: \"0.5\"\n"))
        #expect(yaml.contains("stabilizationWindowSeconds: 300\n"))
    }

    @Test func memoryBudgetIsNinetyPercentOfTheLimitInBytes() throws {
        let yaml = try Self.yaml(of: "Deployment", ManifestSet.render(policy: TestPolicies.small))
        // 4 GiB × 0.9, rounded down.
        #expect(yaml.contains("- --memory-budget\n            - \"\(4 * 1024 * 1024 * 1024 * 9 / 10)\"\n"))
    }

    @Test func startupProbeCoversTheStartupGrace() throws {
        var policy = TestPolicies.small
        policy.behavior.startupGrace = .seconds(900)
        let yaml = try Self.yaml(of: "Deployment", ManifestSet.render(policy: policy))
        #expect(
            yaml.contains(
                "startupProbe:\n            httpGet:\n              path: /health\n              port: http\n            periodSeconds: 10\n            timeoutSeconds: 5\n            failureThreshold: 90\n"
            ))
    }

    @Test func streamJoinsObjectsAndLeavesOutTheRulesFile() throws {
        let manifests = try ManifestSet.render(policy: TestPolicies.small)
        let stream = ManifestSet.stream(manifests)
        let objects = manifests.filter { !ManifestSet.fileKinds.contains($0.kind) }
        #expect(objects.count == 6)
        // One empty piece before the first separator, then one per object.
        #expect(stream.components(separatedBy: "---\n").count == objects.count + 1)
        #expect(stream.hasPrefix("---\napiVersion: apps/v1\nkind: Deployment\n"))
        #expect(!stream.contains("\ngroups:\n"))
        #expect(!stream.contains("seriesQuery"))
    }

    static func yaml(of kind: String, _ manifests: [RenderedManifest]) throws -> String {
        try #require(manifests.first { $0.kind == kind }).yaml
    }
}
