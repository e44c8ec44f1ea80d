/// Why a model could not be loaded or run.
///
/// The description is a full sentence naming the metadata key, tensor or sequence involved and what to do instead.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming where the problem is and the fix.
    public let description: String

    /// Makes an error from a full sentence.
    public init(_ description: String) {
        self.description = description
    }
}
