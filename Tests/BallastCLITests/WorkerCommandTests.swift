import Foundation
import Testing

struct WorkerCommandTests {
    @Test func unknownModelIsAUsageErrorNamingTheFix() async throws {
        let output = try await BallastBinary.run(["worker", "--model", "no-such-model", "--version", "v1", "--port", "0"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("--model no-such-model: No model file at `no-such-model`"))
        #expect(output.stderr.contains("cached model name (smollm2-135m)"))
    }

    @Test(arguments: [
        (["--memory-budget", "lots"], "--memory-budget lots is not a size"),
        (["--max-wait", "soon"], "--max-wait soon is not a duration"),
        (["--port", "70000"], "--port 70000 must be between 0 and 65535"),
    ])
    func badOptionsAreNamed(arguments: [String], message: String) async throws {
        let output = try await BallastBinary.run(["worker", "--model", "smollm2-135m", "--version", "v1"] + arguments)
        #expect(output.status == 64)
        #expect(output.stderr.contains(message), "stderr: \(output.stderr)")
    }
}
