/// One metrics endpoint the controller scrapes, and the labels it adds to every sample from it.
///
/// Targets come from the local runtime (its own workers), from a policy's static list, from a
/// Prometheus `file_sd` JSON file, or from the endpoints behind a Kubernetes Service.
public struct ScrapeTarget: Hashable, Sendable, Codable {
    /// `host:port`; becomes the `instance` label, as in Prometheus.
    public var instance: String
    /// The full URL of the page, e.g. `http://127.0.0.1:9100/metrics`.
    public var url: String
    /// Labels added to every sample scraped from this target (`job`, `pod`, …); page labels win on conflict.
    public var labels: [String: String]

    /// Creates a target; `url` defaults to `http://<instance>/metrics`.
    public init(instance: String, url: String? = nil, labels: [String: String] = [:]) {
        self.instance = instance
        self.url = url ?? "http://\(instance)/metrics"
        self.labels = labels
    }
}

/// How one target's scrapes have gone, for `/api/v1/status` and `ballast status`.
public struct TargetHealth: Hashable, Sendable, Codable {
    /// The target.
    public var target: ScrapeTarget
    /// Whether the last scrape succeeded (the `up` series).
    public var up: Bool
    /// When the last scrape finished; `nil` before the first.
    public var lastScrape: Timestamp?
    /// How long the last scrape took, in seconds.
    public var lastDurationSeconds: Double?
    /// Samples the last successful scrape held.
    public var samples: Int
    /// Why the last scrape failed, as a sentence; `nil` when it succeeded.
    public var lastError: String?

    /// Creates a health record.
    public init(
        target: ScrapeTarget, up: Bool, lastScrape: Timestamp? = nil, lastDurationSeconds: Double? = nil,
        samples: Int = 0, lastError: String? = nil
    ) {
        self.target = target
        self.up = up
        self.lastScrape = lastScrape
        self.lastDurationSeconds = lastDurationSeconds
        self.samples = samples
        self.lastError = lastError
    }
}
