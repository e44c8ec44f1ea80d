@testable import BallastCLI
import Foundation
import PolicyFile
import Testing

/// `ballast demo`, the README's main command, from start to its decision log.
struct DemoCommandTests {
    @Test(.enabled(if: TestModelFile.required)) func scalesOutAndBackInAndPrintsTheLog() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let output = try await BallastBinary.run(["demo", "--model", TestModelFile.path, "--state", state.path])
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout)")
        #expect(output.stdout.contains("1 worker ready behind the front door"))
        #expect(output.stdout.contains("scale: scale 1 → 2: queue-time: ceil(1 × "))
        #expect(output.stdout.contains("scale: scale 2 → 1: queue-time: ceil(2 × "))
        #expect(output.stdout.contains("Actions: scale to 2 replicas → succeeded; scale to 1 replica → succeeded"))
    }

    @Test(arguments: [
        (["demo", "--model", "no-such-model"], "--model no-such-model"),
        (["demo", "--threads", "0"], "--threads must be at least 1"),
        (["demo", "--policy", "/nonexistent/policy.yaml"], "/nonexistent/policy.yaml"),
    ])
    func badOptionsSayWhatToFix(arguments: [String], message: String) async throws {
        let output = try await BallastBinary.run(arguments)
        #expect(output.status != 0)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }
}

/// The policy built into `ballast demo` is the one in policies/demo.yaml.
struct DemoPolicyTests {
    @Test func builtInPolicyMatchesTheFile() throws {
        let file = BallastBinary.packageRoot.appendingPathComponent("policies/demo.yaml").path
        let onDisk = try PolicyLoader.load(contentsOf: file)
        let builtIn = try PolicyLoader.parse(DemoCommand.builtInPolicy, file: "built-in")
        #expect(onDisk == builtIn)
    }
}
