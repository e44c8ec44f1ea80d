/// Why a tokenizer could not be built from a vocabulary.
public struct TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming the GGUF key or entry and what it should hold.
    public let description: String
}
