import BallastCore
import Yams

extension PolicyDecoder {
    func readBehavior(_ node: Node) -> ScalingBehavior? {
        guard let map = mapping(node, path: "spec.behavior", example: "scaleDown: {stabilizationWindow: 300s}") else {
            return nil
        }
        defer { finish(map, allowed: ["scaleUp", "scaleDown", "tolerance", "panic", "startupGrace"]) }
        let defaults = ScalingBehavior()
        let scaleUp =
            map.value("scaleUp").map { readScalingRules($0, field: map.path("scaleUp"), defaults: .defaultScaleUp) }
            ?? defaults.scaleUp
        let scaleDown =
            map.value("scaleDown").map {
                readScalingRules($0, field: map.path("scaleDown"), defaults: .defaultScaleDown)
            } ?? defaults.scaleDown
        var tolerance =
            map.has("tolerance")
            ? double(map, "tolerance", example: "0.1", range: 0...Double.greatestFiniteMagnitude) : defaults.tolerance
        // The formula ignores ratios within 1 ± tolerance; from 1 on, no ratio is below 1 - tolerance.
        if let value = tolerance, value >= 1 {
            report(
                map.value("tolerance"), field: map.path("tolerance"),
                "\(map.path("tolerance")) (\(format(value))) must be below 1: the replica formula ignores ratios within 1 ± tolerance, so at 1 or more the fleet would never scale down; write 0.1, Kubernetes' default, or another fraction below 1."
            )
            tolerance = nil
        }
        var panic: PanicSettings?? = .some(defaults.panic)
        if let panicNode = required(map, "panic", example: nil) {
            panic = readPanic(panicNode, field: map.path("panic"))
        }
        let startupGrace =
            map.has("startupGrace") ? duration(map, "startupGrace", example: "10m") : defaults.startupGrace
        guard let scaleUp, let scaleDown, let tolerance, let panic, let startupGrace else { return nil }
        return ScalingBehavior(
            scaleUp: scaleUp, scaleDown: scaleDown, tolerance: tolerance, panic: panic, startupGrace: startupGrace)
    }

    /// `.some(nil)` for `panic: false`, `.none` after a reported problem.
    private func readPanic(_ node: Node, field: String) -> PanicSettings?? {
        if case .scalar = node {
            guard let enabled = bool(node, field: field) else { return .none }
            return .some(enabled ? PanicSettings() : nil)
        }
        guard let map = mapping(node, path: field, example: "window: 6s") else { return .none }
        defer { finish(map, allowed: ["window", "threshold", "hold"]) }
        let defaults = PanicSettings()
        let window = map.has("window") ? duration(map, "window", example: "6s") : defaults.window
        var threshold =
            map.has("threshold")
            ? double(map, "threshold", example: "2.0", range: 0...Double.greatestFiniteMagnitude) : defaults.threshold
        // Knative bounds its panic-threshold-percentage to 110–1000 %: at 100 % or less panic would start
        // whenever the fleet is merely busy, and past 1000 % a burst would have to be ten times the fleet.
        if let value = threshold, value < 1.1 || value > 10 {
            report(
                map.value("threshold"), field: map.path("threshold"),
                "\(map.path("threshold")) (\(format(value))) must be from 1.1 to 10, Knative's bounds: panic starts when short-window demand reaches threshold × ready replicas, so \(value < 1.1 ? "below 1.1 it would start whenever the fleet is merely busy" : "above 10 a burst would have to exceed ten times the ready fleet before panic helped"); write 2.0, the default."
            )
            threshold = nil
        }
        let hold = map.has("hold") ? duration(map, "hold", example: "60s") : defaults.hold
        guard let window, let threshold, let hold else { return .none }
        if window <= .zero {
            report(
                map.value("window"), field: map.path("window"),
                "\(map.path("window")) must be longer than 0s; write for example 6s.")
            return .none
        }
        return .some(PanicSettings(window: window, threshold: threshold, hold: hold))
    }

