import Foundation
import PolicyFile

/// Paths and helpers shared by the policy file tests.
enum Support {
    /// The repository root, found from this file's path (Tests/PolicyFileTests/Support.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Absolute path of a file under the repository root.
    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The shipped policy files, relative to the root.
    static let shippedPolicies = [
        "policies/default.yaml",
        "policies/examples/vllm.yaml",
        "policies/examples/llamacpp.yaml",
        "policies/examples/tgi.yaml",
        "policies/examples/sglang.yaml",
    ]

    /// The problems `yaml` produces, as printed; empty when it loads.
    static func problems(_ yaml: String, file: String = "p.yaml") -> [String] {
        do {
            _ = try PolicyLoader.parse(yaml, file: file)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// A valid policy with `spec` lines appended under `spec:` (each already indented by two spaces).
    static func policy(_ specLines: String, target: String = "  target: {model: m}") -> String {
        """
        apiVersion: ballast/v1
        kind: Policy
        metadata: {name: m}
        spec:
        \(target)
        \(specLines)
        """
    }
}

extension Support {
    /// A YAML double-quoted scalar for test fixtures (backslashes and quotes escaped).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
