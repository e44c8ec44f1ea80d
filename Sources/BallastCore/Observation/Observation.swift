/// Everything the evaluator sees at one tick: signal readings, the fleet, and its throughput.
public struct Observation: Hashable, Sendable, Codable {
    /// Readings of the policy's query signals by signal name. A signal without an entry counts as missing.
    /// Entries for cost signals are ignored: the evaluator computes those from ``throughput`` and the price.
    public var readings: [String: SignalReading]
    /// The same signals evaluated over the panic window (``PanicSettings/window``), for burst detection.
    /// A signal without an entry falls back to its ``readings`` value. Default empty.
    public var shortWindow: [String: SignalReading]
    /// Replica counts from the runtime.
    public var fleet: FleetState
    /// Fleet-wide request and token rates for cost signals.
    public var throughput: Throughput

    /// Creates an observation.
    public init(
        readings: [String: SignalReading],
        shortWindow: [String: SignalReading] = [:],
        fleet: FleetState,
        throughput: Throughput = Throughput()
    ) {
        self.readings = readings
        self.shortWindow = shortWindow
        self.fleet = fleet
        self.throughput = throughput
    }

    /// Creates an observation from plain numbers, the common case in tests and `policy explain`.
    public init(values: [String: Double], fleet: FleetState, throughput: Throughput = Throughput()) {
        self.init(readings: values.mapValues { SignalReading.value($0) }, fleet: fleet, throughput: throughput)
    }
}
