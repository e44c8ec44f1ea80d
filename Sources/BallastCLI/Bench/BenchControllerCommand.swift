public import ArgumentParser
import Foundation
import PolicyFile

/// `ballast bench controller`: scrape N in-process targets and evaluate a policy's queries, as the controller does.
public struct BenchControllerCommand: AsyncParsableCommand {
    /// Name, abstract and help of the command.
    public static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Measure the embedded scraper and PromQL evaluation in targets per second.",
        discussion: """
            Starts --targets loopback metric endpoints (one server per 50 targets, in a child process unless \
            --pages in-process), each serving a synthetic worker page, then scrapes all of them round after round \
            for --duration seconds, as the controller does: in slices of 350 targets, each followed by an \
            evaluation of the policy's queries. Targets per CPU second count this process \
            only; the page servers' CPU time is reported apart. Then --latency-trials times it runs the controller \
            loop every --interval over the same number of targets, switches one page to a queue-time breach at a \
            random moment, and measures the time until the actuator is called. Progress goes to stderr; results to \
            stdout.
            """
    )

    /// Number of targets; default 100.
    @Option(name: .long, help: "How many targets to scrape.")
    public var targets: Int = 100

    /// Series on each target's page; default 300, a worker page of the metrics contract padded with per-kernel
    /// counters. The contract alone has about 160 series, so smaller values give that.
    @Option(name: .long, help: "Series on each target's page (at least the ~160 of the worker contract).")
    public var series: Int = 300

    /// Seconds of timed rounds; default 10.
    @Option(name: .long, help: "Seconds to keep scraping after a warm-up round.")
    public var duration: Double = 10

    /// Policy whose queries are evaluated each round; default policies/default.yaml.
    @Option(name: .long, help: "Policy whose queries are evaluated each round.")
    public var policy: String = "policies/default.yaml"

    /// Where the page servers run; default `child`, so the CPU measured is the controller side's only.
    @Option(name: .long, help: "Where the page servers run: child or in-process.")
    public var pages: String = "child"

    /// Tick interval of the latency trials in seconds; default 1.
    @Option(name: .long, help: "Seconds between controller ticks in the breach → actuation trials.")
    public var interval: Double = 1

    /// Breach → actuation trials; default 10, 0 skips them.
    @Option(name: .long, help: "How many breach → actuation trials to run (0 skips them).")
    public var latencyTrials: Int = 10

    /// Internal: serve the pages and print their ports, until standard input closes (the child of `--pages child`).
    @Flag(name: .long, help: .hidden)
    public var servePages = false

    /// Print one JSON object instead of a sentence.
    @Flag(name: .long, help: "Print the result as one JSON object.")
    public var json = false

    /// Creates the command; argument parsing fills it in.
    public init() {}

    /// Rejects counts and durations that cannot be measured before any work starts.
    public func validate() throws {
        guard (1...100_000).contains(targets) else {
            throw ValidationError("--targets must be from 1 to 100000; \(targets) was given.")
        }
        guard (1...1_000_000).contains(series) else {
            throw ValidationError("--series must be from 1 to 1000000; \(series) was given.")
        }
        guard duration > 0, duration.isFinite else {
            throw ValidationError("--duration must be a positive number of seconds; \(duration) was given.")
        }
        guard ControllerBenchmark.PageServers(rawValue: pages) != nil else {
            throw ValidationError("--pages must be child or in-process; \(pages) was given.")
        }
        guard interval >= 0.01, interval <= 3600, interval.isFinite else {
            throw ValidationError("--interval must be from 0.01 to 3600 seconds; \(interval) was given.")
        }
        guard (0...1000).contains(latencyTrials) else {
            throw ValidationError("--latency-trials must be from 0 to 1000; \(latencyTrials) was given.")
        }
    }

    /// Measures and prints the result.
    public func run() async throws {
        if servePages {
            try await PageServerProcess.serve(BenchPages(targets: targets, series: series))
            return
        }
        let document: PolicyDocument
        do {
            document = try PolicyLoader.loadDocument(contentsOf: policy)
        } catch {
            throw ValidationError("\(error)")
        }
        let result = try await ControllerBenchmark.measure(
            targets: targets, series: series, duration: .milliseconds(Int64(duration * 1000)), policy: document,
            pageServers: ControllerBenchmark.PageServers(rawValue: pages) ?? .child,
            interval: .milliseconds(Int64((interval * 1000).rounded())), latencyTrials: latencyTrials
        ) { message in
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        print(json ? result.json : result.summary)
    }
}
