import BallastCore
import Foundation
import Manifests
import PolicyFile
import Testing

/// The policy files shipped in `policies/` render into objects that pass kubernetes-validate, CRD schemas
/// and promtool, so `ballast render` works on them out of the box.
struct ShippedPoliciesTests {
    static let policies = [
        "default.yaml", "examples/vllm.yaml", "examples/llamacpp.yaml", "examples/tgi.yaml", "examples/sglang.yaml",
    ]

    /// Renders a shipped policy. A GPU policy that names no GPU utilisation metric must be refused with
    /// the field named; it is then rendered with DCGM's metric, as the error tells its author to do.
    static func render(_ file: String) throws -> [RenderedManifest] {
        let path = DashboardTests.repositoryRoot.appendingPathComponent("policies/\(file)").path
        var policy = try PolicyLoader.load(contentsOf: path)
        if policy.deployment.gpusPerReplica > 0, policy.deployment.gpuUtilizationMetric == nil {
            let error = try #require(throws: ManifestError.self) { try ManifestSet.render(policy: policy) }
            #expect(error.field == "spec.deployment.gpuUtilizationMetric")
            policy.deployment.gpuUtilizationMetric = "DCGM_FI_DEV_GPU_UTIL"
        }
        return try ManifestSet.render(policy: policy)
    }

    @Test(arguments: policies)
    func shippedPolicyRendersValidObjects(_ file: String) async throws {
        let manifests = try Self.render(file)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        let builtIn = manifests.filter {
            !ManifestSet.fileKinds.contains($0.kind) && !KubernetesValidationTests.isCustomResource($0.yaml)
        }
        var paths: [String] = []
        for manifest in builtIn {
            paths.append(try directory.write(manifest.yaml, to: manifest.fileName))
        }
        let validate = try await ExternalTool("kubernetes-validate").run(
            ["--strict", "-k", KubernetesValidationTests.kubernetesVersion] + paths)
        #expect(validate.status == 0, "\(file): kubernetes-validate rejected a manifest:\n\(validate.output)")

        let python = try ExternalTool("python3")
        let script = try KubernetesValidationTests.writeSchemas(into: directory)
        for manifest in manifests where KubernetesValidationTests.isCustomResource(manifest.yaml) {
            let path = try directory.write(manifest.yaml, to: manifest.fileName)
            let schema = try #require(KubernetesValidationTests.schemaPath(for: manifest.yaml, in: directory))
            let result = try await python.run([script, schema, path])
            #expect(
                result.status == 0,
                "\(file): \(manifest.fileName) breaks the \(manifest.kind) CRD schema:\n\(result.output)")
        }

        let rules = try #require(manifests.first { $0.fileName == ManifestSet.rulesFileName })
        let rulesPath = try directory.write(rules.yaml, to: rules.fileName)
        let check = try await ExternalTool("promtool").run(["check", "rules", rulesPath])
        #expect(check.status == 0, "\(file): promtool rejected the rules:\n\(check.output)\n\(rules.yaml)")
    }

    /// The default policy's document thresholds reach the cluster: queue time 500 ms on the HPA, the
    /// memory alert at 90 %.
    @Test func defaultPolicyCarriesTheDocumentThresholds() throws {
        let manifests = try Self.render("default.yaml")
        let hpa = try #require(manifests.first { $0.kind == "HorizontalPodAutoscaler" }).yaml
        #expect(hpa.contains("minReplicas: 1\n  maxReplicas: 10\n"))
        #expect(hpa.contains("averageUtilization: 70\n"))
        #expect(hpa.contains("averageValue: \"500m\"\n"))
        let rules = try #require(manifests.first { $0.fileName == ManifestSet.rulesFileName }).yaml
        #expect(
            rules.contains(
                "- alert: BallastMemoryAlert\n        expr: (max(ballast_accelerator_memory_used_bytes / ballast_accelerator_memory_total_bytes)) > 0.9\n"
            ))
    }
}
