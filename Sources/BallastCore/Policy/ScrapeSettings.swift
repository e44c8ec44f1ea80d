/// How the embedded scraper reads a policy's workers: a static list of targets and the scrape cadence
/// (`spec.scrape` in policy files).
///
/// Targets that the local runtime starts, or that Kubernetes endpoints discovery finds, are added to
/// ``targets`` by the controller; the static list is for workers Ballast did not start.
public struct ScrapeSettings: Hashable, Sendable {
    /// The longest default timeout, in seconds: a target slower than this is treated as down.
    public static let maximumDefaultTimeout: Duration = .seconds(10)

    /// `host:port` of every worker to scrape besides discovered ones. Default empty.
    public var targets: [String]
    /// Time between two scrapes of one target. Default 5 s: a `[1m]` rate then sees 12 samples.
    public var interval: Duration
    /// How long one scrape may take before the target counts as down. Default `min(interval, 10s)`.
    public var timeout: Duration
    /// Path of the metrics page on each target. Default `/metrics`.
    public var path: String

    /// Creates settings; `timeout` defaults to `min(interval, 10s)`.
    public init(
        targets: [String] = [], interval: Duration = .seconds(5), timeout: Duration? = nil, path: String = "/metrics"
    ) {
        self.targets = targets
        self.interval = interval
        self.timeout = timeout ?? min(interval, Self.maximumDefaultTimeout)
        self.path = path
    }

    /// The static targets as scrape targets: `http://host:port<path>`, `instance` = `host:port`.
    public var scrapeTargets: [ScrapeTarget] {
        targets.map { ScrapeTarget(instance: $0, url: "http://\($0)\(path)") }
    }
}
