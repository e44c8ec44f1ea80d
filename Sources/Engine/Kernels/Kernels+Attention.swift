import CEngineKernels

/// Where a sequence's cached keys and values lie in a paged pool, as ``Kernels/attention(query:output:heads:layout:tokens:scale:scores:)`` reads them.
public struct PagedKVLayout {
    /// The pool of one layer as IEEE half bit patterns: every page's keys, then its values.
    public var pool: UnsafeBufferPointer<UInt16>
    /// Halves from one page's start to the next page's start.
    public var pageStride: Int
    /// Halves from a page's keys to its values.
    public var valueOffset: Int
    /// Tokens per page.
    public var pageSize: Int
    /// Key/value heads.
    public var keyValueHeads: Int
    /// Floats per head.
    public var headDimension: Int
    /// The sequence's pages in token order.
    public var pages: UnsafeBufferPointer<Int32>

    /// Describes one layer's pool and one sequence's pages.
    public init(
        pool: UnsafeBufferPointer<UInt16>, pageStride: Int, valueOffset: Int, pageSize: Int, keyValueHeads: Int,
        headDimension: Int, pages: UnsafeBufferPointer<Int32>
    ) {
        self.pool = pool
        self.pageStride = pageStride
        self.valueOffset = valueOffset
        self.pageSize = pageSize
        self.keyValueHeads = keyValueHeads
        self.headDimension = headDimension
        self.pages = pages
    }
}

extension Kernels {
    /// Grouped-query attention of one query row over the first `tokens` cached tokens of a sequence, for query
    /// heads `heads` (threads split the heads).
    ///
    /// Each query head h attends with KV head `h / (queryHeads / keyValueHeads)`: weights are
    /// `softmax(q·k · scale)` over the tokens, the output is the weighted sum of the values. Causal masking is the
    /// caller's choice of `tokens` (a row at position p passes p + 1). `scores` is scratch of at least
    /// ``attentionScratchCount(queryHeads:keyValueHeads:tokens:)`` floats.
    ///
    /// - Throws: ``KernelError`` when a buffer is too small for the shapes or a page lies outside the pool.
    public func attention(
        query: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>, heads: Range<Int>,
        layout: PagedKVLayout, tokens: Int, scale: Float, scores: UnsafeMutableBufferPointer<Float>
    ) throws(KernelError) {
        let d = layout.headDimension
        let kvHeads = layout.keyValueHeads
        let queryHeads = d > 0 ? query.count / d : 0
        guard d > 0, kvHeads > 0, queryHeads % kvHeads == 0, query.count == queryHeads * d,
            output.count >= query.count, heads.lowerBound >= 0, heads.upperBound <= queryHeads
        else {
            throw KernelError(
                description: "attention: a query of \(query.count) floats, output of \(output.count), heads \(heads) "
                    + "do not fit heads of \(d) floats grouped over \(kvHeads) KV heads.")
        }
        let pagesNeeded = (tokens + layout.pageSize - 1) / max(1, layout.pageSize)
        let scoreCount = Self.attentionScratchCount(queryHeads: queryHeads, keyValueHeads: kvHeads, tokens: tokens)
        guard tokens >= 0, layout.pageSize > 0, layout.pages.count >= pagesNeeded, scores.count >= scoreCount else {
            throw KernelError(
                description: "attention: \(tokens) tokens need \(pagesNeeded) pages of \(layout.pageSize) and "
                    + "\(scoreCount) score floats; got \(layout.pages.count) pages and \(scores.count) floats.")
        }
        let pageFloats = layout.valueOffset + layout.pageSize * kvHeads * d
        for page in layout.pages.prefix(pagesNeeded) {
            guard page >= 0, Int(page) * layout.pageStride + pageFloats <= layout.pool.count else {
                throw KernelError(
                    description: "attention: page \(page) lies outside the pool of \(layout.pool.count) halves "
                        + "(stride \(layout.pageStride)).")
            }
        }
        guard tokens > 0, !heads.isEmpty, let q = query.baseAddress, let out = output.baseAddress,
            let kv = layout.pool.baseAddress, let pages = layout.pages.baseAddress, let s = scores.baseAddress
        else { return }
        bk_attention(
            instructionSet.cValue, q, out, Int32(queryHeads), Int32(kvHeads), Int32(d), Int32(heads.lowerBound),
            Int32(heads.upperBound), kv,
            layout.pageStride, layout.valueOffset, pages, Int32(layout.pageSize), Int32(tokens), scale, s)
    }

    /// Score floats ``attention(query:output:heads:layout:tokens:scale:scores:)`` needs as scratch: `tokens` times
    /// the query heads it may score together (up to three of one KV head).
    public static func attentionScratchCount(queryHeads: Int, keyValueHeads: Int, tokens: Int) -> Int {
        Int(
            bk_attention_scratch_floats(
                Int32(clamping: queryHeads), Int32(clamping: keyValueHeads), Int32(clamping: tokens)))
    }

    /// Stores `values` as IEEE halves, rounded to nearest even, as the KV cache keeps keys and values.
    ///
    /// - Throws: ``KernelError`` when `halves` is shorter than `values`.
    public func storeHalves(_ values: UnsafeBufferPointer<Float>, into halves: UnsafeMutableBufferPointer<UInt16>)
        throws(KernelError)
    {
        guard halves.count >= values.count else {
            throw KernelError(description: "storeHalves: \(values.count) floats do not fit \(halves.count) halves.")
        }
        guard let source = values.baseAddress, let destination = halves.baseAddress else { return }
        bk_store_halves(instructionSet.cValue, destination, source, Int32(values.count))
    }
}
