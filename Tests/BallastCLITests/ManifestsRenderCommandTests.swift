import Foundation
import Testing

struct ManifestsRenderCommandTests {
    /// Renders the default policy with the controller's objects into a fresh temporary directory.
    private func renderDefault() async throws -> (directory: URL, output: BallastBinary.Output) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-render-\(UUID().uuidString)")
        let output = try await BallastBinary.run(["manifests", "render", "--policy", "policies/default.yaml", "--out", directory.path, "--controller"])
        return (directory, output)
    }

    private func files(under directory: URL) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var names: [String] = []
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue && name.hasSuffix(".yaml") { names.append(name) }
        }
        return names.sorted()
    }

    @Test func committedManifestsMatchAFreshRender() async throws {
        let (directory, output) = try await renderDefault()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let committed = BallastBinary.packageRoot.appendingPathComponent("manifests")
        let fresh = try files(under: directory)
        #expect(fresh == (try files(under: committed)), "manifests/ lists other files than a fresh render; re-render it")
        for name in fresh {
            let expected = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let actual = try String(contentsOf: committed.appendingPathComponent(name), encoding: .utf8)
            #expect(actual == expected, "manifests/\(name) drifted from the default policy; run: swift run ballast manifests render --policy policies/default.yaml --out manifests --controller")
        }
    }

    @Test func renderedBuiltInKindsPassKubernetesValidate() async throws {
        let (directory, output) = try await renderDefault()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(output.status == 0)
        // ServiceMonitor and PrometheusRule are CRDs without upstream schemas; ManifestsTests checks them
        // against their CRD schemas. Everything else must pass kubernetes-validate's strict check.
        let builtIn = try files(under: directory).filter {
            !$0.hasPrefix("prometheus/") && !$0.hasSuffix("-servicemonitor.yaml") && !$0.hasSuffix("-prometheusrule.yaml")
        }
        #expect(builtIn.count >= 10)
        let result = try await Tool.run("kubernetes-validate", ["--strict", "--no-warn"] + builtIn, in: directory)
        #expect(result.status == 0, "kubernetes-validate rejected the manifests:\n\(result.output)")
    }

    @Test func rulesFilePassesPromtool() async throws {
        let (directory, _) = try await renderDefault()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await Tool.run("promtool", ["check", "rules", "prometheus/alerts.rules.yaml"], in: directory)
        #expect(result.status == 0, "promtool rejected the rules:\n\(result.output)")
    }

    @Test func renderingTwiceGivesIdenticalBytes() async throws {
        let first = try await renderDefault()
        let second = try await renderDefault()
        defer {
            try? FileManager.default.removeItem(at: first.directory)
            try? FileManager.default.removeItem(at: second.directory)
        }
        for name in try files(under: first.directory) {
            let a = try Data(contentsOf: first.directory.appendingPathComponent(name))
            let b = try Data(contentsOf: second.directory.appendingPathComponent(name))
            #expect(a == b, "\(name) differs between two renders")
        }
    }

    @Test func badPolicyIsNamedAndExitsOne() async throws {
        let output = try await BallastBinary.run(["manifests", "render", "--policy", "Package.swift", "--out", "/tmp/never-written"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("Package.swift:"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written"))
    }
}
