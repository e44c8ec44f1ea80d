import ArgumentParser

/// `ballast policy`: check policy files and explain what they would decide.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check policy files and explain what they would decide.",
        subcommands: [PolicyCheckCommand.self, PolicyExplainCommand.self]
    )
}
