import Engine
import Synchronization

/// Makes a share of generation requests fail or slow down, so rollbacks and alerts can be shown with a real
/// process. Off by default.
public final class FaultInjection: Sendable {
    /// Share of generation requests answered with HTTP 500, 0...1 (default 0).
    public let failureRate: Double
    /// Delay added before every generation request is handled (default zero).
    public let latency: Duration
    private let random: Mutex<SamplingRandom>

    /// Faults at `failureRate` with `latency`, drawn from a generator seeded with `seed` so a run can be repeated.
    ///
    /// - Throws: ``WorkerConfigurationError`` when the rate is outside 0...1 or the latency is negative.
    public init(failureRate: Double = 0, latency: Duration = .zero, seed: UInt64 = 0x0BA1_1A57) throws(WorkerConfigurationError) {
        guard failureRate.isFinite, (0...1).contains(failureRate) else {
            throw WorkerConfigurationError(
                "The fault rate (\(failureRate)) must be between 0 and 1; 0.05 fails one request in twenty.")
        }
        guard latency >= .zero else {
            throw WorkerConfigurationError("The fault latency (\(latency)) must not be negative; try 250ms.")
        }
        self.failureRate = failureRate
        self.latency = latency
        random = Mutex(SamplingRandom(seed: seed))
    }

    /// No faults.
    public static let none = FaultInjection(uncheckedRate: 0)

    private init(uncheckedRate: Double) {
        failureRate = uncheckedRate
        latency = .zero
        random = Mutex(SamplingRandom(seed: 0))
    }

    /// Whether the next request fails.
    public func drawFailure() -> Bool {
        guard failureRate > 0 else { return false }
        let draw = random.withLock { Double($0.nextUnitFloat()) }
        return draw < failureRate
    }
}
