public import BallastCore

/// The targets of several providers together, in provider order, each URL once (the first provider naming it
/// wins, so a static entry's labels beat a discovered duplicate's).
public struct CombinedTargets: TargetProvider {
    /// The providers, asked concurrently.
    public var providers: [any TargetProvider]

    /// Creates a provider combining `providers`.
    public init(_ providers: [any TargetProvider]) {
        self.providers = providers
    }

    /// Every provider's targets; when any provider fails, throws one error listing every failure, so the scraper
    /// keeps its last good list rather than silently dropping a whole source's targets.
    public func targets() async throws -> [ScrapeTarget] {
        let results = await withTaskGroup(of: (Int, Result<[ScrapeTarget], any Error>).self) { group in
            for (index, provider) in providers.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await provider.targets()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<[ScrapeTarget], any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var failures: [String] = []
        var seen: Set<String> = []
        var combined: [ScrapeTarget] = []
        for result in results {
            switch result {
            case .success(let targets):
                for target in targets where seen.insert(target.url).inserted { combined.append(target) }
            case .failure(let error):
                failures.append("\(error)")
            }
        }
        if !failures.isEmpty { throw TargetDiscoveryError(failures.joined(separator: " ")) }
        return combined
    }
}
