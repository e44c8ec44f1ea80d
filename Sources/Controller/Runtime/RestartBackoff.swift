/// How long a worker slot waits before its next start after failures: `initial`, doubling per consecutive
/// failure, at most `maximum`. A worker that becomes ready resets the count.
public struct RestartBackoff: Hashable, Sendable {
    /// Wait after the first failure. Default 1 s.
    public var initial: Duration
    /// Longest wait. Default 30 s.
    public var maximum: Duration

    /// Creates a backoff with the defaults above.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before the next start after `failures` consecutive failures; zero when there were none.
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = initial
        for _ in 1..<min(failures, 64) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
