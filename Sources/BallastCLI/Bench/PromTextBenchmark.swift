import Foundation
import PromText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Times ``PromTextParser`` on one page: one untimed parse to warm up and count samples, then `iterations`
/// timed ones.
struct PromTextBenchmark {
    /// What one run measured; field names match the Go reference program's JSON.
    struct Result: Encodable {
        var parser = "ballast-promtext"
        var pageBytes: Int
        var samples: Int
        var iterations: Int
        /// Wall-clock seconds of the timed parses.
        var seconds: Double
        /// CPU seconds of the whole process over the timed parses (user + system, every thread): on a shared
        /// machine this is steadier than wall time, and it charges a collector's helper threads to its parser.
        var cpuSeconds: Double
        var mbPerSecond: Double
        var samplesPerSecond: Double
        /// Megabytes parsed per CPU second.
        var mbPerCPUSecond: Double

        var json: String {
            (try? JSONOutput.line(self)) ?? "{}"
        }

        var summary: String {
            let mb = String(format: "%.1f", mbPerSecond)
            let perSecond = String(format: "%.0f", samplesPerSecond)
            return "Parsed \(pageBytes) bytes (\(samples) samples) \(iterations) times: \(mb) MB/s, "
                + "\(perSecond) samples/s."
        }
    }

    static func measure(
        page: [UInt8], iterations: Int, families: Set<String>?, progress: (String) -> Void
    ) throws -> Result {
        let warm: [MetricFamily]
        do {
            warm = try PromTextParser.parse(page, families: families)
        } catch {
            throw BenchError(message: "The page does not parse: \(error.description)")
        }
        let samples = warm.reduce(0) { $0 + $1.samples.count }
        progress("parsing \(page.count) bytes, \(samples) samples, \(iterations) times")
        let clock = ContinuousClock()
        let cpuBefore = processCPUSeconds()
        var checksum = 0
        let elapsed = try clock.measure {
            for _ in 0..<iterations {
                do {
                    checksum &+= try PromTextParser.parse(page, families: families).count
                } catch {
                    throw BenchError(message: "The page does not parse: \(error)")
                }
            }
        }
        let cpuSeconds = processCPUSeconds() - cpuBefore
        // Using the checksum keeps the optimizer from dropping the parses.
        if checksum != warm.count * iterations { progress("warning: parses disagreed on the family count") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(
            pageBytes: page.count, samples: samples, iterations: iterations, seconds: seconds,
            cpuSeconds: cpuSeconds,
            mbPerSecond: Double(page.count) * Double(iterations) / seconds / 1e6,
            samplesPerSecond: Double(samples) * Double(iterations) / seconds,
            mbPerCPUSecond: Double(page.count) * Double(iterations) / cpuSeconds / 1e6)
    }

    /// CPU time of this process so far (user + system, every thread), in seconds.
    static func processCPUSeconds() -> Double {
        var now = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) == 0 else { return 0 }
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    struct BenchError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
