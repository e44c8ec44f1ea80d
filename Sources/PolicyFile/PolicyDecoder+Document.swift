import BallastCore
import Yams

extension PolicyDecoder {
    static let apiVersion = "ballast/v1"
    static let kind = "Policy"

    /// Decodes a whole file; `nil` when any problem was found (see ``problems``).
    func decode(root: Node?) -> PolicyDocument? {
        guard let root, !root.isNull else {
            problems.append(
                PolicyProblem(
                    location: SourceLocation(file: file, line: 0), field: "",
                    message:
                        "the file is empty; a policy starts with `apiVersion: \(Self.apiVersion)` and `kind: \(Self.kind)`."
                ))
            return nil
        }
        guard let top = mapping(root, path: "", example: "apiVersion: \(Self.apiVersion)") else { return nil }
        readHeader(top)
        let name = readMetadata(top)
        let policy = readSpec(top, name: name ?? "")
        finish(top, allowed: ["apiVersion", "kind", "metadata", "spec"])
        guard problems.isEmpty, let policy else { return nil }
        return PolicyDocument(
            policy: policy, file: file, signalLocations: signalLocations, ruleLocations: ruleLocations,
            signalUnits: signalUnits)
    }

    private func readHeader(_ top: FieldMap) {
        if let node = required(top, "apiVersion", example: "apiVersion: \(Self.apiVersion)"),
            let value = text(node, field: "apiVersion", example: Self.apiVersion), value != Self.apiVersion
        {
            report(
                node, field: "apiVersion",
                "apiVersion (`\(value)`) is not supported; write `apiVersion: \(Self.apiVersion)`.")
        }
        if let node = required(top, "kind", example: "kind: \(Self.kind)"),
            let value = text(node, field: "kind", example: Self.kind), value != Self.kind
        {
            report(node, field: "kind", "kind (`\(value)`) is not supported; write `kind: \(Self.kind)`.")
        }
    }

    private func readMetadata(_ top: FieldMap) -> String? {
        guard let node = required(top, "metadata", example: "metadata: {name: my-model}") else { return nil }
        guard let metadata = mapping(node, path: "metadata", example: "name: my-model") else { return nil }
        defer { finish(metadata, allowed: ["name"]) }
        guard let name = string(metadata, "name", example: "my-model", required: true) else { return nil }
        guard Self.isKubernetesName(name) else {
            report(
                metadata.value("name"), field: "metadata.name",
                "metadata.name (`\(name)`) must be a Kubernetes name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters; write for example `\(Self.suggestedName(name))`."
            )
            return nil
        }
        return name
    }

    /// DNS-1123 label: the name becomes the name of rendered Kubernetes objects.
    static func isKubernetesName(_ name: String) -> Bool {
        guard (1...63).contains(name.count), let first = name.first, let last = name.last else { return false }
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return allowed && first != "-" && last != "-"
    }

    static func suggestedName(_ name: String) -> String {
        let mapped = name.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" }
        let trimmed = String(mapped).split(separator: "-").joined(separator: "-")
        return trimmed.isEmpty ? "my-model" : String(trimmed.prefix(63))
    }

    private func readSpec(_ top: FieldMap, name: String) -> Policy? {
        guard let node = required(top, "spec", example: "spec: {target: {model: my-model}}") else { return nil }
        guard let spec = mapping(node, path: "spec", example: "target: {model: my-model}") else { return nil }
        defer {
            finish(spec, allowed: ["target", "price", "signals", "rules", "behavior", "rollout", "deployment", "scrape"])
        }
        let target = readTarget(spec)
        let price = spec.value("price").flatMap(readPrice)
        hasPrice = price != nil
        var signals = spec.value("signals").map(readSignals) ?? []
        let rules = readRules(spec.value("rules"), signals: &signals)
        let behavior = spec.value("behavior").flatMap(readBehavior) ?? ScalingBehavior()
        let rollout = spec.value("rollout").flatMap(readRollout) ?? RolloutSettings()
        let deployment = spec.value("deployment").flatMap(readDeployment) ?? DeploymentSettings()
        let scrape = spec.value("scrape").map(readScrape) ?? ScrapeSettings()
        guard let target, let scrape else { return nil }
        return Policy(
            name: name, target: target, price: price, signals: signals, rules: rules, behavior: behavior,
            rollout: rollout, deployment: deployment, scrape: scrape)
    }

    private func readTarget(_ spec: FieldMap) -> Target? {
        guard let node = required(spec, "target", example: "target: {model: my-model}") else { return nil }
        guard let map = mapping(node, path: "spec.target", example: "model: my-model") else { return nil }
        defer { finish(map, allowed: ["model", "version", "engine", "minReplicas", "maxReplicas"]) }
        let model = string(map, "model", example: "my-model", required: true)
        let version = string(map, "version", example: "v1")
        var engine = MetricsEngine.ballast
        var engineRead = true
        if let node = required(map, "engine", example: nil) {
            if let value = choice(node, field: "spec.target.engine", as: MetricsEngine.self) {
                engine = value
                // Signals resolve placeholders for this engine even when another target field is wrong.
                self.engine = value
            } else {
                engineRead = false
            }
        }
        let minReplicas = int(map, "minReplicas", example: 1, range: 0...100_000)
        let maxReplicas = int(map, "maxReplicas", example: 10, range: 1...100_000)
        let defaults = Target(model: "")
        if let low = minReplicas ?? (map.has("minReplicas") ? nil : defaults.minReplicas),
            let high = maxReplicas ?? (map.has("maxReplicas") ? nil : defaults.maxReplicas), low > high
        {
            report(
                map.value("minReplicas") ?? map.value("maxReplicas") ?? map.node, field: "spec.target.minReplicas",
                "spec.target.minReplicas (\(low)) is above maxReplicas (\(high)); lower minReplicas.")
            return nil
        }
        guard let model, engineRead, !(map.has("minReplicas") && minReplicas == nil),
            !(map.has("maxReplicas") && maxReplicas == nil), !(map.has("version") && version == nil)
        else { return nil }
        return Target(
            model: model, version: version, engine: engine,
            minReplicas: minReplicas ?? defaults.minReplicas, maxReplicas: maxReplicas ?? defaults.maxReplicas)
    }

    private func readPrice(_ node: Node) -> Price? {
        guard let map = mapping(node, path: "spec.price", example: "perReplicaHour: 4.0") else { return nil }
        defer { finish(map, allowed: ["perReplicaHour", "currency"]) }
        let amount = double(map, "perReplicaHour", example: "4.0", range: 0...1e9, required: true)
        let currency = string(map, "currency", example: "CNY", required: true)
        if let currency, !(currency.count == 3 && currency.allSatisfy { $0.isASCII && $0.isUppercase }) {
            report(
                map.value("currency"), field: "spec.price.currency",
                "spec.price.currency (`\(currency)`) must be an ISO 4217 code of three capital letters such as CNY or USD."
            )
            return nil
        }
        guard let amount, let currency else { return nil }
        return Price(perReplicaHour: amount, currency: currency)
    }
}
