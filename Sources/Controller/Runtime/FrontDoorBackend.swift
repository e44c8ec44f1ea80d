public import BallastCore

/// One worker the front door may send requests to.
public struct FrontDoorBackend: Hashable, Sendable {
    /// `host:port`, also the key of its in-flight count.
    public var instance: String
    /// The deployment it serves; requests naming `deployment.model` go to it.
    public var deployment: DeploymentKey

    /// Creates a backend.
    public init(instance: String, deployment: DeploymentKey) {
        self.instance = instance
        self.deployment = deployment
    }

    /// `http://host:port`.
    public var baseURL: String { "http://\(instance)" }
}

/// Tells the front door which workers are ready now. ``LocalRuntime`` is one; tests give a fixed list.
public protocol BackendDirectory: Sendable {
    /// Workers that answer `/ready` and are not draining, in a stable order.
    func readyBackends() async -> [FrontDoorBackend]
}
