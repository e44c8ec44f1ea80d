import Foundation
import Testing

struct BenchControllerCommandTests {
    @Test func measuresLoopbackTargetsAndPrintsJSON() throws {
        let output = try BallastBinary.run([
            "bench", "controller", "--targets", "3", "--series", "200", "--duration", "0.2", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(object?["targets"] as? Int == 3)
        #expect(object?["seriesPerPage"] as? Int == 200)
        #expect(object?["failedScrapes"] as? Int == 0)
        #expect((object?["rounds"] as? Int ?? 0) >= 1)
        // Three targets' series plus their up, duration and sample-count series.
        #expect(object?["seriesInWindow"] as? Int == 3 * 203)
        #expect((object?["targetsPerCPUSecond"] as? Double ?? 0) > 0)
    }

    @Test func printsOneLineForPeople() throws {
        let output = try BallastBinary.run(["bench", "controller", "--targets", "2", "--series", "300", "--duration", "0.1"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("Scraped and evaluated 2 targets × 300 series"))
        #expect(output.stdout.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        (["--targets", "0"], "--targets must be from 1 to 100000; 0 was given."),
        (["--series", "0"], "--series must be from 1 to 1000000; 0 was given."),
        (["--duration=-1"], "--duration must be a positive number of seconds; -1.0 was given."),
        (["--policy", "nope.yaml"], "nope.yaml"),
    ])
    func rejectsBadOptions(arguments: [String], message: String) throws {
        let output = try BallastBinary.run(["bench", "controller"] + arguments)
        #expect(output.status != 0)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }
}
