import CEngineKernels

/// One matrix multiplication of a step: `rows` activation rows times every row of `weights`.
struct MatmulJob {
    let weights: WeightMatrix
    let activations: UnsafeRawPointer?
    let activationRowBytes: Int
    let output: UnsafeMutablePointer<Float>?
    let outputStride: Int
}

extension ModelRunner {
    /// Runs layer `layer` over the first `rows` rows of the residual stream.
    func runLayer(_ layer: Int, rows: Int) {
        let c = model.configuration
        let w = model.layers[layer]
        let s = scratch
        let dim = c.embeddingLength
        let queryLength = c.headCount * c.headDimension
        let kvLength = c.keyValueLength

        // Attention block: norm, Q/K/V from one quantization of the normalized rows.
        normalize(rows: rows, from: s.x.baseAddress, weight: w.attentionNorm, into: s.normalized.baseAddress)
        prepareActivations(s.normalized, length: dim, rows: rows, for: w.query, w.key, w.value)
        parallelMatmul(
            job(w.query, input: s.normalized, length: dim, output: s.query, stride: queryLength),
            job(w.key, input: s.normalized, length: dim, output: s.key, stride: kvLength),
            job(w.value, input: s.normalized, length: dim, output: s.value, stride: kvLength), rows: rows)
        if let qb = w.queryBias, let kb = w.keyBias, let vb = w.valueBias {
            for r in 0..<rows {
                addBias(qb, to: s.query.baseAddress.map { $0 + r * queryLength })
                addBias(kb, to: s.key.baseAddress.map { $0 + r * kvLength })
                addBias(vb, to: s.value.baseAddress.map { $0 + r * kvLength })
            }
        }
        let pool = cache.layer(layer)
        let neox: Int32 = c.architecture.usesNeoXRoPE ? 1 : 0
        let isa = configuration.kernels.instructionSet.cValue
        for r in 0..<rows {
            let position = s.positions[r]
            guard let q = s.query.baseAddress, let k = s.key.baseAddress, let v = s.value.baseAddress,
                let kv = pool.baseAddress
            else { continue }
            bk_rope(
                q + r * queryLength, Int32(c.headCount), Int32(c.headDimension), Int32(c.ropeDimensionCount),
                Int32(position), c.ropeFrequencyBase, neox)
            bk_rope(
                k + r * kvLength, Int32(c.keyValueHeadCount), Int32(c.headDimension), Int32(c.ropeDimensionCount),
                Int32(position), c.ropeFrequencyBase, neox)
            let page = Int(s.pageTables[s.rowEntries[r] * s.pagesPerSequence + position / cache.pageSize])
            let slot = kv + page * cache.pageStride + (position % cache.pageSize) * kvLength
            bk_store_halves(isa, slot, k + r * kvLength, Int32(kvLength))
            bk_store_halves(isa, slot + cache.valueOffset, v + r * kvLength, Int32(kvLength))
        }
        parallelAttention(rows: rows, layer: layer)

        prepareActivations(s.attention, length: queryLength, rows: rows, for: w.output)
        parallelMatmul(
            job(w.output, input: s.attention, length: queryLength, output: s.projected, stride: dim), rows: rows)
        addResidual(rows: rows)

        // Feed-forward block: norm, gate and up from one quantization, SwiGLU, down.
        normalize(rows: rows, from: s.x.baseAddress, weight: w.feedForwardNorm, into: s.normalized.baseAddress)
        prepareActivations(s.normalized, length: dim, rows: rows, for: w.gate, w.up)
        let ff = c.feedForwardLength
        parallelGateUp(
            gate: job(w.gate, input: s.normalized, length: dim, output: s.gate, stride: ff),
            up: job(w.up, input: s.normalized, length: dim, output: s.up, stride: ff), rows: rows)
        prepareActivations(s.gate, length: ff, rows: rows, for: w.down)
        parallelMatmul(job(w.down, input: s.gate, length: ff, output: s.projected, stride: dim), rows: rows)
        addResidual(rows: rows)
    }

