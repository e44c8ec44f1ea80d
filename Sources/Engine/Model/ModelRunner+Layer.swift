import CEngineKernels

/// One matrix multiplication of a step: `rows` activation rows times every row of `weights`.
struct MatmulJob {
    let weights: WeightMatrix
    let activations: UnsafeRawPointer?
    let activationRowBytes: Int
    let output: UnsafeMutablePointer<Float>?
    let outputStride: Int
}

/// The quantized activation types one or more weight matrices read, so rows are quantized once per type.
struct ActivationTypes: OptionSet {
    let rawValue: UInt8
    static let q8_0 = ActivationTypes(rawValue: 1)
    static let q8_1 = ActivationTypes(rawValue: 2)
    /// Elements per quantized block, the same for both types: a row can be quantized in parts that start and end
    /// on multiples of it.
    static let blockSize = TensorType.q8_0.blockSize

    /// The types `matrices` need; float matrices need none.
    init(_ matrices: WeightMatrix...) {
        var types: ActivationTypes = []
        for matrix in matrices {
            switch matrix.activationType {
            case .q8_0: types.insert(.q8_0)
            case .q8_1: types.insert(.q8_1)
            default: break
            }
        }
        self = types
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }
}

/// Per-row work between two matmul sections. Rows are independent in each, so a step with several rows per
/// thread splits them over the threads (``ModelRunner/runRows(_:rows:)``) instead of leaving the other threads
/// waiting while one does them.
enum RowWork {
    /// Adds the last projection to the residual when `addProjected`, normalizes the residual with `norm` and
    /// quantizes it for the next section's matrices.
    case prologue(addProjected: Bool, norm: WeightVector, types: ActivationTypes)
    /// Adds the Q/K/V biases, rotates queries and keys by position and stores keys and values in layer `layer`'s
    /// KV cache.
    case positions(layer: Int)
    /// Quantizes the attention output for the output projection.
    case quantizeAttention(types: ActivationTypes)
    /// Quantizes the SwiGLU output for the down projection.
    case quantizeGate(types: ActivationTypes)
}

extension ModelRunner {
    /// Runs layer `layer` over the first `rows` rows of the residual stream. When `residualPending`, the previous
    /// layer's down projection is still to be added to the residual; this layer adds it as it normalizes, and
    /// leaves its own down projection pending for the next layer or the logits.
    func runLayer(_ layer: Int, rows: Int, residualPending: Bool, rowsAreSequences: Bool) {
        let c = model.configuration
        let w = model.layers[layer]
        let s = scratch
        let dim = c.embeddingLength
        let queryLength = c.headCount * c.headDimension
        let kvLength = c.keyValueLength
        let split = splitsRows(rows)

        // Attention block: norm, Q/K/V from one quantization of the normalized rows.
        runRows(
            .prologue(
                addProjected: residualPending, norm: w.attentionNorm, types: ActivationTypes(w.query, w.key, w.value)),
            rows: rows)
        parallelMatmul(
            job(w.query, input: s.normalized, length: dim, output: s.query, stride: queryLength),
            job(w.key, input: s.normalized, length: dim, output: s.key, stride: kvLength),
            job(w.value, input: s.normalized, length: dim, output: s.value, stride: kvLength), rows: rows)
        // A row may attend to keys another row of its sequence stores in this step, so positions are stored in a
        // section of their own unless every row is a sequence of its own.
        let positionsInAttention = split && rowsAreSequences
        if !positionsInAttention { runRows(.positions(layer: layer), rows: rows) }
        let outputTypes = ActivationTypes(w.output)
        parallelAttention(
            rows: rows, layer: layer, positions: positionsInAttention, quantize: split ? outputTypes : [])
        if !split { runRows(.quantizeAttention(types: outputTypes), rows: rows) }
        parallelMatmul(
            job(w.output, input: s.attention, length: queryLength, output: s.projected, stride: dim), rows: rows)

        // Feed-forward block: residual and norm, gate and up from one quantization, SwiGLU, down.
        runRows(
            .prologue(addProjected: true, norm: w.feedForwardNorm, types: ActivationTypes(w.gate, w.up)), rows: rows)
        let ff = c.feedForwardLength
        let downTypes = ActivationTypes(w.down)
        let quantized = parallelGateUp(
            gate: job(w.gate, input: s.normalized, length: dim, output: s.gate, stride: ff),
            up: job(w.up, input: s.normalized, length: dim, output: s.up, stride: ff), rows: rows,
            quantizeFor: downTypes)
        if !quantized { runRows(.quantizeGate(types: downTypes), rows: rows) }
        parallelMatmul(
            job(w.down, input: s.gate, length: ff, output: s.projected, stride: dim, from: s.downActivations),
            rows: rows)
    }

