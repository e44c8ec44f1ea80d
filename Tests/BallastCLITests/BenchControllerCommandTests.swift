import Foundation
import Testing

struct BenchControllerCommandTests {
    @Test func measuresLoopbackTargetsAndPrintsJSON() async throws {
        let output = try await BallastBinary.run([
            "bench", "controller", "--targets", "3", "--series", "200", "--duration", "0.2", "--json",
            "--interval", "0.2", "--latency-trials", "2",
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
        // The pages are served by a child process, whose CPU time is counted apart.
        #expect(object?["pageServers"] as? String == "child")
        #expect((object?["pageServerCPUSeconds"] as? Double ?? -1) >= 0)
        #expect((object?["targetsPerTotalCPUSecond"] as? Double ?? 0) > 0)
        // Breach → actuation through the controller loop: every trial acted on, within a few intervals.
        #expect(object?["intervalMilliseconds"] as? Double == 200)
        #expect(object?["latencyTrials"] as? Int == 2)
        #expect(object?["latencyTrialsMissed"] as? Int == 0)
        let p50 = object?["actuationLatencyP50Milliseconds"] as? Double ?? -1
        let maximum = object?["actuationLatencyMaxMilliseconds"] as? Double ?? -1
        #expect(p50 > 0 && p50 <= maximum, "\(output.stdout)")
        #expect(object?["actuationWithinIntervalPlus100ms"] is Bool)
    }

    @Test func servesPagesInProcessWhenAsked() async throws {
        let output = try await BallastBinary.run([
            "bench", "controller", "--targets", "2", "--duration", "0.1", "--pages", "in-process", "--latency-trials",
            "0", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(object?["pageServers"] as? String == "in-process")
        #expect(object?["pageServerCPUSeconds"] == nil)
        #expect(object?["latencyTrials"] as? Int == 0)
        #expect(object?["actuationLatencyP50Milliseconds"] == nil)
        #expect(object?["failedScrapes"] as? Int == 0)
    }

    @Test func printsOneLineForPeople() async throws {
        let output = try await BallastBinary.run([
            "bench", "controller", "--targets", "2", "--series", "300", "--duration", "0.1", "--interval", "0.2",
            "--latency-trials", "1",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("Scraped and evaluated 2 targets × 300 series"))
        #expect(output.stdout.split(separator: "\n").count == 1)
        #expect(output.stdout.contains("breach → actuation p50"), "\(output.stdout)")
    }

    @Test(arguments: [
        (["--targets", "0"], "--targets must be from 1 to 100000; 0 was given."),
        (["--series", "0"], "--series must be from 1 to 1000000; 0 was given."),
        (["--duration=-1"], "--duration must be a positive number of seconds; -1.0 was given."),
        (["--policy", "nope.yaml"], "nope.yaml"),
        (["--pages", "elsewhere"], "--pages must be child or in-process; elsewhere was given."),
        (["--interval", "0"], "--interval must be from 0.01 to 3600 seconds; 0.0 was given."),
        (["--latency-trials=-1"], "--latency-trials must be from 0 to 1000; -1 was given."),
    ])
    func rejectsBadOptions(arguments: [String], message: String) async throws {
        let output = try await BallastBinary.run(["bench", "controller"] + arguments)
        #expect(output.status != 0)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }
}
