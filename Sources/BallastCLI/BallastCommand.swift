public import ArgumentParser

/// The `ballast` command: the root of every subcommand.
public struct BallastCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ballast",
        abstract: "Keeps LLM inference fleets fast and cheap: policies, manifests, workers, controller.",
        subcommands: [
            PolicyCommand.self, ManifestsCommand.self, BenchCommand.self, QuantizeCommand.self, EvalCommand.self,
            GenerateCommand.self, ModelCommand.self, WorkerCommand.self, LoadCommand.self, StatusCommand.self,
            ExplainCommand.self, ControllerCommand.self, DemoCommand.self,
        ]
    )

    public init() {}
}

/// Entry point of the `ballast` executable, so the executable target holds no logic and no dependencies.
public enum BallastMain {
    /// Parses the process arguments, runs the chosen command and exits with its status.
    public static func run() async {
        await BallastCommand.main()
    }
}
