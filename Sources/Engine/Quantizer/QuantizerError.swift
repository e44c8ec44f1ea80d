/// Why a model file could not be requantized.
///
/// The description is a full sentence naming the tensor or option involved and what to pass instead.
public struct QuantizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming where the problem is and the fix.
    public let description: String

    /// Makes an error from a full sentence.
    public init(_ description: String) {
        self.description = description
    }
}
