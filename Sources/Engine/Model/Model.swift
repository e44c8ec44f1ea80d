/// A `llama` or `qwen2` model opened from a GGUF file: its configuration and weights, read in place from the
/// file's memory mapping.
///
/// A model is immutable and shared: several ``ModelRunner``s (each with its own KV cache and scratch buffers) can
/// run one model at once.
public final class Model: Sendable {
    /// The file the weights live in; kept open (mapped) as long as the model lives.
    public let file: GGUFFile
    /// Hyperparameters from the metadata.
    public let configuration: ModelConfiguration
    /// Token embeddings (`token_embd.weight`: vocabulary rows of embedding length).
    public let tokenEmbedding: WeightMatrix
    /// Transformer layers in order.
    public let layers: [LayerWeights]
    /// Final RMSNorm scale (`output_norm.weight`).
    public let outputNorm: WeightVector
    /// Projection to logits (`output.weight`, or `token_embd.weight` when the file ties them and has no
    /// `output.weight`).
    public let output: WeightMatrix
    /// Whether ``output`` is the token embedding matrix (tied weights, as SmolLM2 and small Qwen2 models have).
    public let tiesOutputToEmbedding: Bool

    /// Opens the GGUF file at `path`.
    ///
    /// - Throws: ``ModelError`` naming the file and the missing or misshapen tensor or metadata key.
    public convenience init(path: String) throws(ModelError) {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: path)
        } catch {
            throw ModelError(error.description)
        }
        try self.init(file: file)
    }

    /// Reads the configuration and weights of an opened file.
    ///
    /// - Throws: ``ModelError`` naming the file and the missing or misshapen tensor or metadata key.
    public init(file: GGUFFile) throws(ModelError) {
        let path = file.file.path
        do {
            let configuration = try ModelConfiguration(gguf: file.header)
            let loader = WeightLoader(file: file, configuration: configuration)
            let c = configuration
            let qLength = c.headCount * c.headDimension
            tokenEmbedding = try loader.matrix(
                "token_embd.weight", rowLength: c.embeddingLength, rows: c.vocabularySize)
            var layers: [LayerWeights] = []
            for i in 0..<c.layerCount {
                let p = "blk.\(i)."
                let bias = c.architecture.hasAttentionBiases
                layers.append(
                    LayerWeights(
                        attentionNorm: try loader.vector(p + "attn_norm.weight", length: c.embeddingLength),
                        query: try loader.matrix(p + "attn_q.weight", rowLength: c.embeddingLength, rows: qLength),
                        key: try loader.matrix(
                            p + "attn_k.weight", rowLength: c.embeddingLength, rows: c.keyValueLength),
                        value: try loader.matrix(
                            p + "attn_v.weight", rowLength: c.embeddingLength, rows: c.keyValueLength),
                        queryBias: bias ? try loader.vector(p + "attn_q.bias", length: qLength) : nil,
                        keyBias: bias ? try loader.vector(p + "attn_k.bias", length: c.keyValueLength) : nil,
                        valueBias: bias ? try loader.vector(p + "attn_v.bias", length: c.keyValueLength) : nil,
                        output: try loader.matrix(
                            p + "attn_output.weight", rowLength: qLength, rows: c.embeddingLength),
                        feedForwardNorm: try loader.vector(p + "ffn_norm.weight", length: c.embeddingLength),
                        gate: try loader.matrix(
                            p + "ffn_gate.weight", rowLength: c.embeddingLength, rows: c.feedForwardLength),
                        up: try loader.matrix(
                            p + "ffn_up.weight", rowLength: c.embeddingLength, rows: c.feedForwardLength),
                        down: try loader.matrix(
                            p + "ffn_down.weight", rowLength: c.feedForwardLength, rows: c.embeddingLength)))
            }
            self.layers = layers
            outputNorm = try loader.vector("output_norm.weight", length: c.embeddingLength)
            if file.header.tensor(named: "output.weight") != nil {
                output = try loader.matrix("output.weight", rowLength: c.embeddingLength, rows: c.vocabularySize)
                tiesOutputToEmbedding = false
            } else {
                output = tokenEmbedding
                tiesOutputToEmbedding = true
            }
            self.configuration = configuration
            self.file = file
        } catch {
            throw ModelError("\(path): \(error.description)")
        }
    }
}

/// Looks up tensors by name and checks their shape and type, naming the tensor in every error.
struct WeightLoader {
    let file: GGUFFile
    let configuration: ModelConfiguration

    func matrix(_ name: String, rowLength: Int, rows: Int) throws(ModelError) -> WeightMatrix {
        guard let info = file.header.tensor(named: name) else {
            throw ModelError(
                "The tensor `\(name)` is missing; a \(configuration.architecture) model with "
                    + "\(configuration.layerCount) layers needs it (shape [\(rowLength), \(rows)]).")
        }
        guard info.shape == [rowLength, rows] else {
            throw ModelError(
                "The tensor `\(name)` has shape \(info.shape); the metadata implies [\(rowLength), \(rows)].")
        }
        guard Kernels.activationType(for: info.type) != nil else {
            throw ModelError(
                "The tensor `\(name)` is \(info.type); the engine multiplies F32, F16, Q4_0, Q4_1 and Q8_0 weights. "
                    + "Requantize the file with `ballast quantize`.")
        }
        let matrix = WeightMatrix(
            name: name, type: info.type, rowLength: rowLength, rowCount: rows, data: try bytes(of: info)
        ).packingRows()
        // The kernels read the packed copy from now on; the embedding lookup reads back the few rows it needs.
        if matrix.packed != nil { file.file.releasePages(of: matrix.data) }
        return matrix
    }

    /// The tensor's bytes in the mapping; the file's own error (naming the tensor and its offset) when they do not fit.
    func bytes(of info: GGUFTensorInfo) throws(ModelError) -> UnsafeRawBufferPointer {
        do {
            return try file.data(of: info)
        } catch {
            throw ModelError(error.description)
        }
    }

    func vector(_ name: String, length: Int) throws(ModelError) -> WeightVector {
        guard let info = file.header.tensor(named: name) else {
            throw ModelError(
                "The tensor `\(name)` is missing; a \(configuration.architecture) model needs it (\(length) F32 "
                    + "values).")
        }
        guard info.shape == [length] else {
            throw ModelError("The tensor `\(name)` has shape \(info.shape); the metadata implies [\(length)].")
        }
        guard info.type == .f32 else {
            throw ModelError("The tensor `\(name)` is \(info.type); norm weights and biases must be F32.")
        }
        let data = try bytes(of: info)
        guard let base = data.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else {
            throw ModelError("The tensor `\(name)` is not 4-byte aligned in the file; rewrite it with alignment 32.")
        }
        return WeightVector(
            name: name,
            values: UnsafeBufferPointer(start: base.bindMemory(to: Float.self, capacity: length), count: length))
    }
}
