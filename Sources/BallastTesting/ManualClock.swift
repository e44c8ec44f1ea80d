public import BallastCore

/// A clock the tests move by hand, so time-dependent decisions are exact and sleeps are never needed.
public struct ManualClock: Sendable {
    /// The current time.
    public private(set) var now: Timestamp

    /// Starts at `start`; the default is a round date (2026-01-01T00:00:00Z) so logs read well.
    public init(start: Timestamp = Timestamp(secondsSinceEpoch: 1_767_225_600)) {
        self.now = start
    }

    /// Moves the clock forward by `duration` and returns the new time.
    @discardableResult
    public mutating func advance(by duration: Duration) -> Timestamp {
        now += duration
        return now
    }
}
