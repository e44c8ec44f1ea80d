public import BallastCore

/// Renders a policy's Kubernetes objects (and the controller's own) as YAML with a stable key order.
public enum ManifestSet {
    /// The file name of the plain Prometheus rules file, checkable with `promtool check rules`.
    public static let rulesFileName = "alerts.rules.yaml"

    /// The worker fleet's objects for `policy`, in apply order: Deployment, Service, HorizontalPodAutoscaler
    /// (or KEDA ScaledObject), PodDisruptionBudget, ServiceMonitor, PrometheusRule, then the plain rules file
    /// ``rulesFileName`` (not a Kubernetes object, kind `PrometheusRules`).
    ///
    /// Throws ``ManifestError`` naming the policy field and the fix when the policy cannot run in Kubernetes:
    /// names that are not DNS-1123 labels, replicas outside the bounds, GPUs without a GPU metric, and so on.
    public static func render(policy: Policy, options: RenderOptions = RenderOptions()) throws(ManifestError)
        -> [RenderedManifest]
    {
        let context = try WorkerContext(policy: policy, options: options)
        let name = context.name
        var objects: [(suffix: String, kind: String, node: YAMLNode)] = [
            ("deployment", "Deployment", WorkerDeployment.render(context)),
            ("service", "Service", WorkerService.render(context)),
        ]
        if options.includeKEDA ?? policy.deployment.keda {
            objects.append(("scaledobject", "ScaledObject", try WorkerScaledObject.render(context)))
        } else {
            objects.append(("hpa", "HorizontalPodAutoscaler", try WorkerAutoscaler.render(context)))
        }
        objects.append(("pdb", "PodDisruptionBudget", WorkerDisruptionBudget.render(context)))
        if options.includeServiceMonitor {
            objects.append(("servicemonitor", "ServiceMonitor", WorkerServiceMonitor.render(context)))
        }
        if options.includePrometheusRule {
            objects.append(("prometheusrule", "PrometheusRule", try AlertRules.prometheusRule(context)))
        }
        var manifests = objects.map { object in
            RenderedManifest(
                fileName: "\(name)-\(object.suffix).yaml", kind: object.kind, name: name, yaml: object.node.emit())
        }
        manifests.append(
            RenderedManifest(
                fileName: rulesFileName, kind: "PrometheusRules", name: "ballast-\(name)",
                yaml: try AlertRules.rulesFile(context).emit()
            ))
        return manifests
    }

    /// The controller's own objects: ServiceAccount, Role, RoleBinding, ConfigMap with `policyYAML`,
    /// PersistentVolumeClaim for its SQLite state, Deployment and Service, in apply order.
    public static func renderController(policyYAML: String, options: ControllerOptions = ControllerOptions())
        throws(ManifestError) -> [RenderedManifest]
    {
        try ControllerObjects(policyYAML: policyYAML, options: options).render()
    }

    /// The Kubernetes objects among `manifests` as one multi-document YAML stream (`---` between documents),
    /// ready for `kubectl apply -f -`; the plain rules file is left out because it is not an object.
    public static func stream(_ manifests: [RenderedManifest]) -> String {
        manifests.filter { $0.kind != "PrometheusRules" }.map { "---\n" + $0.yaml }.joined()
    }
}