    /// Adds the last layer's pending down projection to each entry's last row, then the final norm of those rows
    /// and the logits over the vocabulary.
    func computeLogits(entries: Int) {
        let c = model.configuration
        let s = scratch
        let dim = c.embeddingLength
        guard let x = s.x.baseAddress, let p = s.projected.baseAddress, let y = s.finalRows.baseAddress else { return }
        let isa = configuration.kernels.instructionSet.cValue
        for e in 0..<entries {
            let row = x + s.lastRows[e] * dim
            addInPlace(row, p + s.lastRows[e] * dim, count: dim)
            bk_rmsnorm(isa, row, model.outputNorm.values.baseAddress, y + e * dim, Int32(dim), c.rmsNormEpsilon)
        }
        let types = ActivationTypes(model.output)
        for e in 0..<entries { quantize(row: e, of: y, length: dim, columns: 0..<dim, types: types) }
        parallelMatmul(
            job(model.output, input: s.finalRows, length: dim, output: s.logits, stride: c.vocabularySize),
            rows: entries)
    }

    /// Whether a step of `rows` rows gives every thread at least two: then per-row work is split over the
    /// threads, and attention gives each thread whole rows.
    func splitsRows(_ rows: Int) -> Bool { rows >= 2 * threads.count }

    /// Does `work` for every row of `0..<rows`: split over the threads when ``splitsRows(_:)``, else on this
    /// thread, where a handoff to the others would cost more than the work.
    func runRows(_ work: RowWork, rows: Int) {
        if splitsRows(rows) {
            parallelRows(work, rows: rows)
        } else {
            for row in 0..<rows { perform(work, row: row) }
        }
    }

    /// Does `work` for row `row`.
    func perform(_ work: RowWork, row r: Int) {
        let c = model.configuration
        let s = scratch
        switch work {
        case .prologue(let addProjected, let norm, let types):
            let dim = c.embeddingLength
            guard let x = s.x.baseAddress, let p = s.projected.baseAddress, let y = s.normalized.baseAddress
            else { return }
            if addProjected { addInPlace(x + r * dim, p + r * dim, count: dim) }
            bk_rmsnorm(
                configuration.kernels.instructionSet.cValue, x + r * dim, norm.values.baseAddress, y + r * dim,
                Int32(dim), c.rmsNormEpsilon)
            quantize(row: r, of: y, length: dim, columns: 0..<dim, types: types)
        case .positions(let layer):
            storePositions(row: r, layer: layer)
        case .quantizeAttention(let types):
            let length = c.headCount * c.headDimension
            guard let a = s.attention.baseAddress else { return }
            quantize(row: r, of: a, length: length, columns: 0..<length, types: types)
        case .quantizeGate(let types):
            let length = c.feedForwardLength
            guard let g = s.gate.baseAddress else { return }
            quantize(row: r, of: g, length: length, columns: 0..<length, types: types, into: s.downActivations)
        }
    }

