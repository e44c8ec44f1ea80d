import Foundation
import Testing

struct PolicyCheckCommandTests {
    @Test(arguments: ["policies/default.yaml", "policies/examples/vllm.yaml", "policies/examples/llamacpp.yaml"])
    func shippedPolicyIsValid(file: String) async throws {
        let output = try await BallastBinary.run(["policy", "check", file])
        #expect(output.status == 0, "stdout: \(output.stdout) stderr: \(output.stderr)")
        #expect(output.stdout.hasPrefix("\(file): ok (policy "))
    }

    @Test func badPolicyExitsOneWithEveryProblem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yaml")
        try """
            apiVersion: ballast/v1
            kind: Policy
            metadata: {name: bad}
            spec:
              target: {model: m, minReplicas: 4, maxReplicas: 2}
              rules:
                - name: q
                  when: foo > 1
                  for: 500
                  action: {scale: {}}

            """.write(to: file, atomically: true, encoding: .utf8)
        let output = try await BallastBinary.run(["policy", "check", file.path])
        #expect(output.status == 1)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(file.path):5: spec.target.minReplicas (4) is above maxReplicas (2); lower minReplicas."))
        #expect(lines.contains("\(file.path):9: spec.rules[q].for (500) has no unit; write 500ms or 500s."))
        #expect(lines.last == "3 problems in 1 file.")
    }

    @Test func jsonReportNamesLineAndField() async throws {
        let output = try await BallastBinary.run(["policy", "check", "--json", "Package.swift"])
        #expect(output.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let entries = object?["entries"] as? [[String: Any]]
        let problems = entries?.first?["problems"] as? [[String: Any]]
        #expect(problems?.isEmpty == false)
        #expect(problems?.first?["file"] as? String == "Package.swift")
    }

    @Test func missingFileIsNamed() async throws {
        let output = try await BallastBinary.run(["policy", "check", "policies/nope.yaml"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("policies/nope.yaml"))
        #expect(output.stdout.contains("does not exist"))
    }
}
