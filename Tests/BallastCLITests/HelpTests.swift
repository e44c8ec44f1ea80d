import Foundation
import Testing

/// The help texts are part of the interface: each is compared with a snapshot in `Snapshots/`.
///
/// Set `BALLAST_UPDATE_SNAPSHOTS=1` to rewrite the snapshots after an intended change.
struct HelpTests {
    static let commands: [[String]] = [
        [],
        ["policy"],
        ["policy", "check"],
        ["policy", "explain"],
        ["manifests"],
        ["manifests", "render"],
        ["bench"],
        ["bench", "promtext"],
        ["bench", "engine"], ["bench", "controller"], ["quantize"], ["eval"], ["generate"], ["model"], ["model", "pull"], ["model", "list"],
        ["worker"],
        ["load"],
        ["controller"], ["status"], ["explain"], ["demo"],
    ]

    @Test(arguments: commands)
    func helpMatchesSnapshot(command: [String]) async throws {
        let output = try await BallastBinary.run(command + ["--help"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let name = (["ballast"] + command).joined(separator: "-") + ".txt"
        let snapshot = BallastBinary.packageRoot.appendingPathComponent("Tests/BallastCLITests/Snapshots/\(name)")
        if ProcessInfo.processInfo.environment["BALLAST_UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: snapshot.deletingLastPathComponent(), withIntermediateDirectories: true)
            try output.stdout.write(to: snapshot, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: snapshot, encoding: .utf8)
        #expect(output.stdout == expected)
    }
}