    /// Row `r`'s Q/K/V biases (Qwen2), rotary embedding of its query and key heads at its position, and its key
    /// and value stored as halves in its sequence's KV page of layer `layer`.
    func storePositions(row r: Int, layer: Int) {
        let c = model.configuration
        let s = scratch
        let w = model.layers[layer]
        let queryLength = c.headCount * c.headDimension
        let kvLength = c.keyValueLength
        guard let q = s.query.baseAddress, let k = s.key.baseAddress, let v = s.value.baseAddress,
            let kv = cache.layer(layer).baseAddress
        else { return }
        let (qr, kr, vr) = (q + r * queryLength, k + r * kvLength, v + r * kvLength)
        if let qb = w.queryBias?.values.baseAddress, let kb = w.keyBias?.values.baseAddress,
            let vb = w.valueBias?.values.baseAddress
        {
            addInPlace(qr, qb, count: queryLength)
            addInPlace(kr, kb, count: kvLength)
            addInPlace(vr, vb, count: kvLength)
        }
        let position = s.positions[r]
        bk_rope_qk(
            qr, Int32(c.headCount), kr, Int32(c.keyValueHeadCount), Int32(c.headDimension),
            Int32(c.ropeDimensionCount), Int32(position), c.ropeFrequencyBase, c.architecture.usesNeoXRoPE ? 1 : 0)
        let page = Int(s.pageTables[s.rowEntries[r] * s.pagesPerSequence + position / cache.pageSize])
        let slot = kv + page * cache.pageStride + (position % cache.pageSize) * kvLength
        let isa = configuration.kernels.instructionSet.cValue
        bk_store_halves(isa, slot, kr, Int32(kvLength))
        bk_store_halves(isa, slot + cache.valueOffset, vr, Int32(kvLength))
    }

    /// Quantizes elements `columns` (whole ``ActivationTypes/blockSize`` blocks, or up to the row's end) of row `r` of `source`, rows
    /// of `length` floats, into `buffers` (default ``ForwardScratch/activations``) for each type in `types`, where
    /// the matmuls read them.
    func quantize(
        row r: Int, of source: UnsafePointer<Float>, length: Int, columns: Range<Int>, types: ActivationTypes,
        into buffers: QuantizedActivations? = nil
    ) {
        guard !columns.isEmpty else { return }
        let buffers = buffers ?? scratch.activations
        let isa = configuration.kernels.instructionSet.cValue
        let x = source + r * length + columns.lowerBound
        let count = Int32(columns.count)
        let block = columns.lowerBound / ActivationTypes.blockSize
        if types.contains(.q8_0), let out = buffers.q8_0.baseAddress,
            let bytes = TensorType.q8_0.rowBytes(elements: length)
        {
            bk_quantize_row_q8_0(isa, x, out + r * bytes + block * TensorType.q8_0.blockBytes, count)
        }
        if types.contains(.q8_1), let out = buffers.q8_1.baseAddress,
            let bytes = TensorType.q8_1.rowBytes(elements: length)
        {
            bk_quantize_row_q8_1(isa, x, out + r * bytes + block * TensorType.q8_1.blockBytes, count)
        }
    }

    /// `x[i] += y[i]` for `count` floats.
    private func addInPlace(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// The matmul of `weights` with the activations quantized from `input` into `buffers` (default
    /// ``ForwardScratch/activations``), or with `input` itself for float weights.
    private func job(
        _ weights: WeightMatrix, input: UnsafeMutableBufferPointer<Float>, length: Int,
        output: UnsafeMutableBufferPointer<Float>, stride: Int, from buffers: QuantizedActivations? = nil
    ) -> MatmulJob {
        let type = weights.activationType
        let quantized = (buffers ?? scratch.activations).buffer(for: type)
        let source = UnsafeRawPointer(quantized?.baseAddress ?? UnsafeMutableRawPointer(input.baseAddress))
        return MatmulJob(
            weights: weights, activations: source, activationRowBytes: type.rowBytes(elements: length) ?? 0,
            output: output.baseAddress, outputStride: stride)
    }
}
