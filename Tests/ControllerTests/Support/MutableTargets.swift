import BallastCore
import Controller

/// A target provider whose list (or failure) tests change between rounds.
actor MutableTargets: TargetProvider {
    private var list: [ScrapeTarget]
    private var failure: String?

    init(_ list: [ScrapeTarget]) { self.list = list }

    func set(_ list: [ScrapeTarget]) { self.list = list }
    func fail(_ message: String?) { failure = message }

    func targets() async throws -> [ScrapeTarget] {
        if let failure { throw TargetDiscoveryError(failure) }
        return list
    }
}
