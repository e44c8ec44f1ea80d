import CEngineKernels

/// What the threads of one parallel section share: the runner, whose buffers outlive the section, and the
/// section's work. Each thread writes only its own part (disjoint weight rows, attention heads, rows or score
/// slices), and a section returns only after every thread is done.
private struct ThreadShared {
    let runner: ModelRunner
    let isa: bk_isa
    let threads: Int
    let rows: Int
    var first: MatmulJob? = nil
    var second: MatmulJob? = nil
    var third: MatmulJob? = nil
    var layer = 0
    /// Whether `first` and `second` are the gate and up projections, whose outputs each thread combines with
    /// SwiGLU over its own columns right after computing them.
    var swiGLU = false
    /// Activation types each thread quantizes its part of the section's output into: the SwiGLU columns for the
    /// down projection, or whole attention rows for the output projection.
    var quantize: ActivationTypes = []
    /// Whether attention first stores each row's positions (``RowWork/positions(layer:)``).
    var positions = false
    /// The per-row work of a row section.
    var rowWork: RowWork? = nil
}

extension ModelRunner {
    /// Runs up to three matmuls over `rows` activation rows, each thread taking a contiguous share of every
    /// matrix's weight rows, so all threads stream different parts of the weights at once.
    func parallelMatmul(_ first: MatmulJob, _ second: MatmulJob? = nil, _ third: MatmulJob? = nil, rows: Int) {
        var shared = ThreadShared(
            runner: self, isa: configuration.kernels.instructionSet.cValue, threads: threads.count,
            rows: rows, first: first, second: second, third: third)
        run(&shared)
    }

    /// The gate and up projections and `gate = silu(gate) · up`, in one section: each thread applies SwiGLU to the
    /// columns it computed, so the combination costs no serial pass over the rows, and quantizes those columns
    /// for the down projection when `quantizeFor` names types. Returns whether it did quantize them.
    func parallelGateUp(gate: MatmulJob, up: MatmulJob, rows: Int, quantizeFor types: ActivationTypes) -> Bool {
        // Fused only when both matrices split their rows alike (same count, both packed or both not).
        guard gate.weights.rowCount == up.weights.rowCount, (gate.weights.packed == nil) == (up.weights.packed == nil)
        else {
            parallelMatmul(gate, up, rows: rows)
            guard let g = gate.output, let u = up.output else { return false }
            for row in 0..<rows {
                bk_swiglu(
                    configuration.kernels.instructionSet.cValue, g + row * gate.outputStride,
                    u + row * up.outputStride, Int32(gate.weights.rowCount))
            }
            return false
        }
        // Quantization works on whole blocks, which every thread's columns are (see matmulShare).
        let quantize =
            gate.weights.rowCount % ActivationTypes.blockSize == 0 && gate.outputStride == gate.weights.rowCount
            ? types : []
        var shared = ThreadShared(
            runner: self, isa: configuration.kernels.instructionSet.cValue, threads: threads.count,
            rows: rows, first: gate, second: up, swiGLU: true, quantize: quantize)
        run(&shared)
        return quantize == types
    }

    /// `work` for every row, each thread taking a contiguous share of the rows.
    func parallelRows(_ work: RowWork, rows: Int) {
        var shared = ThreadShared(
            runner: self, isa: configuration.kernels.instructionSet.cValue, threads: threads.count, rows: rows,
            rowWork: work)
        threads.run(&shared) { context, thread, _ in
            guard let shared = context?.assumingMemoryBound(to: ThreadShared.self).pointee,
                let work = shared.rowWork
            else { return }
            for row in ModelRunner.share(of: shared.rows, thread: Int(thread), of: shared.threads, multiple: 1) {
                shared.runner.perform(work, row: row)
            }
        }
    }

    private func run(_ shared: inout ThreadShared) {
        threads.run(&shared) { context, thread, _ in
            guard let shared = context?.assumingMemoryBound(to: ThreadShared.self).pointee else { return }
            ModelRunner.matmulShare(shared, thread: Int(thread))
        }
    }

    /// Attention of every row over its sequence's cached tokens (up to and including its own position), threads
    /// splitting the (row, head) pairs, or whole rows when ``splitsRows(_:)``. With whole rows a thread also stores
    /// each row's positions first when `positions`, and quantizes each row's output into `quantize`'s types.
    func parallelAttention(rows: Int, layer: Int, positions: Bool, quantize: ActivationTypes) {
        var shared = ThreadShared(
            runner: self, isa: configuration.kernels.instructionSet.cValue, threads: threads.count,
            rows: rows, layer: layer, quantize: quantize, positions: positions)
        threads.run(&shared) { context, thread, _ in
            guard let shared = context?.assumingMemoryBound(to: ThreadShared.self).pointee else { return }
            ModelRunner.attentionShare(shared, thread: Int(thread))
        }
    }

