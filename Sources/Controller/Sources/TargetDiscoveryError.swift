/// Target discovery failed: a `file_sd` file that cannot be read, `kubectl` that failed, an answer that does not
/// parse. `description` names the source and says what to do.
public struct TargetDiscoveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The full sentence shown to people.
    public var description: String

    /// Creates an error from a sentence.
    public init(_ description: String) {
        self.description = description
    }
}
