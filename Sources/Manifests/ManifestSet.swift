public import BallastCore

/// Renders a policy's Kubernetes objects (and the controller's own) as YAML with a stable key order.
public enum ManifestSet {
    /// The file name of the plain Prometheus rules file, checkable with `promtool check rules`.
    public static let rulesFileName = "alerts.rules.yaml"

    /// The path of the prometheus-adapter rules that serve policy `name`'s HPA queue-wait metric:
    /// `prometheus/NAME-adapter-rules.yaml`, in a folder so that `kubectl apply -f DIR` skips it.
    public static func adapterRulesFileName(policy name: String) -> String { AdapterRules.fileName(policy: name) }

    /// Kinds of rendered files that are not Kubernetes objects.
    public static let fileKinds: Set<String> = ["PrometheusRules", "PrometheusAdapterRules"]

    /// The worker fleet's objects for `policy`, in apply order: Deployment, Service, HorizontalPodAutoscaler
    /// (or KEDA ScaledObject; neither with ``RenderOptions/includeHorizontalPodAutoscaler`` off), PodDisruptionBudget, ServiceMonitor, PrometheusRule, then the plain rules file
    /// ``rulesFileName`` (not a Kubernetes object, kind `PrometheusRules`). With an HPA that scales on queue
    /// time, ``adapterRulesFileName(policy:)`` (kind `PrometheusAdapterRules`) comes before the rules file: the
    /// prometheus-adapter rule serving the HPA's queue-wait metric.
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
        let usesKEDA = options.includeKEDA ?? policy.deployment.keda
        if !options.includeHorizontalPodAutoscaler {
            // The controller owns the replica count; no autoscaler of any kind is rendered.
        } else if usesKEDA {
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
        if options.includeHorizontalPodAutoscaler, !usesKEDA, try QueueScaleRule.find(in: context) != nil, let adapter = AdapterRules.render(context) {
            manifests.append(
                RenderedManifest(
                    fileName: AdapterRules.fileName(policy: name), kind: "PrometheusAdapterRules", name: name,
                    yaml: adapter.emit()))
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
    /// ready for `kubectl apply -f -`; the plain rules and adapter files are left out because they are not objects.
    public static func stream(_ manifests: [RenderedManifest]) -> String {
        manifests.filter { !fileKinds.contains($0.kind) }.map { "---\n" + $0.yaml }.joined()
    }
}
