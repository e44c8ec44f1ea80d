import Foundation
import Testing

/// `ballast controller`, `status` and `explain` refuse bad input with a sentence that says what to write.
struct ControllerCommandTests {
    @Test(arguments: [
        (["controller"], "Give at least one --policy FILE"),
        (["controller", "--policy", "policies/demo.yaml", "--interval", "10ms"], "at least 100ms"),
        (["controller", "--policy", "policies/demo.yaml", "--dry-run"], "--dry-run applies to --runtime kubernetes"),
        (["controller", "--policy", "policies/demo.yaml", "--port", "70000"], "--port 70000 must be between"),
        (["controller", "--policy", "policies/demo.yaml", "--prometheus", "localhost:9090"], "is not an http:// URL"),
        (["controller", "--policy", "policies/demo.yaml", "--model", "no-such-model"], "--model no-such-model"),
        (["controller", "--policy", "/nonexistent.yaml"], "/nonexistent.yaml"),
        (["status", "--controller", "http://127.0.0.1:1"], "Cannot reach the controller at http://127.0.0.1:1"),
        (["explain", "--limit", "0"], "--limit must be from 1 to 1000"),
    ])
    func badInputSaysWhatToFix(arguments: [String], message: String) async throws {
        let output = try await BallastBinary.run(arguments)
        #expect(output.status != 0)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }
}
