public import BallastCore
public import Foundation

/// Targets from the ready endpoints of a Kubernetes Service, read with
/// `kubectl get endpoints NAME -n NAMESPACE -o json` through a ``CommandRunning``.
///
/// Each ready address and port becomes one target (`ip:port`), labelled `namespace` and, when the address
/// belongs to a pod, `pod`, as Prometheus' endpoints discovery does. Not-ready addresses are left out:
/// a starting worker has no metrics worth reading yet.
public struct KubernetesEndpointsTargets: TargetProvider {
    /// The Service (and its Endpoints object) name.
    public var name: String
    /// Its namespace.
    public var namespace: String
    /// Port name to scrape; `nil` (default) scrapes every port of the endpoints.
    public var portName: String?
    /// Page path on each endpoint. Default `/metrics`.
    public var metricsPath: String
    /// `kubectl` program. Default `kubectl`, looked up in `PATH`.
    public var kubectl: String
    /// How long `kubectl` may take. Default 10 s.
    public var timeout: Duration
    private let runner: any CommandRunning

    /// Creates a provider for the endpoints `name` in `namespace`.
    public init(
        name: String, namespace: String, portName: String? = nil, metricsPath: String = "/metrics",
        kubectl: String = "kubectl", timeout: Duration = .seconds(10), runner: any CommandRunning
    ) {
        self.name = name
        self.namespace = namespace
        self.portName = portName
        self.metricsPath = metricsPath
        self.kubectl = kubectl
        self.timeout = timeout
        self.runner = runner
    }

    /// The argument vector this provider runs.
    public var arguments: [String] { [kubectl, "get", "endpoints", name, "-n", namespace, "-o", "json"] }

    /// Runs `kubectl` and parses its answer.
    /// - Throws: ``TargetDiscoveryError`` quoting `kubectl`'s standard error when it fails, or naming the field
    ///   of its output that does not parse.
    public func targets() async throws -> [ScrapeTarget] {
        let record = await runner.run(arguments, input: nil, timeout: timeout)
        guard record.exitCode == 0 else {
            let status = record.exitCode.map { "exited with status \($0)" } ?? "could not start"
            let stderr = record.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw TargetDiscoveryError(
                "`\(arguments.joined(separator: " "))` \(status): \(stderr.isEmpty ? "no error output" : stderr); check the Service name, the namespace and kubectl's access to the cluster."
            )
        }
        return try parse(Data(record.stdout.utf8))
    }

    /// Parses the JSON of one Endpoints object.
    /// - Throws: ``TargetDiscoveryError`` naming the endpoints and the malformed field.
    public func parse(_ data: Data) throws(TargetDiscoveryError) -> [ScrapeTarget] {
        let endpoints: Endpoints
        do {
            endpoints = try JSONDecoder().decode(Endpoints.self, from: data)
        } catch {
            throw TargetDiscoveryError(
                "kubectl's JSON for endpoints \(namespace)/\(name) does not parse (\(Self.describe(error))); check that kubectl talks to a Kubernetes API server."
            )
        }
        guard endpoints.kind == nil || endpoints.kind == "Endpoints" else {
            throw TargetDiscoveryError(
                "kubectl returned a \(endpoints.kind ?? "") for \(namespace)/\(name), not Endpoints; name a Service.")
        }
        var result: [ScrapeTarget] = []
        for subset in endpoints.subsets ?? [] {
            let ports = (subset.ports ?? []).filter { portName == nil || $0.name == portName }
            for address in subset.addresses ?? [] {
                for port in ports {
                    let host = address.ip.contains(":") ? "[\(address.ip)]" : address.ip
                    let instance = "\(host):\(port.port)"
                    var labels = ["namespace": address.targetRef?.namespace ?? endpoints.metadata?.namespace ?? namespace]
                    if let reference = address.targetRef, reference.kind == "Pod", let pod = reference.name {
                        labels["pod"] = pod
                    }
                    result.append(
                        ScrapeTarget(instance: instance, url: "http://\(instance)\(metricsPath)", labels: labels))
                }
            }
        }
        return result
    }

    /// `subsets.0.addresses` for a coding path (array positions as numbers).
    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? context.debugDescription : "field \(field): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// The parts of a `v1/Endpoints` object discovery reads.
    struct Endpoints: Decodable {
        struct Metadata: Decodable { var name: String?; var namespace: String? }
        struct Subset: Decodable {
            var addresses: [Address]?
            var ports: [Port]?
        }
        struct Address: Decodable {
            var ip: String
            var targetRef: Reference?
        }
        struct Reference: Decodable {
            var kind: String?
            var name: String?
            var namespace: String?
        }
        struct Port: Decodable {
            var name: String?
            var port: Int
        }
        var kind: String?
        var metadata: Metadata?
        var subsets: [Subset]?
    }
}