    private func readScalingRules(_ node: Node, field: String, defaults: ScalingRules) -> ScalingRules? {
        guard let map = mapping(node, path: field, example: "stabilizationWindow: 300s") else { return nil }
        defer { finish(map, allowed: ["stabilizationWindow", "policies", "selectPolicy"]) }
        var window =
            map.has("stabilizationWindow")
            ? duration(map, "stabilizationWindow", example: "300s") : defaults.stabilizationWindow
        // Kubernetes caps the stabilisation window at one hour.
        if let value = window, value > .seconds(3600) {
            report(
                map.value("stabilizationWindow"), field: map.path("stabilizationWindow"),
                "\(map.path("stabilizationWindow")) (\(DurationText.format(value))) is above Kubernetes' limit of 1h; write 1h or less."
            )
            window = nil
        }
        var select: SelectPolicy? = defaults.selectPolicy
        if let selectNode = required(map, "selectPolicy", example: nil) {
            select = choice(selectNode, field: map.path("selectPolicy"), as: SelectPolicy.self)
        }
        var policies: [ScalingPolicy]? = defaults.policies
        if let policiesNode = required(map, "policies", example: nil) {
            // With `selectPolicy: Disabled` no policy is consulted, so an empty list says the same thing.
            // An unreadable selectPolicy is reported already; the list is not blamed for it.
            policies = readScalingPolicies(
                policiesNode, field: map.path("policies"), defaults: defaults,
                emptyAllowed: select != .max && select != .min)
        }
        guard let window, let policies, let select else { return nil }
        return ScalingRules(stabilizationWindow: window, policies: policies, selectPolicy: select)
    }

    private func readScalingPolicies(_ node: Node, field: String, defaults: ScalingRules, emptyAllowed: Bool)
        -> [ScalingPolicy]?
    {
        guard case .sequence(let items) = node else {
            report(
                node, field: field,
                "\(field) must be a list such as `[{type: Pods, value: 4, period: 15s}]`, not \(node.shapeDescription)."
            )
            return nil
        }
        if items.isEmpty {
            if emptyAllowed { return [] }
            let direction = defaults == .defaultScaleUp ? "up" : "down"
            let kubernetes = defaults.policies.map(Self.describe).joined(separator: " or ")
            report(
                node, field: field,
                "\(field) is empty, so the fleet would never scale \(direction); remove `policies` to keep Kubernetes' default (\(kubernetes)), list at least one such as `{type: Pods, value: 4, period: 15s}`, or write `selectPolicy: Disabled` to turn scaling \(direction) off."
            )
            return nil
        }
        var policies: [ScalingPolicy] = []
        var failed = false
        for (index, item) in items.enumerated() {
            let path = "\(field)[\(index)]"
            guard let map = mapping(item, path: path, example: "type: Pods") else {
                failed = true
                continue
            }
            defer { finish(map, allowed: ["type", "value", "period"]) }
            var type: ScalingPolicy.Kind?
            if let typeNode = required(map, "type", example: "type: Pods") {
                type = choice(typeNode, field: map.path("type"), as: ScalingPolicy.Kind.self)
            }
            let value = int(map, "value", example: 4, range: 1...100_000, required: true)
            var period: Duration?
            if let periodNode = required(map, "period", example: "period: 15s") {
                period = duration(periodNode, field: map.path("period"), example: "15s")
                // Kubernetes accepts periods from 1 s to 1800 s.
                if let value = period, value < .seconds(1) || value > .seconds(1800) {
                    report(
                        periodNode, field: map.path("period"),
                        "\(map.path("period")) (\(DurationText.format(value))) must be between 1s and 30m, Kubernetes' limits."
                    )
                    period = nil
                }
            }
            guard let type, let value, let period else {
                failed = true
                continue
            }
            policies.append(ScalingPolicy(type: type, value: value, period: period))
        }
        return failed ? nil : policies
    }

    /// `100 % per 15s`, `4 pods per 15s`: a rate policy in words.
    private static func describe(_ policy: ScalingPolicy) -> String {
        let amount = policy.type == .pods ? "\(policy.value) pods" : "\(policy.value) %"
        return "\(amount) per \(DurationText.format(policy.period))"
    }

