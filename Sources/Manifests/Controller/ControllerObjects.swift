import Foundation

/// The controller's own Kubernetes objects, built from checked ``ControllerOptions``.
struct ControllerObjects {
    /// Where the ConfigMap's policy is mounted and the state volume lives; the container's arguments name them.
    static let policyDirectory = "/etc/ballast"
    static let policyFile = "policy.yaml"
    static let stateDirectory = "/var/lib/ballast"
    /// The non-root user the controller runs as; `fsGroup` makes the state volume writable for it.
    static let user = 65532

    let policyYAML: String
    let options: ControllerOptions

    init(policyYAML: String, options: ControllerOptions) throws(ManifestError) {
        try KubernetesNames.checkLabel(options.name, field: "options.name")
        try KubernetesNames.checkLabel(options.namespace, field: "options.namespace")
        if options.image.isEmpty || options.image.contains(where: \.isWhitespace) {
            throw ManifestError(
                field: "options.image",
                message:
                    "\"\(options.image)\" is not a container image reference; write one such as ballast/ballast:latest."
            )
        }
        guard (1...65535).contains(options.port) else {
            throw ManifestError(
                field: "options.port",
                message: "port \(options.port) is outside 1...65535; write a TCP port such as 8090.")
        }
        try KubernetesNames.checkQuantity(options.stateStorage, field: "options.stateStorage")
        if let storageClass = options.storageClassName {
            try KubernetesNames.checkLabel(storageClass, field: "options.storageClassName", maxLength: 253)
        }
        if policyYAML.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ManifestError(
                field: "policyYAML",
                message: "the policy text is empty; pass the contents of the policy file the controller should run.")
        }
        self.policyYAML = policyYAML
        self.options = options
    }

    private var labels: [YAMLEntry] {
        [
            YAMLEntry("app.kubernetes.io/name", "ballast-controller"),
            YAMLEntry("app.kubernetes.io/instance", .string(options.name)),
            YAMLEntry("app.kubernetes.io/component", "controller"),
            YAMLEntry("app.kubernetes.io/managed-by", "ballast"),
        ]
    }

    private var selectorLabels: [YAMLEntry] { Array(labels.prefix(2)) }

    private func metadata(_ name: String? = nil) -> YAMLNode {
        .map([
            "name": .string(name ?? options.name), "namespace": .string(options.namespace), "labels": .mapping(labels),
        ])
    }

    func render() -> [RenderedManifest] {
        let objects: [(suffix: String, kind: String, node: YAMLNode)] = [
            ("serviceaccount", "ServiceAccount", serviceAccount),
            ("role", "Role", role),
            ("rolebinding", "RoleBinding", roleBinding),
            ("configmap", "ConfigMap", configMap),
            ("pvc", "PersistentVolumeClaim", stateClaim),
            ("deployment", "Deployment", deployment),
            ("service", "Service", service),
        ]
        return objects.map {
            RenderedManifest(
                fileName: "\(options.name)-\($0.suffix).yaml", kind: $0.kind, name: options.name, yaml: $0.node.emit())
        }
    }

    private var serviceAccount: YAMLNode {
        .map(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata()])
    }

    /// Least privilege: read the fleet, scale and patch its Deployments, and read or adjust its HPAs.
    private var role: YAMLNode {
        func rule(_ group: String, _ resources: [String], _ verbs: [String]) -> YAMLNode {
            .map([
                "apiGroups": [.string(group)],
                "resources": .sequence(resources.map { .string($0) }),
                "verbs": .sequence(verbs.map { .string($0) }),
            ])
        }
        return .map([
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": metadata(),
            "rules": [
                rule("", ["pods", "endpoints", "services"], ["get", "list", "watch"]),
                rule("apps", ["deployments", "deployments/scale"], ["get", "list", "watch", "patch", "update"]),
                rule("autoscaling", ["horizontalpodautoscalers"], ["get", "list", "watch", "patch", "update"]),
            ],
        ])
    }

    private var roleBinding: YAMLNode {
        .map([
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": metadata(),
            "roleRef": .map(["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(options.name)]),
            "subjects": [
                .map(["kind": "ServiceAccount", "name": .string(options.name), "namespace": .string(options.namespace)])
            ],
        ])
    }

    private var configMap: YAMLNode {
        .map([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(),
            "data": .map([Self.policyFile: .string(policyYAML)]),
        ])
    }

    private var stateClaim: YAMLNode {
        .map([
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": metadata("\(options.name)-state"),
            "spec": .map([
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": options.storageClassName.map { .string($0) },
                "resources": .map(["requests": .map(["storage": .string(options.stateStorage)])]),
            ]),
        ])
    }

    /// FNV-1a of the policy text, as a pod annotation: a changed policy changes the pod template, so the
    /// controller restarts and reads it (ConfigMap updates alone do not restart anything).
    var policyHash: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in policyYAML.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private var deployment: YAMLNode {
        let container: YAMLNode = .map([
            "name": "controller",
            "image": .string(options.image),
            "args": [
                "controller",
                "--runtime", "kubernetes",
                "--policy", .string("\(Self.policyDirectory)/\(Self.policyFile)"),
                "--state", .string("\(Self.stateDirectory)/state.sqlite"),
            ],
            "ports": [.map(["name": "http", "containerPort": .int(options.port), "protocol": "TCP"])],
            "resources": .map([
                "requests": .map(["cpu": "100m", "memory": "128Mi"]),
                "limits": .map(["memory": "256Mi"]),
            ]),
            "livenessProbe": WorkerDeployment.probe(path: "/health", period: 10, failures: 3),
            "readinessProbe": WorkerDeployment.probe(path: "/ready", period: 5, failures: 3),
            "volumeMounts": [
                .map(["name": "policy", "mountPath": .string(Self.policyDirectory), "readOnly": true]),
                .map(["name": "state", "mountPath": .string(Self.stateDirectory)]),
            ],
        ])
        return .map([
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(),
            "spec": .map([
                "replicas": 1,
                "selector": .map(["matchLabels": .mapping(selectorLabels)]),
                "strategy": .commented(
                    "One writer of the SQLite state and a ReadWriteOnce volume: stop the old pod before starting the new.",
                    .map(["type": "Recreate"])
                ),
                "template": .map([
                    "metadata": .map([
                        "labels": .mapping(labels),
                        "annotations": .map(["ballast.dev/policy-hash": .string(policyHash)]),
                    ]),
                    "spec": .map([
                        "serviceAccountName": .string(options.name),
                        "securityContext": .map([
                            "runAsNonRoot": true,
                            "runAsUser": .int(Self.user),
                            "fsGroup": .int(Self.user),
                        ]),
                        "containers": [container],
                        "volumes": [
                            .map(["name": "policy", "configMap": .map(["name": .string(options.name)])]),
                            .map([
                                "name": "state",
                                "persistentVolumeClaim": .map(["claimName": .string("\(options.name)-state")]),
                            ]),
                        ],
                    ]),
                ]),
            ]),
        ])
    }

    private var service: YAMLNode {
        .map([
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata(),
            "spec": .map([
                "type": "ClusterIP",
                "selector": .mapping(selectorLabels),
                "ports": [.map(["name": "http", "port": .int(options.port), "targetPort": "http", "protocol": "TCP"])],
            ]),
        ])
    }
}
