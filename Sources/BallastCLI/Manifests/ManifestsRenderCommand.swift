import ArgumentParser
import BallastCore
import Foundation
import Manifests
import PolicyFile

/// `ballast manifests render --policy FILE --out DIR`: writes the fleet's (and optionally the controller's) objects.
struct ManifestsRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a policy's Deployment, Service, HPA, PDB, ServiceMonitor and PrometheusRule into a directory.",
        discussion: """
            Every object goes to its own file in --out, ready for `kubectl apply -f DIR`. The same alert rules \
            are also written as a plain Prometheus rules file to DIR/prometheus/alerts.rules.yaml (a subdirectory, \
            so `kubectl apply -f DIR` does not read it), checkable with `promtool check rules`. Output is \
            deterministic: rendering twice gives identical bytes.
            """
    )

    @Option(name: .customLong("policy"), help: "Policy file to render; repeat for several models.")
    var policies: [String] = []

    @Option(help: "Directory to write into; created when missing.")
    var out: String

    @Option(help: "Replicas in the Deployment. Default: the policy's minReplicas.")
    var replicas: Int?

    @Option(help: "nvidia.com/gpu per pod (also the tensor-parallel degree). Default: the policy's gpusPerReplica.")
    var gpus: Int?

    @Option(help: "Container image of the workers. Default: the policy's deployment.image.")
    var image: String?

    @Option(help: "Model version label and worker --version. Default: the policy's target.version, else latest.")
    var modelVersion: String?

    @Flag(help: "Render a KEDA ScaledObject instead of the HorizontalPodAutoscaler.")
    var keda = false

    @Flag(inversion: .prefixedNo, help: "Render ServiceMonitor and PrometheusRule (Prometheus Operator CRDs).")
    var prometheusOperator = true

    @Flag(help: "Also render the controller's own ServiceAccount, RBAC, ConfigMap, volume, Deployment and Service.")
    var controller = false

    @Option(help: "Namespace of the controller's objects.")
    var controllerNamespace: String = "default"

    func validate() throws {
        if policies.isEmpty { throw ValidationError("Pass at least one --policy file, such as policies/default.yaml.") }
        if let replicas, replicas < 0 { throw ValidationError("--replicas (\(replicas)) must be 0 or more.") }
        if let gpus, gpus < 0 { throw ValidationError("--gpus (\(gpus)) must be 0 or more.") }
    }

    func run() throws {
        let documents: [PolicyDocument]
        do {
            documents = try PolicyLoader.loadAll(contentsOf: policies)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        var files: [(path: String, text: String)] = []
        for document in documents {
            let options = RenderOptions(
                replicas: replicas,
                gpusPerReplica: gpus,
                tensorParallel: gpus,
                image: image,
                version: modelVersion,
                includeKEDA: keda ? true : nil,
                includeServiceMonitor: prometheusOperator,
                includePrometheusRule: prometheusOperator
            )
            do {
                for manifest in try ManifestSet.render(policy: document.policy, options: options) {
                    files.append((Self.relativePath(of: manifest, policy: document.policy.name, several: documents.count > 1), manifest.yaml))
                }
                if controller {
                    let text = try String(contentsOfFile: document.file, encoding: .utf8)
                    let options = ControllerOptions(namespace: controllerNamespace)
                    for manifest in try ManifestSet.renderController(policyYAML: text, options: options) where !files.contains(where: { $0.path == manifest.fileName }) {
                        files.append((manifest.fileName, manifest.yaml))
                    }
                }
            } catch let error as ManifestError {
                printError("\(document.file): \(error.description)")
                throw ExitCode(1)
            }
        }
        let root = URL(fileURLWithPath: out)
        for file in files {
            let url = root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url, options: .atomic)
        }
        print("Wrote \(files.count) files to \(out):")
        for file in files { print("  \(file.path)") }
    }

    /// The rules file goes to `prometheus/`, out of `kubectl apply -f DIR`'s way; with several policies it is
    /// named after each policy so they do not overwrite each other.
    static func relativePath(of manifest: RenderedManifest, policy: String, several: Bool) -> String {
        guard manifest.fileName == ManifestSet.rulesFileName else { return manifest.fileName }
        return several ? "prometheus/\(policy)-\(manifest.fileName)" : "prometheus/\(manifest.fileName)"
    }
}