    func readRollout(_ node: Node) -> RolloutSettings? {
        guard let map = mapping(node, path: "spec.rollout", example: "steps: [5, 25, 50, 100]") else { return nil }
        defer { finish(map, allowed: ["steps", "interval", "total", "analysis"]) }
        let defaults = RolloutSettings()
        var steps: [Int]? = defaults.steps
        if let stepsNode = required(map, "steps", example: nil) {
            steps = readSteps(stepsNode, field: map.path("steps"))
        }
        var interval: Duration? = defaults.interval
        if map.has("interval"), map.has("total") {
            report(
                map.value("total"), field: map.path("total"),
                "spec.rollout has both interval and total; keep one (total is spread evenly over the steps before 100)."
            )
            interval = nil
        } else if map.has("interval") {
            interval = duration(map, "interval", example: "16h")
        } else if map.has("total"), let total = duration(map, "total", example: "48h") {
            let waits = max(1, (steps ?? defaults.steps).filter { $0 < 100 }.count)
            interval = .milliseconds(DurationText.milliseconds(total) / Int64(waits))
        } else if map.has("total") {
            interval = nil
        }
        if let value = interval, value <= .zero {
            if map.has("total") {
                // A total shorter than a millisecond per step rounds each step's wait to nothing.
                let waits = max(1, (steps ?? defaults.steps).filter { $0 < 100 }.count)
                report(
                    map.value("total"), field: map.path("total"),
                    "\(map.path("total")) leaves no time between steps (\(waits) wait\(waits == 1 ? "" : "s") before 100); write a total of at least \(waits)ms, such as 48h."
                )
            } else {
                report(
                    map.value("interval"), field: map.path("interval"),
                    "\(map.path("interval")) must be longer than 0s; write for example 16h.")
            }
            interval = nil
        }
        var analysis: RolloutAnalysis? = defaults.analysis
        if let analysisNode = required(map, "analysis", example: nil) {
            analysis = readAnalysis(analysisNode, field: map.path("analysis"))
        }
        guard let steps, let interval, let analysis else { return nil }
        return RolloutSettings(steps: steps, interval: interval, analysis: analysis)
    }

