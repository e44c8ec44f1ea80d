public import BallastCore

/// Where the scraper's targets come from: a policy's static list, a Prometheus `file_sd` file, the endpoints of a
/// Kubernetes Service, or several of these together.
///
/// The scraper asks again before every round; a provider that throws leaves the scraper on its last good list.
public protocol TargetProvider: Sendable {
    /// The targets to scrape now.
    /// - Throws: ``TargetDiscoveryError`` saying where discovery failed and what to fix.
    func targets() async throws -> [ScrapeTarget]
}
