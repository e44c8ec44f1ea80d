/// Where and how the Ballast controller itself runs in Kubernetes.
public struct ControllerOptions: Hashable, Sendable {
    /// Name of every controller object. Default `ballast-controller`.
    public var name: String
    /// Namespace of the controller and of the workers it steers (its Role is namespaced). Default `default`.
    public var namespace: String
    /// Container image whose entrypoint is `ballast`. Default `ballast/ballast:latest`.
    public var image: String
    /// Port of the controller's status API and `/metrics`. Default 8090, clear of the workers' 8080.
    public var port: Int
    /// Size of the volume holding the SQLite state. Default `1Gi`: decisions and events are small rows.
    public var stateStorage: String
    /// Storage class of the state volume; `nil` uses the cluster's default class.
    public var storageClassName: String?

    /// Creates controller options.
    public init(
        name: String = "ballast-controller",
        namespace: String = "default",
        image: String = "ballast/ballast:latest",
        port: Int = 8090,
        stateStorage: String = "1Gi",
        storageClassName: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.image = image
        self.port = port
        self.stateStorage = stateStorage
        self.storageClassName = storageClassName
    }
}