    private func readSteps(_ node: Node, field: String) -> [Int]? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            report(
                node, field: field,
                "\(field) must be a list of traffic percentages such as `[5, 25, 50, 100]`, not \(node.shapeDescription)."
            )
            return nil
        }
        var steps: [Int] = []
        for (index, item) in items.enumerated() {
            guard let raw = text(item, field: "\(field)[\(index)]", example: "25") else { return nil }
            let trimmed = Spelling.trimmed(raw)
            let number = trimmed.hasSuffix("%") ? Spelling.trimmed(trimmed.dropLast()) : trimmed
            guard let value = Int(number) else {
                report(item, field: field, "\(field) holds `\(raw)`; steps are whole percentages such as 25.")
                return nil
            }
            guard (1...100).contains(value) else {
                report(item, field: field, "\(field) holds \(value); every step is a percentage from 1 to 100.")
                return nil
            }
            if steps.contains(value) {
                report(item, field: field, "\(field) lists \(value) twice; list each percentage once, smallest first.")
                return nil
            }
            if let previous = steps.last, value < previous {
                report(
                    item, field: field,
                    "\(field) is not ascending (\(value) follows \(previous)); list each percentage once, smallest first."
                )
                return nil
            }
            steps.append(value)
        }
        if steps.last != 100 {
            report(node, field: field, "\(field) ends at \(steps.last ?? 0), not 100; add 100 as the last step.")
            return nil
        }
        return steps
    }

    private func readAnalysis(_ node: Node, field: String) -> RolloutAnalysis? {
        guard let map = mapping(node, path: field, example: "maxErrorRate: 0.01") else { return nil }
        defer { finish(map, allowed: ["maxErrorRate", "maxP95", "maxKL"]) }
        let defaults = RolloutAnalysis()
        let errorRate =
            map.has("maxErrorRate")
            ? double(map, "maxErrorRate", example: "0.01", range: 0...1) : defaults.maxErrorRate
        var p95: Duration? = defaults.maxP95
        if let p95Node = required(map, "maxP95", example: nil) {
            p95 = duration(p95Node, field: map.path("maxP95"), example: "1s")
            if let value = p95, value <= .zero {
                report(
                    p95Node, field: map.path("maxP95"),
                    "\(map.path("maxP95")) must be longer than 0s: no request finishes in no time, so every canary would fail; write the slowest P95 latency to accept, such as 1s."
                )
                p95 = nil
            }
        }
        let kl = map.has("maxKL") ? double(map, "maxKL", example: "0.05", range: 0...1000) : defaults.maxKL
        guard let errorRate, let p95, let kl else { return nil }
        return RolloutAnalysis(maxErrorRate: errorRate, maxP95: p95, maxKL: kl)
    }

    func readDeployment(_ node: Node) -> DeploymentSettings? {
        guard let map = mapping(node, path: "spec.deployment", example: "namespace: default") else { return nil }
        let fields = [
            "namespace", "image", "args", "port", "gpusPerReplica", "cpu", "memory", "cpuUtilizationTarget",
            "gpuUtilizationMetric", "gpuUtilizationTarget", "keda",
        ]
        defer { finish(map, allowed: fields) }
        let defaults = DeploymentSettings()
        var failed = false
        func take<T>(_ key: String, _ fallback: T, _ read: () -> T?) -> T {
            guard map.has(key) else { return fallback }
            guard let value = read() else {
                failed = true
                return fallback
            }
            return value
        }
        var settings = defaults
        settings.namespace = take("namespace", defaults.namespace) { string(map, "namespace", example: "default") }
        if map.has("namespace"), !Self.isKubernetesName(settings.namespace) {
            report(
                map.value("namespace"), field: map.path("namespace"),
                "\(map.path("namespace")) (`\(settings.namespace)`) must be a Kubernetes name: lowercase letters, digits and '-'."
            )
            failed = true
        }
        settings.image = take("image", defaults.image) { string(map, "image", example: "ballast/worker:latest") }
        if map.has("args") {
            if let node = map.value("args"),
                let args = stringList(node, field: map.path("args"), example: "[--threads, \"4\"]")
            {
                settings.args = args
            } else {
                failed = true
            }
        }
        settings.port = take("port", defaults.port) { int(map, "port", example: 8080, range: 1...65535) }
        settings.gpusPerReplica = take("gpusPerReplica", defaults.gpusPerReplica) {
            int(map, "gpusPerReplica", example: 1, range: 0...64)
        }
        settings.cpu = take("cpu", defaults.cpu) { quantity(map, "cpu", example: "2") }
        settings.memory = take("memory", defaults.memory) { quantity(map, "memory", example: "4Gi") }
        settings.cpuUtilizationTarget = take("cpuUtilizationTarget", defaults.cpuUtilizationTarget) {
            int(map, "cpuUtilizationTarget", example: 70, range: 1...100)
        }
        if map.has("gpuUtilizationMetric") {
            if let metric = string(map, "gpuUtilizationMetric", example: "DCGM_FI_DEV_GPU_UTIL") {
                if Self.isMetricName(metric) {
                    settings.gpuUtilizationMetric = metric
                } else {
                    report(
                        map.value("gpuUtilizationMetric"), field: map.path("gpuUtilizationMetric"),
                        "\(map.path("gpuUtilizationMetric")) (`\(metric)`) is not a metric name; write a name such as DCGM_FI_DEV_GPU_UTIL (letters, digits, '_' and ':')."
                    )
                    failed = true
                }
            } else {
                failed = true
            }
        }
        settings.gpuUtilizationTarget = take("gpuUtilizationTarget", defaults.gpuUtilizationTarget) {
            int(map, "gpuUtilizationTarget", example: 70, range: 1...100)
        }
        settings.keda = take("keda", defaults.keda) { bool(map, "keda") }
        return failed ? nil : settings
    }

    /// A Kubernetes resource quantity such as `2`, `500m`, `4Gi` or `1.5`; anything else fails at `kubectl apply`.
    private func quantity(_ map: FieldMap, _ key: String, example: String) -> String? {
        guard let value = string(map, key, example: example) else { return nil }
        guard Self.isQuantity(Spelling.trimmed(value)) else {
            report(
                map.value(key), field: map.path(key),
                "\(map.path(key)) (`\(value)`) is not a Kubernetes quantity; write a number with an optional suffix such as 2, 500m (CPU) or 4Gi (memory)."
            )
            return nil
        }
        return Spelling.trimmed(value)
    }

    static func isQuantity(_ text: String) -> Bool {
        let suffixes = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E", ""]
        for suffix in suffixes where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            let digits = number.filter { $0 != "." }
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                number.filter({ $0 == "." }).count <= 1
            {
                return true
            }
        }
        return false
    }

    static func isMetricName(_ text: String) -> Bool {
        guard let first = text.first, first == "_" || first == ":" || (first.isASCII && first.isLetter) else {
            return false
        }
        return text.allSatisfy { $0 == "_" || $0 == ":" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
