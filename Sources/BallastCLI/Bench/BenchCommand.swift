public import ArgumentParser

/// `ballast bench`: the group of micro-benchmarks for the code that runs on every scrape and every step.
public struct BenchCommand: ParsableCommand {
    /// Name, abstract and the benchmarks it groups.
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Ballast's hot paths: throughput of the parts that run on every scrape.",
        subcommands: [BenchPromTextCommand.self, BenchEngineCommand.self, BenchControllerCommand.self]
    )

    /// Creates the command; argument parsing fills it in.
    public init() {}
}
