public import BallastCore

/// A fixed list of targets, such as a policy's `spec.scrape.targets`.
public struct StaticTargets: TargetProvider {
    /// The targets, in order.
    public var list: [ScrapeTarget]

    /// Creates a provider answering `list`.
    public init(_ list: [ScrapeTarget]) {
        self.list = list
    }

    /// The static targets of `settings` (`http://host:port<path>`), with `labels` added to each (such as `job`).
    public init(settings: ScrapeSettings, labels: [String: String] = [:]) {
        self.list = settings.scrapeTargets.map { target in
            var target = target
            target.labels = labels
            return target
        }
    }

    /// Returns ``list``.
    public func targets() async throws -> [ScrapeTarget] { list }
}
