import BallastCore
import BallastTesting
import Store
import Testing

/// The two implementations of `StateStore` that must behave the same; behavioural tests run over both.
///
/// The in-memory store is the fake the controller's tests use, so the table keeps it honest.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case memory

    var testDescription: String { rawValue }

    /// A new, empty store; the SQLite one lives in `state.sqlite` under `directory`.
    func make(in directory: String, decisionsPerPolicy: Int = 10_000, eventsPerPolicy: Int = 10_000) throws
        -> any StateStore
    {
        switch self {
        case .sqlite:
            return try SQLiteStateStore(
                path: directory + "/state.sqlite",
                configuration: .init(decisionsPerPolicy: decisionsPerPolicy, eventsPerPolicy: eventsPerPolicy))
        case .memory:
            return InMemoryStateStore(
                configuration: .init(decisionsPerPolicy: decisionsPerPolicy, eventsPerPolicy: eventsPerPolicy))
        }
    }
}
