public import BallastCore
public import Foundation

/// Targets from a Prometheus `file_sd` JSON file: `[{"targets": ["host:port", …], "labels": {"job": "…"}}]`.
///
/// The file is read again only when its modification time or size changes. A file that cannot be read or
/// parsed makes ``targets()`` throw an error naming the file and the problem; ``lastGood`` keeps the targets of
/// the last file that parsed, as Prometheus keeps them. The labels `__metrics_path__` and `__scheme__` set the
/// URL; other labels starting with `__` are dropped.
public actor FileSDTargets: TargetProvider {
    /// The file, as given.
    public nonisolated let path: String
    /// Scheme when the file sets no `__scheme__`. Default `http`.
    public nonisolated let scheme: String
    /// Page path when the file sets no `__metrics_path__`. Default `/metrics`.
    public nonisolated let metricsPath: String

    /// Targets of the last file that parsed; empty before the first.
    public private(set) var lastGood: [ScrapeTarget] = []
    private var lastSignature: FileSignature?

    /// What identifies one version of the file without reading it.
    private struct FileSignature: Equatable {
        var modified: Date?
        var size: Int?
    }

    /// Creates a provider reading `path`.
    public init(path: String, scheme: String = "http", metricsPath: String = "/metrics") {
        self.path = path
        self.scheme = scheme
        self.metricsPath = metricsPath
    }

    /// The file's targets, read again when it changed.
    /// - Throws: ``TargetDiscoveryError`` when the file is missing, unreadable or malformed; ``lastGood`` is kept.
    public func targets() async throws -> [ScrapeTarget] {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            lastSignature = nil
            throw TargetDiscoveryError(
                "file_sd file \(path) cannot be read: no such file, or no permission; create it or fix the path.")
        }
        let signature = FileSignature(
            modified: attributes[.modificationDate] as? Date, size: (attributes[.size] as? NSNumber)?.intValue)
        if signature == lastSignature { return lastGood }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TargetDiscoveryError("file_sd file \(path) cannot be read; check its permissions.")
        }
        do {
            let parsed = try Self.parse(data, file: path, scheme: scheme, metricsPath: metricsPath)
            lastGood = parsed
            lastSignature = signature
            return parsed
        } catch {
            // A bad version is not remembered, so the next call reports it again until it is fixed.
            lastSignature = nil
            throw error
        }
    }

    /// Parses `file_sd` JSON; `file` names the source in errors.
    /// - Throws: ``TargetDiscoveryError`` naming the file, the group index and the field that is wrong.
    public static func parse(_ data: Data, file: String, scheme: String = "http", metricsPath: String = "/metrics")
        throws(TargetDiscoveryError) -> [ScrapeTarget]
    {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw TargetDiscoveryError(
                "file_sd file \(file) is not valid JSON (\(detail)); write a list such as [{\"targets\": [\"10.0.0.5:8080\"], \"labels\": {\"job\": \"ballast\"}}]."
            )
        }
        guard let groups = object as? [Any] else {
            throw TargetDiscoveryError(
                "file_sd file \(file) must hold a JSON list of target groups such as [{\"targets\": [\"10.0.0.5:8080\"]}], not a single value or object."
            )
        }
        var result: [ScrapeTarget] = []
        var seen: Set<String> = []
        for (index, item) in groups.enumerated() {
            guard let group = item as? [String: Any] else {
                throw TargetDiscoveryError(
                    "file_sd file \(file): group \(index) must be an object with \"targets\" and optional \"labels\".")
            }
            for key in group.keys where key != "targets" && key != "labels" {
                throw TargetDiscoveryError(
                    "file_sd file \(file): group \(index) has an unknown field \"\(key)\"; only \"targets\" and \"labels\" are allowed."
                )
            }
            guard let targets = group["targets"] as? [Any] else {
                throw TargetDiscoveryError(
                    "file_sd file \(file): group \(index) needs \"targets\", a list of \"host:port\" strings.")
            }
            var labels: [String: String] = [:]
            if let rawLabels = group["labels"] {
                guard let map = rawLabels as? [String: Any] else {
                    throw TargetDiscoveryError(
                        "file_sd file \(file): group \(index) \"labels\" must be an object of label names to strings.")
                }
                for (name, value) in map {
                    guard let text = value as? String else {
                        throw TargetDiscoveryError(
                            "file_sd file \(file): group \(index) label \"\(name)\" must be a string; quote its value.")
                    }
                    labels[name] = text
                }
            }
            let groupScheme = labels["__scheme__"] ?? scheme
            let groupPath = labels["__metrics_path__"] ?? metricsPath
            labels = labels.filter { !$0.key.hasPrefix("__") }
            for (position, entry) in targets.enumerated() {
                guard let instance = entry as? String, Self.isHostPort(instance) else {
                    throw TargetDiscoveryError(
                        "file_sd file \(file): group \(index) target \(position) (\(entry)) is not \"host:port\"; write it like \"10.0.0.5:8080\"."
                    )
                }
                let target = ScrapeTarget(
                    instance: instance, url: "\(groupScheme)://\(instance)\(groupPath)", labels: labels)
                if seen.insert(target.url).inserted { result.append(target) }
            }
        }
        return result
    }

    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
        else { return false }
        return !text.contains("/") && !text.contains(" ")
    }
}
