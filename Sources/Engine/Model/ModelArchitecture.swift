/// The transformer families the engine runs, named as GGUF's `general.architecture`.
public enum ModelArchitecture: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Llama (and SmolLM2): no attention biases, "normal" RoPE over adjacent pairs.
    case llama
    /// Qwen2: biases on the Q, K and V projections, NeoX RoPE over split halves.
    case qwen2

    /// Whether RoPE pairs element i with i + n/2 (NeoX style) instead of 2i with 2i + 1.
    ///
    /// llama.cpp's `llama_model_rope_type` puts `LLM_ARCH_LLAMA` under `LLAMA_ROPE_TYPE_NORM` (the converter permutes
    /// Q and K rows so adjacent pairs reproduce Hugging Face's rotate-half) and `LLM_ARCH_QWEN2` under
    /// `LLAMA_ROPE_TYPE_NEOX` (its weights are not permuted).
    public var usesNeoXRoPE: Bool {
        switch self {
        case .llama: false
        case .qwen2: true
        }
    }

    /// Whether the Q, K and V projections carry bias vectors (`blk.N.attn_q.bias` and so on).
    public var hasAttentionBiases: Bool {
        switch self {
        case .llama: false
        case .qwen2: true
        }
    }

    /// The GGUF name, such as `llama`.
    public var description: String { rawValue }
}
