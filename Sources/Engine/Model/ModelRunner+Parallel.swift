import CEngineKernels
import Dispatch

/// What the worker threads of one parallel section share: raw views of buffers the runner owns for the whole step.
private struct ThreadShared: @unchecked Sendable {
    // Sendable because each thread writes only its own part (disjoint weight rows, attention heads or score
    // slices) and the section returns only after every thread is done.
    let runner: ModelRunner
    let first: MatmulJob?
    let second: MatmulJob?
    let third: MatmulJob?
}

extension ModelRunner {
    /// Runs up to three matmuls over `rows` activation rows, each thread taking a contiguous share of every
    /// matrix's weight rows, so all threads stream different parts of the weights at once.
    func parallelMatmul(_ first: MatmulJob, _ second: MatmulJob? = nil, _ third: MatmulJob? = nil, rows: Int) {
        let threads = configuration.threadCount
        let isa = configuration.kernels.instructionSet.cValue
        let shared = ThreadShared(runner: self, first: first, second: second, third: third)
        let work: @Sendable (Int) -> Void = { t in
            for job in [shared.first, shared.second, shared.third] {
                guard let job, let x = job.activations, let y = job.output, let cType = bk_type(exactly: job.weights.type),
                    let w = job.weights.data.baseAddress
                else { continue }
                let range = Self.share(of: job.weights.rowCount, thread: t, of: threads)
                guard !range.isEmpty else { continue }
                _ = bk_matmul(
                    isa, cType, w, job.weights.rowBytes, Int32(range.lowerBound), Int32(range.upperBound),
                    Int32(job.weights.rowLength), x, job.activationRowBytes, Int32(rows), y, job.outputStride)
            }
        }
        if threads == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        }
    }

    /// Attention of every row over its sequence's cached tokens (up to and including its own position), threads
    /// splitting the (row, head) pairs.
    func parallelAttention(rows: Int, layer: Int) {
        let c = model.configuration
        let threads = configuration.threadCount
        let shared = ThreadShared(runner: self, first: nil, second: nil, third: nil)
        let scale = 1 / Float(c.headDimension).squareRoot()
        let queryLength = c.headCount * c.headDimension
        let work: @Sendable (Int) -> Void = { t in
            let runner = shared.runner
            let s = runner.scratch
            let cache = runner.cache
            let pool = cache.layer(layer)
            let items = Self.share(of: rows * c.headCount, thread: t, of: threads)
            guard let q = s.query.baseAddress, let out = s.attention.baseAddress, let kv = pool.baseAddress,
                let pageTables = s.pageTables.baseAddress, let scores = s.scores.baseAddress
            else { return }
            var item = items.lowerBound
            while item < items.upperBound {
                let row = item / c.headCount
                let head = item % c.headCount
                let end = min(items.upperBound, (row + 1) * c.headCount)
                bk_attention(
                    q + row * queryLength, out + row * queryLength, Int32(c.headCount), Int32(c.keyValueHeadCount),
                    Int32(c.headDimension), Int32(head), Int32(head + end - item), kv, cache.pageStride,
                    cache.valueOffset, pageTables + s.rowEntries[row] * s.pagesPerSequence, Int32(cache.pageSize),
                    Int32(s.positions[row] + 1), scale, scores + t * s.maximumSequenceLength)
                item = end
            }
        }
        if threads == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        }
    }

    /// Thread `thread`'s contiguous share of `count` items split over `threads` threads, in multiples of 4 so
    /// the matmul kernels' tiles stay whole.
    static func share(of count: Int, thread: Int, of threads: Int) -> Range<Int> {
        let chunk = ((count + threads - 1) / threads + 3) / 4 * 4
        let start = min(count, thread * chunk)
        return start..<min(count, start + chunk)
    }
}
