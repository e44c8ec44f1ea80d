/// The weights of one transformer layer (`blk.N.*` tensors).
public struct LayerWeights: Sendable {
    /// RMSNorm scale before attention (`attn_norm.weight`, embedding length).
    public let attentionNorm: WeightVector
    /// Query projection (`attn_q.weight`: embedding → heads · head size).
    public let query: WeightMatrix
    /// Key projection (`attn_k.weight`: embedding → KV heads · head size).
    public let key: WeightMatrix
    /// Value projection (`attn_v.weight`: embedding → KV heads · head size).
    public let value: WeightMatrix
    /// Query bias (Qwen2 only, `attn_q.bias`).
    public let queryBias: WeightVector?
    /// Key bias (Qwen2 only, `attn_k.bias`).
    public let keyBias: WeightVector?
    /// Value bias (Qwen2 only, `attn_v.bias`).
    public let valueBias: WeightVector?
    /// Attention output projection (`attn_output.weight`: heads · head size → embedding).
    public let output: WeightMatrix
    /// RMSNorm scale before the feed-forward network (`ffn_norm.weight`).
    public let feedForwardNorm: WeightVector
    /// SwiGLU gate projection (`ffn_gate.weight`: embedding → feed-forward length).
    public let gate: WeightMatrix
    /// SwiGLU up projection (`ffn_up.weight`: embedding → feed-forward length).
    public let up: WeightMatrix
    /// SwiGLU down projection (`ffn_down.weight`: feed-forward length → embedding).
    public let down: WeightMatrix
}
