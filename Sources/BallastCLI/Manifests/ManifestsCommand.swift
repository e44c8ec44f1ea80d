import ArgumentParser

/// `ballast manifests`: Kubernetes objects rendered from policies.
struct ManifestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifests",
        abstract: "Render Kubernetes manifests from policies.",
        subcommands: [ManifestsRenderCommand.self]
    )
}
