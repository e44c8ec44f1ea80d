public import BallastCore
public import Logging

/// Keeps one target source's failure from hiding the others: on an error it logs why (once per distinct
/// error) and answers with the last list that worked.
///
/// ``CombinedTargets`` fails as a whole when any provider fails, which is right for one source and wrong for
/// a controller that merges its own workers, static targets and `kubectl` endpoints: a cluster login that
/// expired must not stop the scraping of everything else.
public actor ResilientTargets: TargetProvider {
    private let provider: any TargetProvider
    private let logger: Logger
    private var lastGood: [ScrapeTarget] = []
    private var lastError: String?

    /// Wraps `provider`.
    public init(_ provider: any TargetProvider, logger: Logger) {
        self.provider = provider
        self.logger = logger
    }

    /// The provider's targets, or the last ones that worked when it fails now.
    public func targets() async throws -> [ScrapeTarget] {
        do {
            lastGood = try await provider.targets()
            lastError = nil
        } catch {
            let text = "\(error)"
            if text != lastError {
                logger.warning("Target discovery failed; scraping the last known targets: \(text)")
                lastError = text
            }
        }
        return lastGood
    }

    /// Why the last discovery failed; `nil` when it worked.
    public func problem() -> String? { lastError }
}
