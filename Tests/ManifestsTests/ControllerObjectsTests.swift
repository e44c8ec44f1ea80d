import Manifests
import Testing
import Yams

struct ControllerObjectsTests {
    static let policyText = """
        apiVersion: ballast/v1
        kind: Policy
        metadata: {name: r1-7b}
        spec:
          target: {model: r1-7b, minReplicas: 1, maxReplicas: 10}
          signals:
            queue_p95: histogram_quantile(0.95, sum by (le) (rate(ballast_queue_wait_seconds_bucket[1m])))

        """

    static func yaml(of kind: String, options: ControllerOptions = ControllerOptions()) throws -> String {
        try #require(ManifestSet.renderController(policyYAML: policyText, options: options).first { $0.kind == kind })
            .yaml
    }

    @Test func objectsInApplyOrder() throws {
        let manifests = try ManifestSet.renderController(policyYAML: Self.policyText)
        #expect(
            manifests.map(\.kind) == [
                "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "PersistentVolumeClaim", "Deployment", "Service",
            ])
        #expect(manifests.allSatisfy { $0.yaml.contains("  namespace: default\n") })
    }

    /// The ConfigMap carries the policy text unchanged, readable as a literal block.
    @Test(arguments: [policyText, "kind: Policy", "name: \"on\"\n\n", "# comment\r\nkind: Policy\r\n"])
    func configMapHoldsThePolicyTextExactly(text: String) throws {
        let configMap = try #require(ManifestSet.renderController(policyYAML: text).first { $0.kind == "ConfigMap" })
            .yaml
        let parsed = try #require(try Yams.load(yaml: configMap) as? [String: Any])
        let data = try #require(parsed["data"] as? [String: String])
        #expect(data == ["policy.yaml": text])
    }

    @Test func deploymentRunsTheControllerOnTheMountedPolicyAndState() throws {
        let yaml = try Self.yaml(of: "Deployment")
        #expect(
            yaml.contains(
                """
                          args:
                            - controller
                            - --runtime
                            - kubernetes
                            - --policy
                            - /etc/ballast/policy.yaml
                            - --state
                            - /var/lib/ballast/state.sqlite

                """))
        #expect(
            yaml.contains(
                "volumes:\n        - name: policy\n          configMap:\n            name: ballast-controller\n"))
        #expect(
            yaml.contains(
                "        - name: state\n          persistentVolumeClaim:\n            claimName: ballast-controller-state\n"
            ))
        #expect(yaml.contains("serviceAccountName: ballast-controller\n"))
        #expect(yaml.contains("type: Recreate\n"))
    }

    /// A changed policy changes the pod template (so the controller restarts and reads it); the same policy does not.
    @Test func policyHashFollowsThePolicyText() throws {
        func hash(_ text: String) throws -> String {
            let yaml = try #require(ManifestSet.renderController(policyYAML: text).first { $0.kind == "Deployment" })
                .yaml
            let line = try #require(yaml.split(separator: "\n").first { $0.contains("ballast.dev/policy-hash") })
            return String(line)
        }
        #expect(try hash(Self.policyText) == hash(Self.policyText))
        #expect(try hash(Self.policyText) != hash(Self.policyText + "# changed\n"))
    }

    @Test func roleGrantsWhatTheControllerNeeds() throws {
        let role = try #require(try Yams.load(yaml: Self.yaml(of: "Role")) as? [String: Any])
        let rules = try #require(role["rules"] as? [[String: [String]]])
        func verbs(_ group: String, _ resource: String) -> Set<String> {
            Set(
                rules.filter { $0["apiGroups"] == [group] && $0["resources"]?.contains(resource) == true }.flatMap {
                    $0["verbs"] ?? []
                })
        }
        for resource in ["pods", "endpoints", "services"] {
            #expect(verbs("", resource) == ["get", "list", "watch"])
        }
        for resource in ["deployments", "deployments/scale"] {
            #expect(verbs("apps", resource).isSuperset(of: ["get", "patch", "update"]))
            #expect(!verbs("apps", resource).contains("delete"))
        }
        #expect(verbs("autoscaling", "horizontalpodautoscalers").isSuperset(of: ["get", "list", "watch", "patch"]))
        #expect(verbs("", "secrets").isEmpty)
    }

    @Test func optionsReachTheObjects() throws {
        let options = ControllerOptions(
            name: "fleet-brain", namespace: "llm", image: "registry.local/ballast:1.2", port: 9000, stateStorage: "5Gi",
            storageClassName: "fast-ssd")
        let manifests = try ManifestSet.renderController(policyYAML: Self.policyText, options: options)
        #expect(manifests.map(\.fileName).allSatisfy { $0.hasPrefix("fleet-brain-") })
        let all = manifests.map(\.yaml).joined()
        #expect(all.contains("image: registry.local/ballast:1.2\n"))
        #expect(all.contains("containerPort: 9000\n"))
        #expect(all.contains("storage: \"5Gi\"\n"))
        #expect(all.contains("storageClassName: fast-ssd\n"))
        #expect(all.contains("namespace: llm\n"))
        #expect(!all.contains("namespace: default"))
    }
}
