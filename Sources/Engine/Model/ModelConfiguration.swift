/// The hyperparameters of a transformer, read from GGUF metadata (`{arch}.block_count` and friends).
public struct ModelConfiguration: Sendable, Equatable {
    /// The architecture (`general.architecture`).
    public var architecture: ModelArchitecture
    /// Number of transformer layers (`{arch}.block_count`).
    public var layerCount: Int
    /// Width of the residual stream in floats (`{arch}.embedding_length`).
    public var embeddingLength: Int
    /// Hidden width of the SwiGLU feed-forward network (`{arch}.feed_forward_length`).
    public var feedForwardLength: Int
    /// Query heads (`{arch}.attention.head_count`).
    public var headCount: Int
    /// Key/value heads (`{arch}.attention.head_count_kv`; defaults to ``headCount``, plain multi-head attention).
    public var keyValueHeadCount: Int
    /// RoPE base frequency (`{arch}.rope.freq_base`; default 10 000, the original RoPE paper's value).
    public var ropeFrequencyBase: Float
    /// Leading dimensions of each head that RoPE rotates (`{arch}.rope.dimension_count`; default ``headDimension``).
    public var ropeDimensionCount: Int
    /// Epsilon added under the RMSNorm square root (`{arch}.attention.layer_norm_rms_epsilon`; default 1e-5).
    public var rmsNormEpsilon: Float
    /// Tokens the model was trained to attend over (`{arch}.context_length`; default 2048).
    public var contextLength: Int
    /// Vocabulary size: rows of `token_embd.weight`.
    public var vocabularySize: Int

    /// Makes a configuration; ``validate()`` checks that the numbers fit together.
    public init(
        architecture: ModelArchitecture, layerCount: Int, embeddingLength: Int, feedForwardLength: Int,
        headCount: Int, keyValueHeadCount: Int, ropeFrequencyBase: Float = 10_000, ropeDimensionCount: Int? = nil,
        rmsNormEpsilon: Float = 1e-5, contextLength: Int = 2048, vocabularySize: Int
    ) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.embeddingLength = embeddingLength
        self.feedForwardLength = feedForwardLength
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount
        self.ropeFrequencyBase = ropeFrequencyBase
        self.ropeDimensionCount = ropeDimensionCount ?? (headCount > 0 ? embeddingLength / headCount : 0)
        self.rmsNormEpsilon = rmsNormEpsilon
        self.contextLength = contextLength
        self.vocabularySize = vocabularySize
    }

    /// Floats per attention head: ``embeddingLength`` / ``headCount``.
    public var headDimension: Int { headCount > 0 ? embeddingLength / headCount : 0 }

    /// Floats of one token's keys (or values) in one layer: ``keyValueHeadCount`` · ``headDimension``.
    public var keyValueLength: Int { keyValueHeadCount * headDimension }

    /// Reads the configuration of a `llama` or `qwen2` model from `header`.
    ///
    /// - Throws: ``ModelError`` naming the metadata key that is missing or wrong, or the unsupported architecture.
    public init(gguf header: GGUFHeader) throws(ModelError) {
        guard let name = header["general.architecture"]?.string else {
            throw ModelError(
                "The GGUF metadata has no string `general.architecture`; the engine runs `llama` and `qwen2` models.")
        }
        guard let architecture = ModelArchitecture(rawValue: name) else {
            throw ModelError(
                "`general.architecture` is `\(name)`; the engine runs only "
                    + ModelArchitecture.allCases.map { "`\($0)`" }.joined(separator: " and ") + " models.")
        }
        func integer(_ key: String, default value: Int? = nil) throws(ModelError) -> Int {
            let full = "\(name).\(key)"
            guard let entry = header[full] else {
                guard let value else {
                    throw ModelError("The GGUF metadata lacks `\(full)`; a \(name) model must give it as an integer.")
                }
                return value
            }
            guard let number = entry.integer, number > 0 else {
                throw ModelError("`\(full)` is \(entry); write a positive integer.")
            }
            return number
        }
        func float(_ key: String, default value: Float) throws(ModelError) -> Float {
            let full = "\(name).\(key)"
            guard let entry = header[full] else { return value }
            guard let number = entry.number, number > 0, number.isFinite else {
                throw ModelError("`\(full)` is \(entry); write a positive number.")
            }
            return Float(number)
        }
        guard let embedding = header.tensor(named: "token_embd.weight"), embedding.shape.count == 2 else {
            throw ModelError(
                "The file has no two-dimensional tensor `token_embd.weight`; a \(name) model needs its token "
                    + "embeddings.")
        }
        let headCount = try integer("attention.head_count")
        let embeddingLength = try integer("embedding_length")
        self.init(
            architecture: architecture,
            layerCount: try integer("block_count"),
            embeddingLength: embeddingLength,
            feedForwardLength: try integer("feed_forward_length"),
            headCount: headCount,
            keyValueHeadCount: try integer("attention.head_count_kv", default: headCount),
            ropeFrequencyBase: try float("rope.freq_base", default: 10_000),
            ropeDimensionCount: try integer("rope.dimension_count", default: embeddingLength / headCount),
            rmsNormEpsilon: try float("attention.layer_norm_rms_epsilon", default: 1e-5),
            contextLength: try integer("context_length", default: 2048),
            vocabularySize: embedding.shape[1])
        try validate()
    }

    /// Checks that the shapes fit together: heads divide the embedding, KV heads divide the heads, RoPE fits a head
    /// and rows are whole numbers of 32-element quantization blocks.
    ///
    /// - Throws: ``ModelError`` naming the numbers that disagree.
    public func validate() throws(ModelError) {
        let arch = architecture.rawValue
        guard layerCount > 0, embeddingLength > 0, feedForwardLength > 0, headCount > 0, keyValueHeadCount > 0,
            vocabularySize > 0, contextLength > 0
        else {
            throw ModelError(
                "\(arch): block_count (\(layerCount)), embedding_length (\(embeddingLength)), feed_forward_length "
                    + "(\(feedForwardLength)), head counts (\(headCount), \(keyValueHeadCount)), context_length "
                    + "(\(contextLength)) and the vocabulary (\(vocabularySize)) must all be positive.")
        }
        guard embeddingLength % headCount == 0 else {
            throw ModelError(
                "\(arch).embedding_length (\(embeddingLength)) is not a multiple of \(arch).attention.head_count "
                    + "(\(headCount)); each head needs the same width.")
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw ModelError(
                "\(arch).attention.head_count (\(headCount)) is not a multiple of \(arch).attention.head_count_kv "
                    + "(\(keyValueHeadCount)); grouped-query attention shares each KV head among whole groups.")
        }
        guard ropeDimensionCount % 2 == 0, ropeDimensionCount <= headDimension else {
            throw ModelError(
                "\(arch).rope.dimension_count (\(ropeDimensionCount)) must be even and at most the head size "
                    + "(\(headDimension)).")
        }
        guard embeddingLength % 32 == 0, feedForwardLength % 32 == 0 else {
            throw ModelError(
                "\(arch).embedding_length (\(embeddingLength)) and feed_forward_length (\(feedForwardLength)) must be "
                    + "multiples of 32, the quantization block size of the activation rows.")
        }
    }
}
