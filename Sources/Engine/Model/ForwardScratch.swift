import CEngineKernels

/// The buffers one ``ModelRunner`` step works in, allocated once for the largest step so a step allocates nothing.
///
/// Float buffers hold one row per token of the step (`rows` at most), row-major.
final class ForwardScratch {
    let rows: Int
    let sequences: Int
    let threads: Int
    let pagesPerSequence: Int
    let maximumSequenceLength: Int
    /// Residual stream.
    let x: UnsafeMutableBufferPointer<Float>
    /// Normalized residual, the input of the projections.
    let normalized: UnsafeMutableBufferPointer<Float>
    let query: UnsafeMutableBufferPointer<Float>
    let key: UnsafeMutableBufferPointer<Float>
    let value: UnsafeMutableBufferPointer<Float>
    /// Attention output per row (heads · head size).
    let attention: UnsafeMutableBufferPointer<Float>
    /// Output of the attention output and down projections, added to the residual.
    let projected: UnsafeMutableBufferPointer<Float>
    let gate: UnsafeMutableBufferPointer<Float>
    let up: UnsafeMutableBufferPointer<Float>
    /// Activation rows quantized to Q8_0 and to Q8_1 (sized for the widest input), for every matmul but the
    /// down projection.
    let activations: QuantizedActivations
    /// The down projection's input, which the gate/up section quantizes while other threads still read
    /// ``activations``.
    let downActivations: QuantizedActivations
    /// Normalized last rows of each entry, then their logits.
    let finalRows: UnsafeMutableBufferPointer<Float>
    let logits: UnsafeMutableBufferPointer<Float>
    /// Attention scores, ``scoresPerThread`` floats per thread.
    let scores: UnsafeMutableBufferPointer<Float>
    /// Score floats one thread's attention needs for the longest sequence (several heads may be scored at once).
    let scoresPerThread: Int
    /// Each entry's KV pages, `pagesPerSequence` per entry.
    let pageTables: UnsafeMutableBufferPointer<Int32>
    /// Per row: token position and batch entry; per entry: its last row.
    let positions: UnsafeMutableBufferPointer<Int>
    let rowEntries: UnsafeMutableBufferPointer<Int>
    let lastRows: UnsafeMutableBufferPointer<Int>

    init(
        configuration c: ModelConfiguration, rows: Int, sequences: Int, threads: Int, maximumSequenceLength: Int,
        pagesPerSequence: Int
    ) {
        self.rows = rows
        self.sequences = sequences
        self.threads = threads
        self.pagesPerSequence = pagesPerSequence
        self.maximumSequenceLength = maximumSequenceLength
        let queryLength = c.headCount * c.headDimension
        func floats(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            buffer.initialize(repeating: 0)
            return buffer
        }
        x = floats(rows * c.embeddingLength)
        normalized = floats(rows * c.embeddingLength)
        query = floats(rows * queryLength)
        key = floats(rows * c.keyValueLength)
        value = floats(rows * c.keyValueLength)
        attention = floats(rows * queryLength)
        projected = floats(rows * c.embeddingLength)
        gate = floats(rows * c.feedForwardLength)
        up = floats(rows * c.feedForwardLength)
        let widest = max(c.embeddingLength, queryLength, c.feedForwardLength)
        let activationBytes = max(rows, sequences) * ((widest + 31) / 32) * TensorType.q8_1.blockBytes
        activations = QuantizedActivations(byteCount: activationBytes)
        downActivations = QuantizedActivations(byteCount: activationBytes)
        finalRows = floats(sequences * c.embeddingLength)
        logits = floats(sequences * c.vocabularySize)
        scoresPerThread = bk_attention_scratch_floats(
            Int32(clamping: c.headCount), Int32(clamping: c.keyValueHeadCount), Int32(clamping: maximumSequenceLength))
        scores = floats(threads * scoresPerThread)
        pageTables = .allocate(capacity: max(1, sequences * pagesPerSequence))
        pageTables.initialize(repeating: 0)
        positions = .allocate(capacity: rows)
        positions.initialize(repeating: 0)
        rowEntries = .allocate(capacity: rows)
        rowEntries.initialize(repeating: 0)
        lastRows = .allocate(capacity: sequences)
        lastRows.initialize(repeating: 0)
    }

    deinit {
        for buffer in [
            x, normalized, query, key, value, attention, projected, gate, up, finalRows, logits, scores,
        ] {
            buffer.deallocate()
        }
        pageTables.deallocate()
        positions.deallocate()
        rowEntries.deallocate()
        lastRows.deallocate()
    }
}

/// Buffers for activation rows quantized to Q8_0 and to Q8_1, the types the integer matmuls read.
final class QuantizedActivations {
    let q8_0: UnsafeMutableRawBufferPointer
    let q8_1: UnsafeMutableRawBufferPointer

    init(byteCount: Int) {
        q8_0 = .allocate(byteCount: byteCount, alignment: 64)
        q8_1 = .allocate(byteCount: byteCount, alignment: 64)
        q8_0.initializeMemory(as: UInt8.self, repeating: 0)
        q8_1.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// The buffer for `type`, or nil for types that are not quantized activations.
    func buffer(for type: TensorType) -> UnsafeMutableRawBufferPointer? {
        switch type {
        case .q8_0: q8_0
        case .q8_1: q8_1
        default: nil
        }
    }

    deinit {
        q8_0.deallocate()
        q8_1.deallocate()
    }
}
