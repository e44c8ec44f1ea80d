import Foundation

/// The replica counts of a Deployment read as JSON (`kubectl get deployment -o json`).
struct DeploymentCounts: Hashable, Sendable {
    /// `spec.replicas` (1 when unset, as Kubernetes defaults it).
    var replicas: Int
    /// `status.readyReplicas` (0 when unset).
    var ready: Int

    /// Parses the counts; `nil` when `json` is not an object with a `spec`.
    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let spec = object["spec"] as? [String: Any]
        else { return nil }
        let status = object["status"] as? [String: Any] ?? [:]
        replicas = (spec["replicas"] as? NSNumber)?.intValue ?? 1
        ready = (status["readyReplicas"] as? NSNumber)?.intValue ?? 0
    }
}
