import Synchronization

/// Requests in flight per backend (`host:port`), shared by the front door's request handlers; choosing a backend
/// and counting the request on it happen under one lock, so concurrent requests spread out.
final class InFlightCounter: Sendable {
    private struct State {
        var counts: [String: Int] = [:]
        var rotation = 0
    }

    private let state = Mutex(State())

    /// Picks the least-loaded of `instances` not in `excluded` and counts a request on it; `nil` when none is left.
    func reserve(among instances: [String], excluding excluded: Set<Int>) -> Int? {
        state.withLock { state in
            let loads = instances.map { state.counts[$0] ?? 0 }
            guard let index = LeastLoadedChoice.choose(inFlight: loads, excluding: excluded, rotation: state.rotation)
            else { return nil }
            state.rotation &+= 1
            state.counts[instances[index], default: 0] += 1
            return index
        }
    }

    /// Counts one request on `instance` as finished.
    func release(_ instance: String) {
        state.withLock { state in
            let left = (state.counts[instance] ?? 1) - 1
            state.counts[instance] = left > 0 ? left : nil
        }
    }

    /// Requests in flight on `instance`.
    func count(_ instance: String) -> Int {
        state.withLock { $0.counts[instance] ?? 0 }
    }
}
