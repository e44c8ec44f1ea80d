import BallastCore
import Foundation
import Manifests
import Testing

/// Every rendered object passes the schema checks a cluster would apply: kubernetes-validate for built-in
/// kinds, the CRDs' own schemas (``CRDSchemas``) for ServiceMonitor, PrometheusRule and ScaledObject.
struct KubernetesValidationTests {
    /// The Kubernetes version validated against: an old-enough release that every supported cluster has
    /// (autoscaling/v2 and policy/v1 are GA there).
    static let kubernetesVersion = "1.30.0"

    /// The newest release the installed kubernetes-validate knows, so removed or changed APIs show up too.
    static let newestVersion = "1.37.0"

    @Test(arguments: RenderCase.allCases, [kubernetesVersion, newestVersion])
    func builtInKindsPassKubernetesValidate(_ label: RenderCase, version: String) async throws {
        let tool = try ExternalTool("kubernetes-validate")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let objects = try label.manifests().filter {
            !ManifestSet.fileKinds.contains($0.kind) && !Self.isCustomResource($0.yaml)
        }
        #expect(!objects.isEmpty)
        var paths: [String] = []
        for manifest in objects {
            paths.append(try directory.write(manifest.yaml, to: manifest.fileName))
        }
        // One run for all files: the tool takes seconds to start.
        let result = try await tool.run(["--strict", "-k", version] + paths)
        #expect(
            result.status == 0,
            "\(label), Kubernetes \(version): kubernetes-validate rejected a manifest:\n\(result.output)")
        let lines = result.output.split(separator: "\n")
        for path in paths {
            #expect(
                lines.contains { $0.contains(path + " passed") },
                "\(label): \(path) was not validated against a schema:\n\(result.output)"
            )
        }
    }

    @Test(arguments: RenderCase.allCases)
    func customResourcesPassTheirCRDSchemas(_ label: RenderCase) async throws {
        let python = try ExternalTool("python3")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try Self.writeSchemas(into: directory)
        for manifest in try label.manifests() where Self.isCustomResource(manifest.yaml) {
            let path = try directory.write(manifest.yaml, to: manifest.fileName)
            let schema = try #require(
                Self.schemaPath(for: manifest.yaml, in: directory), "\(label): no CRD schema for \(manifest.kind)")
            let result = try await python.run([script, schema, path])
            #expect(
                result.status == 0,
                "\(label): \(manifest.fileName) breaks the \(manifest.kind) CRD schema:\n\(result.output)")
        }
    }

    /// The kubernetes-validate check can fail: a misspelt field or a string where a number belongs is rejected.
    @Test(arguments: [
        ("revisionHistoryLimit: 5", "revisionHistoryLimits: 5"),
        ("containerPort: 8080", "containerPort: http"),
    ])
    func kubernetesValidateRejectsBrokenDeployments(original: String, broken: String) async throws {
        let tool = try ExternalTool("kubernetes-validate")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let deployment = try #require(
            try ManifestSet.render(policy: TestPolicies.small).first { $0.kind == "Deployment" })
        #expect(deployment.yaml.contains(original))
        let path = try directory.write(
            deployment.yaml.replacingOccurrences(of: original, with: broken), to: "broken.yaml")
        let result = try await tool.run(["--strict", "-k", Self.kubernetesVersion, path])
        #expect(result.status != 0, "kubernetes-validate accepted a broken Deployment:\n\(result.output)")
    }

    /// The CRD check can fail: documents with a wrong enum, a wrong duration and an unknown field are rejected.
    @Test(arguments: [
        (
            "keda.sh/v1alpha1", "ScaledObject",
            "spec:\n  scaleTargetRef: {name: x}\n  triggers:\n    - {type: cpu, metricType: Bogus, metadata: {value: \"70\"}}\n",
            "Bogus"
        ),
        (
            "monitoring.coreos.com/v1", "PrometheusRule",
            "spec:\n  groups:\n    - name: g\n      rules:\n        - {alert: A, expr: up == 0, for: 5 minutes}\n",
            "5 minutes"
        ),
        ("monitoring.coreos.com/v1", "ServiceMonitor", "spec:\n  selector: {}\n  endpoint: []\n", "endpoint"),
    ])
    func crdSchemasRejectBadDocuments(apiVersion: String, kind: String, spec: String, culprit: String) async throws {
        let python = try ExternalTool("python3")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try Self.writeSchemas(into: directory)
        let yaml = "apiVersion: \(apiVersion)\nkind: \(kind)\nmetadata: {name: bad}\n" + spec
        let path = try directory.write(yaml, to: "bad.yaml")
        let schema = try #require(Self.schemaPath(for: yaml, in: directory))
        let result = try await python.run([script, schema, path])
        #expect(result.status == 1)
        #expect(result.output.contains(culprit), "\(result.output)")
    }

    /// kubernetes-validate itself has no schema for the custom resources: it warns and passes them. This is
    /// why ``customResourcesPassTheirCRDSchemas(_:)`` exists; if it ever gains schemas, it must still pass.
    @Test func kubernetesValidateDoesNotRejectCustomResources() async throws {
        let tool = try ExternalTool("kubernetes-validate")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manifests = try ManifestSet.render(policy: TestPolicies.gpu).filter { Self.isCustomResource($0.yaml) }
        #expect(Set(manifests.map(\.kind)) == ["ScaledObject", "ServiceMonitor", "PrometheusRule"])
        var paths: [String] = []
        for manifest in manifests {
            paths.append(try directory.write(manifest.yaml, to: manifest.fileName))
        }
        let result = try await tool.run(["--strict", "-k", Self.kubernetesVersion] + paths)
        #expect(result.status == 0, "\(result.output)")
    }

    static func isCustomResource(_ yaml: String) -> Bool {
        CRDSchemas.fileNames.keys.contains { key in identity(of: yaml) == key }
    }

    /// `apiVersion/kind` read from the first two lines, which the renderer always writes first.
    static func identity(of yaml: String) -> String {
        let lines = yaml.split(separator: "\n").prefix(2)
        let values = lines.map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        return values.joined(separator: "/")
    }

    static func schemaPath(for yaml: String, in directory: TemporaryDirectory) -> String? {
        CRDSchemas.fileNames[identity(of: yaml)].map { directory.url.appendingPathComponent($0).path }
    }

    /// Writes the schemas and the validator script; returns the script's path.
    static func writeSchemas(into directory: TemporaryDirectory) throws -> String {
        for (name, text) in CRDSchemas.schemas {
            try directory.write(text, to: name)
        }
        return try directory.write(CRDSchemas.validator, to: "validate_crd.py")
    }
}

/// The renders every schema test checks.
enum RenderCase: String, CaseIterable, Sendable, CustomStringConvertible {
    case small = "small policy"
    case gpuKEDA = "GPU policy with KEDA"
    case gpuHPA = "GPU policy with HPA, 4 GPUs, tensor parallel"
    case controller = "controller"

    var description: String { rawValue }

    func manifests() throws -> [RenderedManifest] {
        switch self {
        case .small:
            try ManifestSet.render(policy: TestPolicies.small)
        case .gpuKEDA:
            try ManifestSet.render(policy: TestPolicies.gpu)
        case .gpuHPA:
            try ManifestSet.render(
                policy: TestPolicies.gpu,
                options: RenderOptions(replicas: 3, gpusPerReplica: 4, tensorParallel: 4, includeKEDA: false)
            )
        case .controller:
            try ManifestSet.renderController(
                policyYAML: "apiVersion: ballast/v1\nkind: Policy\n",
                options: ControllerOptions(namespace: "ballast", storageClassName: "fast-ssd")
            )
        }
    }
}
