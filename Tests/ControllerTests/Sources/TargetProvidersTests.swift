import BallastCore
import BallastTesting
import Controller
import Foundation
import Testing

struct TargetProvidersTests {
    // MARK: file_sd

    static func temporaryFile(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-sd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("targets.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func fileSDReadsGroupsAndLabels() async throws {
        let path = try Self.temporaryFile(
            """
            [{"targets": ["10.0.0.5:8080", "10.0.0.6:8080"], "labels": {"job": "ballast", "__metrics_path__": "/m"}},
             {"targets": ["w:9100"]}]
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let provider = FileSDTargets(path: path)
        #expect(
            try await provider.targets() == [
                ScrapeTarget(instance: "10.0.0.5:8080", url: "http://10.0.0.5:8080/m", labels: ["job": "ballast"]),
                ScrapeTarget(instance: "10.0.0.6:8080", url: "http://10.0.0.6:8080/m", labels: ["job": "ballast"]),
                ScrapeTarget(instance: "w:9100"),
            ])
    }

    @Test func fileSDRereadsAChangedFileAndKeepsTheLastGoodList() async throws {
        let path = try Self.temporaryFile(#"[{"targets": ["a:1"]}]"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let provider = FileSDTargets(path: path)
        #expect(try await provider.targets().map(\.instance) == ["a:1"])

        try #"[{"targets": ["a:1", "b:2"]}]"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await provider.targets().map(\.instance) == ["a:1", "b:2"])

        try #"[{"targets": ["c:3"]"#.write(toFile: path, atomically: true, encoding: .utf8)
        await #expect {
            try await provider.targets()
        } throws: { error in
            let text = "\(error)"
            return text.contains("file_sd file \(path) is not valid JSON") && text.contains("write a list such as")
        }
        #expect(await provider.lastGood.map(\.instance) == ["a:1", "b:2"])
    }

    @Test(arguments: [
        (#"{"targets": ["a:1"]}"#, "must hold a JSON list of target groups"),
        (#"[{"targets": "a:1"}]"#, "group 0 needs \"targets\", a list of \"host:port\" strings."),
        (#"[{"targets": ["a"]}]"#, "group 0 target 0 (a) is not \"host:port\""),
        (#"[{"targets": ["a:1"], "labels": {"job": 3}}]"#, "group 0 label \"job\" must be a string"),
        (#"[{"targets": ["a:1"], "lables": {}}]"#, "group 0 has an unknown field \"lables\""),
        ("[1]", "group 0 must be an object"),
    ])
    func fileSDRejectsMalformedFiles(json: String, message: String) throws {
        #expect {
            try FileSDTargets.parse(Data(json.utf8), file: "sd.json")
        } throws: { error in
            "\(error)".hasPrefix("file_sd file sd.json") && "\(error)".contains(message)
        }
    }

    @Test func fileSDNamesAMissingFile() async {
        let provider = FileSDTargets(path: "/nonexistent/targets.json")
        await #expect {
            try await provider.targets()
        } throws: { error in
            "\(error)".contains("file_sd file /nonexistent/targets.json cannot be read")
        }
    }

    // MARK: Kubernetes endpoints

    /// `kubectl get endpoints smollm2 -n serving -o json` from a cluster with two ready pods, one starting pod
    /// and a second (metrics) port.
    static let endpointsJSON = """
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": "2025-05-01T10:00:00Z"},
                "creationTimestamp": "2025-05-01T09:00:00Z",
                "labels": {"app": "smollm2"},
                "name": "smollm2",
                "namespace": "serving",
                "resourceVersion": "48213",
                "uid": "0e7c1b7a-6a43-4c55-9a1d-2b7f3f1c9d11"
            },
            "subsets": [
                {
                    "addresses": [
                        {
                            "ip": "10.244.1.17",
                            "nodeName": "node-a",
                            "targetRef": {"kind": "Pod", "name": "smollm2-7d9f8-abcde", "namespace": "serving", "uid": "u1"}
                        },
                        {
                            "ip": "10.244.2.9",
                            "nodeName": "node-b",
                            "targetRef": {"kind": "Pod", "name": "smollm2-7d9f8-fghij", "namespace": "serving", "uid": "u2"}
                        }
                    ],
                    "notReadyAddresses": [
                        {
                            "ip": "10.244.3.4",
                            "nodeName": "node-c",
                            "targetRef": {"kind": "Pod", "name": "smollm2-7d9f8-klmno", "namespace": "serving", "uid": "u3"}
                        }
                    ],
                    "ports": [
                        {"name": "http", "port": 8080, "protocol": "TCP"},
                        {"name": "grpc", "port": 9000, "protocol": "TCP"}
                    ]
                }
            ]
        }
        """

    @Test func endpointsBecomeTargetsWithPodAndNamespace() async throws {
        let runner = ScriptedCommandRunner(responses: [
            .init(prefix: ["kubectl", "get", "endpoints"], stdout: Self.endpointsJSON)
        ])
        let provider = KubernetesEndpointsTargets(name: "smollm2", namespace: "serving", portName: "http", runner: runner)
        #expect(
            try await provider.targets() == [
                ScrapeTarget(
                    instance: "10.244.1.17:8080", labels: ["namespace": "serving", "pod": "smollm2-7d9f8-abcde"]),
                ScrapeTarget(instance: "10.244.2.9:8080", labels: ["namespace": "serving", "pod": "smollm2-7d9f8-fghij"]),
            ])
        #expect(await runner.calls == [["kubectl", "get", "endpoints", "smollm2", "-n", "serving", "-o", "json"]])
    }

    @Test func everyPortWithoutAPortName() async throws {
        let runner = ScriptedCommandRunner(responses: [.init(prefix: ["kubectl"], stdout: Self.endpointsJSON)])
        let provider = KubernetesEndpointsTargets(name: "smollm2", namespace: "serving", runner: runner)
        #expect(
            try await provider.targets().map(\.instance) == [
                "10.244.1.17:8080", "10.244.1.17:9000", "10.244.2.9:8080", "10.244.2.9:9000",
            ])
    }

    @Test func emptyEndpointsHaveNoTargets() async throws {
        let runner = ScriptedCommandRunner(responses: [
            .init(prefix: ["kubectl"], stdout: #"{"kind": "Endpoints", "metadata": {"name": "x", "namespace": "d"}}"#)
        ])
        #expect(try await KubernetesEndpointsTargets(name: "x", namespace: "d", runner: runner).targets().isEmpty)
    }

    @Test func kubectlFailureQuotesItsStandardError() async {
        let runner = ScriptedCommandRunner(responses: [
            .init(
                prefix: ["kubectl"], exitCode: 1,
                stderr: "Error from server (NotFound): endpoints \"smollm2\" not found\n")
        ])
        let provider = KubernetesEndpointsTargets(name: "smollm2", namespace: "serving", runner: runner)
        await #expect {
            try await provider.targets()
        } throws: { error in
            "\(error)"
                == "`kubectl get endpoints smollm2 -n serving -o json` exited with status 1: Error from server (NotFound): endpoints \"smollm2\" not found; check the Service name, the namespace and kubectl's access to the cluster."
        }
    }

    @Test(arguments: [
        ("not json", "does not parse"),
        (#"{"kind": "Endpoints", "subsets": [{"addresses": [{"hostname": "x"}]}]}"#, "missing field subsets.0.addresses.0.ip"),
        (#"{"kind": "Service"}"#, "returned a Service"),
    ])
    func malformedEndpointsNameTheField(json: String, message: String) {
        let provider = KubernetesEndpointsTargets(name: "smollm2", namespace: "serving", runner: ScriptedCommandRunner())
        #expect {
            try provider.parse(Data(json.utf8))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    // MARK: Static and combined

    @Test func staticTargetsComeFromScrapeSettings() async throws {
        let provider = StaticTargets(settings: ScrapeSettings(targets: ["a:1"], path: "/m"), labels: ["job": "j"])
        #expect(try await provider.targets() == [ScrapeTarget(instance: "a:1", url: "http://a:1/m", labels: ["job": "j"])])
    }

    @Test func combinedTargetsJoinInOrderWithoutDuplicates() async throws {
        let first = StaticTargets([ScrapeTarget(instance: "a:1", labels: ["from": "static"])])
        let second = StaticTargets([ScrapeTarget(instance: "a:1"), ScrapeTarget(instance: "b:2")])
        #expect(
            try await CombinedTargets([first, second]).targets() == [
                ScrapeTarget(instance: "a:1", labels: ["from": "static"]), ScrapeTarget(instance: "b:2"),
            ])
    }

    @Test func combinedTargetsFailWhenASourceFails() async {
        let failing = FileSDTargets(path: "/nonexistent/sd.json")
        await #expect {
            try await CombinedTargets([StaticTargets([ScrapeTarget(instance: "a:1")]), failing]).targets()
        } throws: { error in
            "\(error)".contains("/nonexistent/sd.json")
        }
    }
}
