import Foundation

/// A condition that did not come true before its deadline.
public struct WaitTimeout: Error, CustomStringConvertible {
    /// A sentence naming what was awaited and for how long.
    public var description: String

    /// Creates a timeout error.
    public init(description: String) {
        self.description = description
    }
}

/// Polls `condition` every `poll` until it holds; throws ``WaitTimeout`` naming `what` after `timeout`.
///
/// The one place tests wait: for a condition, with a deadline, never for a fixed time. The condition runs on the
/// caller's actor, so an actor can wait on its own state.
public func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(30), poll: Duration = .milliseconds(20),
    isolation: isolated (any Actor)? = #isolation, _ condition: () async throws -> Bool
) async throws {
    _ = try await waitForValue(what(), timeout: timeout, poll: poll) { try await condition() ? true : nil }
}

/// Polls `produce` every `poll` until it returns a value, and returns it; throws ``WaitTimeout`` after `timeout`.
///
/// The timeout counts only time in which the process could run: when a poll wakes later than it asked, the
/// lateness is taken as time the concurrency pool was busy with other tests (on two cores, CPU-bound suites can
/// hold both of its threads for tens of seconds) and is not counted, since whatever is awaited could not make
/// progress then either. Lateness extends the wait by at most `maximumStall` in all, so every wait stays bounded.
public func waitForValue<Value>(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(30), poll: Duration = .milliseconds(20),
    maximumStall: Duration = .seconds(300), isolation: isolated (any Actor)? = #isolation,
    _ produce: () async throws -> Value?
) async throws -> Value {
    let clock = ContinuousClock()
    var budget = StallBudget(timeout: timeout, maximumStall: maximumStall, start: clock.now)
    while true {
        if let value = try await produce() { return value }
        guard budget.hasTimeLeft(at: clock.now) else { break }
        let asleep = clock.now
        try await Task.sleep(for: poll)
        budget.forgive(lateness: clock.now - asleep - poll)
    }
    throw WaitTimeout(description: "Timed out after \(timeout) waiting for \(what()).")
}

/// The deadline of ``waitForValue(_:timeout:poll:maximumStall:isolation:_:)``: `timeout` plus the lateness of
/// its wake-ups, up to `maximumStall`.
struct StallBudget {
    let timeout: Duration
    let maximumStall: Duration
    let start: ContinuousClock.Instant
    private(set) var forgiven: Duration = .zero

    init(timeout: Duration, maximumStall: Duration, start: ContinuousClock.Instant) {
        self.timeout = timeout
        self.maximumStall = maximumStall
        self.start = start
    }

    /// Adds a wake-up's lateness (ignored when it was on time) to the time not counted.
    mutating func forgive(lateness: Duration) {
        guard lateness > .zero else { return }
        forgiven = min(maximumStall, forgiven + lateness)
    }

    /// Whether the wait may go on at `now`.
    func hasTimeLeft(at now: ContinuousClock.Instant) -> Bool {
        now - start < timeout + forgiven
    }
}

/// Polls `condition` every `poll` on the calling thread until it holds or `timeout` passes; returns whether it
/// held. For synchronous clean-up (a `defer` that stops a process), where nothing can be awaited.
public func waitUntilBlocking(
    timeout: Duration, poll: Duration = .milliseconds(50), _ condition: () -> Bool
) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        guard clock.now < deadline else { return false }
        Thread.sleep(forTimeInterval: Double(poll.components.attoseconds) / 1e18 + Double(poll.components.seconds))
    }
    return true
}

/// Runs `operation` until it returns or `timeout` passes, whichever is first; returns whether it finished.
/// The operation is cancelled when the deadline wins.
public func withDeadline(_ timeout: Duration, _ operation: @escaping @Sendable () async -> Void) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await operation()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        let finished = await group.next() ?? false
        group.cancelAll()
        return finished
    }
}
