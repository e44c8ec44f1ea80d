import BallastCore

/// Which ready backends may serve a request for `model`: those of the deployment serving that model; when the
/// request names none (or a model no deployment serves) and only one deployment runs, all of them.
public enum BackendChoice {
    /// The backends that may serve a request naming `model`, in their given order.
    public static func candidates(_ backends: [FrontDoorBackend], model: String?) -> [FrontDoorBackend] {
        if let model {
            let matching = backends.filter { $0.deployment.model == model }
            if !matching.isEmpty { return matching }
        }
        let deployments = Set(backends.map(\.deployment))
        return deployments.count == 1 ? backends : []
    }
}
