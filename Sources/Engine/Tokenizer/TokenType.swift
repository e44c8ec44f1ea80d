/// The kind of a vocabulary entry, numbered as GGUF's `tokenizer.ggml.token_type` (llama.cpp's
/// `llama_token_type`).
public enum TokenType: Int32, Sendable {
    /// An ordinary token produced by merging.
    case normal = 1
    /// The unknown-token placeholder.
    case unknown = 2
    /// A control token such as `<|im_start|>`: matched in text only when special parsing is on, not printed when
    /// decoding unless asked.
    case control = 3
    /// A token added by the model's authors, matched literally in text and printed as written.
    case userDefined = 4
    /// A reserved, unused slot.
    case unused = 5
    /// A raw byte token (`<0x0A>`), used by SentencePiece vocabularies.
    case byte = 6
}
