import Foundation
public import BallastCore

/// Wall-clock time as the core's ``Timestamp``: the daemon's only reading of the clock.
public enum ControllerClock {
    /// Now, in milliseconds since the Unix epoch.
    public static func now() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