    /// Final norm of each entry's last row and the logits over the vocabulary.
    func computeLogits(entries: Int) {
        let c = model.configuration
        let s = scratch
        let dim = c.embeddingLength
        for e in 0..<entries {
            guard let x = s.x.baseAddress, let y = s.finalRows.baseAddress else { return }
            bk_rmsnorm(
                configuration.kernels.instructionSet.cValue, x + s.lastRows[e] * dim,
                model.outputNorm.values.baseAddress,
                y + e * dim, Int32(dim), c.rmsNormEpsilon)
        }
        prepareActivations(s.finalRows, length: dim, rows: entries, for: model.output)
        parallelMatmul(
            job(model.output, input: s.finalRows, length: dim, output: s.logits, stride: c.vocabularySize),
            rows: entries)
    }

    private func normalize(
        rows: Int, from x: UnsafeMutablePointer<Float>?, weight: WeightVector, into y: UnsafeMutablePointer<Float>?
    ) {
        let c = model.configuration
        guard let x, let y else { return }
        for r in 0..<rows {
            bk_rmsnorm(
                configuration.kernels.instructionSet.cValue, x + r * c.embeddingLength, weight.values.baseAddress,
                y + r * c.embeddingLength, Int32(c.embeddingLength), c.rmsNormEpsilon)
        }
    }

    private func addBias(_ bias: WeightVector, to row: UnsafeMutablePointer<Float>?) {
        guard let row else { return }
        for i in 0..<bias.values.count { row[i] += bias.values[i] }
    }

    private func addResidual(rows: Int) {
        let count = rows * model.configuration.embeddingLength
        let x = scratch.x
        let p = scratch.projected
        for i in 0..<count { x[i] += p[i] }
    }

    /// Quantizes `rows` rows of `length` floats once per activation type the `weights` need.
    private func prepareActivations(
        _ source: UnsafeMutableBufferPointer<Float>, length: Int, rows: Int, for first: WeightMatrix,
        _ second: WeightMatrix? = nil, _ third: WeightMatrix? = nil
    ) {
        let isa = configuration.kernels.instructionSet.cValue
        guard let x = source.baseAddress else { return }
        var didQ8_0 = false
        var didQ8_1 = false
        func quantize(for weights: WeightMatrix?) {
            switch weights?.activationType {
            case .q8_0? where !didQ8_0:
                didQ8_0 = true
                guard let out = scratch.activationsQ8_0.baseAddress,
                    let bytes = TensorType.q8_0.rowBytes(elements: length)
                else { return }
                for r in 0..<rows { bk_quantize_row_q8_0(isa, x + r * length, out + r * bytes, Int32(length)) }
            case .q8_1? where !didQ8_1:
                didQ8_1 = true
                guard let out = scratch.activationsQ8_1.baseAddress,
                    let bytes = TensorType.q8_1.rowBytes(elements: length)
                else { return }
                for r in 0..<rows { bk_quantize_row_q8_1(isa, x + r * length, out + r * bytes, Int32(length)) }
            default: break
            }
        }
        quantize(for: first)
        quantize(for: second)
        quantize(for: third)
    }

    /// The matmul of `weights` with the activations ``prepareActivations`` made from `input`.
    private func job(
        _ weights: WeightMatrix, input: UnsafeMutableBufferPointer<Float>, length: Int,
        output: UnsafeMutableBufferPointer<Float>, stride: Int
    ) -> MatmulJob {
        let type = weights.activationType
        let source: UnsafeRawPointer? =
            switch type {
            case .q8_0: UnsafeRawPointer(scratch.activationsQ8_0.baseAddress)
            case .q8_1: UnsafeRawPointer(scratch.activationsQ8_1.baseAddress)
            default: UnsafeRawPointer(input.baseAddress)
            }
        return MatmulJob(
            weights: weights, activations: source, activationRowBytes: type.rowBytes(elements: length) ?? 0,
            output: output.baseAddress, outputStride: stride)
    }
}
