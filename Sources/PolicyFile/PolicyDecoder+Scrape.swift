import BallastCore
import Yams

extension PolicyDecoder {
    /// Reads `spec.scrape`: `{targets: [host:port, …], interval: 5s, timeout: 2s, path: /metrics}`.
    func readScrape(_ node: Node) -> ScrapeSettings? {
        guard let map = mapping(node, path: "spec.scrape", example: "targets: [\"10.0.0.5:8080\"]") else {
            return nil
        }
        defer { finish(map, allowed: ["targets", "interval", "timeout", "path"]) }
        let defaults = ScrapeSettings()
        var targets: [String]? = []
        if let targetsNode = required(map, "targets", example: nil) {
            targets = readScrapeTargets(targetsNode, field: map.path("targets"))
        }
        var interval = map.has("interval") ? duration(map, "interval", example: "5s") : defaults.interval
        if let value = interval, value <= .zero {
            report(
                map.value("interval"), field: map.path("interval"),
                "\(map.path("interval")) must be longer than 0s; write for example 5s.")
            interval = nil
        }
        var timeout = map.has("timeout") ? duration(map, "timeout", example: "2s") : nil
        if let value = timeout, value <= .zero {
            report(
                map.value("timeout"), field: map.path("timeout"),
                "\(map.path("timeout")) must be longer than 0s; write for example 2s.")
            timeout = nil
        }
        // Prometheus refuses a scrape_timeout above scrape_interval: scrapes of one target would overlap.
        if let interval, let value = timeout, value > interval {
            report(
                map.value("timeout"), field: map.path("timeout"),
                "\(map.path("timeout")) (\(DurationText.format(value))) is longer than the interval (\(DurationText.format(interval))), so scrapes of one target would overlap; write a timeout of at most \(DurationText.format(interval))."
            )
            timeout = nil
        }
        var path: String? = defaults.path
        if map.has("path") {
            path = string(map, "path", example: "/metrics")
            if let value = path, !value.hasPrefix("/") || value.contains(where: { $0 == " " || $0 == "?" }) {
                report(
                    map.value("path"), field: map.path("path"),
                    "\(map.path("path")) (`\(value)`) must be a URL path starting with / and without spaces or a query, such as /metrics."
                )
                path = nil
            }
        }
        guard let targets, let interval, let path, !(map.has("timeout") && timeout == nil) else { return nil }
        return ScrapeSettings(targets: targets, interval: interval, timeout: timeout, path: path)
    }

    private func readScrapeTargets(_ node: Node, field: String) -> [String]? {
        guard case .sequence(let items) = node else {
            report(
                node, field: field,
                "\(field) must be a list such as `[\"10.0.0.5:8080\", \"10.0.0.6:8080\"]`, not \(node.shapeDescription)."
            )
            return nil
        }
        var targets: [String] = []
        var failed = false
        for (index, item) in items.enumerated() {
            let itemField = "\(field)[\(index)]"
            guard let value = text(item, field: itemField, example: "10.0.0.5:8080") else {
                failed = true
                continue
            }
            if let problem = Self.hostPortProblem(value) {
                report(item, field: itemField, "\(itemField) (`\(value)`) \(problem); write host:port such as 10.0.0.5:8080.")
                failed = true
            } else if targets.contains(value) {
                report(item, field: itemField, "\(itemField) (`\(value)`) is listed twice; keep one.")
                failed = true
            } else {
                targets.append(value)
            }
        }
        return failed ? nil : targets
    }

    /// Why `value` is not `host:port`, or `nil` when it is.
    static func hostPortProblem(_ value: String) -> String? {
        if value.contains("://") { return "is a URL, not host:port; drop the scheme and put the path in scrape.path" }
        guard let colon = value.lastIndex(of: ":") else { return "has no port" }
        let host = value[..<colon]
        let port = value[value.index(after: colon)...]
        if host.isEmpty { return "has no host" }
        if host.contains(where: { $0 == "/" || $0 == " " }) { return "has a host with a slash or a space" }
        guard let number = Int(port), (1...65_535).contains(number) else {
            return "has a port that is not a number from 1 to 65535"
        }
        return nil
    }
}