    private static func matmulShare(_ shared: ThreadShared, thread: Int) {
        let gateColumns = matmulShare(shared.first, shared, thread: thread)
        let upColumns = matmulShare(shared.second, shared, thread: thread)
        matmulShare(shared.third, shared, thread: thread)
        // Both projections have the same rows and split them alike; SwiGLU applies to this thread's columns only.
        guard shared.swiGLU, let gate = shared.first?.output, let up = shared.second?.output,
            let columns = gateColumns, columns == upColumns, !columns.isEmpty, let stride = shared.first?.outputStride
        else { return }
        for row in 0..<shared.rows {
            bk_swiglu(
                shared.isa, gate + row * stride + columns.lowerBound, up + row * stride + columns.lowerBound,
                Int32(columns.count))
            shared.runner.quantize(
                row: row, of: gate, length: stride, columns: columns, types: shared.quantize,
                into: shared.runner.scratch.downActivations)
        }
    }

    /// Computes this thread's weight rows of `job` (the output columns) and returns them.
    @discardableResult
    private static func matmulShare(_ job: MatmulJob?, _ shared: ThreadShared, thread: Int) -> Range<Int>? {
        guard let job, let x = job.activations, let y = job.output, let cType = bk_type(exactly: job.weights.type),
            let w = job.weights.data.baseAddress
        else { return nil }
        // Runners asked for other kernels (scalar, for comparison) keep to the row layout.
        if let packed = job.weights.packed, shared.isa == BK_ISA_AVX2 {
            // Gate/up shares are whole activation blocks of columns, so each thread can quantize its own columns.
            let groups = share(
                of: packed.groupCount, thread: thread, of: shared.threads,
                multiple: shared.swiGLU ? ActivationTypes.blockSize / 8 : 1)
            if packed.multiply(
                groups: groups, activations: x, activationRowBytes: job.activationRowBytes, batch: shared.rows,
                output: y, outputStride: job.outputStride)
            {
                return (groups.lowerBound * 8)..<(groups.upperBound * 8)
            }
        }
        let range = share(
            of: job.weights.rowCount, thread: thread, of: shared.threads,
            multiple: shared.swiGLU ? ActivationTypes.blockSize : 4)
        guard !range.isEmpty else { return range }
        _ = bk_matmul(
            shared.isa, cType, w, job.weights.rowBytes, Int32(range.lowerBound), Int32(range.upperBound),
            Int32(job.weights.rowLength), x, job.activationRowBytes, Int32(shared.rows), y, job.outputStride)
        return range
    }

    private static func attentionShare(_ shared: ThreadShared, thread: Int) {
        let runner = shared.runner
        let c = runner.model.configuration
        let s = runner.scratch
        let cache = runner.cache
        let queryLength = c.headCount * c.headDimension
        let scale = 1 / Float(c.headDimension).squareRoot()
        guard let q = s.query.baseAddress, let out = s.attention.baseAddress,
            let kv = cache.layer(shared.layer).baseAddress, let pageTables = s.pageTables.baseAddress,
            let scores = s.scores.baseAddress
        else { return }
        func attend(row: Int, heads: Range<Int>) {
            bk_attention(
                shared.isa, q + row * queryLength, out + row * queryLength, Int32(c.headCount),
                Int32(c.keyValueHeadCount), Int32(c.headDimension), Int32(heads.lowerBound), Int32(heads.upperBound),
                kv, cache.pageStride, cache.valueOffset, pageTables + s.rowEntries[row] * s.pagesPerSequence,
                Int32(cache.pageSize), Int32(s.positions[row] + 1), scale, scores + thread * s.scoresPerThread)
        }
        if runner.splitsRows(shared.rows) {
            // Every thread takes every n-th row: in a prompt chunk later rows attend to more tokens, and
            // contiguous halves would give one thread three quarters of the work.
            for row in stride(from: thread, to: shared.rows, by: shared.threads) {
                if shared.positions { runner.storePositions(row: row, layer: shared.layer) }
                attend(row: row, heads: 0..<c.headCount)
                runner.quantize(
                    row: row, of: out, length: queryLength, columns: 0..<queryLength, types: shared.quantize)
            }
            return
        }
        let items = share(of: shared.rows * c.headCount, thread: thread, of: shared.threads)
        var item = items.lowerBound
        while item < items.upperBound {
            // Consecutive items of one row are its heads: one call covers them.
            let row = item / c.headCount
            let head = item % c.headCount
            let end = min(items.upperBound, (row + 1) * c.headCount)
            attend(row: row, heads: head..<(head + end - item))
            item = end
        }
    }

    /// Thread `thread`'s contiguous share of `count` items split over `threads` threads, in multiples of
    /// `multiple` (default 4, so the row kernels' tiles stay whole).
    static func share(of count: Int, thread: Int, of threads: Int, multiple: Int = 4) -> Range<Int> {
        let chunk = ((count + threads - 1) / threads + multiple - 1) / multiple * multiple
        let start = min(count, thread * chunk)
        return start..<min(count, start + chunk)
    }
}
