/// Names one generation request inside a worker; numbers are handed out in arrival order and never reused.
public struct RequestID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number.
    public let rawValue: UInt64

    /// Wraps a number.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Arrival order.
    public static func < (lhs: RequestID, rhs: RequestID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `request N`.
    public var description: String { "request \(rawValue)" }
}
