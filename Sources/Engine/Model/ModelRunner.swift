import CEngineKernels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a ``Model``: owns a paged KV cache, preallocated scratch buffers and the threads, and advances several
/// sequences in one ``forward(_:)`` step.
///
/// One step takes each sequence's next tokens, one for a decoding sequence or a chunk of a prompt for a
/// prefilling one, and stacks them as rows, so every weight matrix is streamed from memory once per step for all
/// rows (the batched matmul kernels read each weight block once for up to four rows). Matmul rows and attention
/// heads are split across ``Configuration/threadCount`` threads. A step allocates nothing.
///
/// A runner is not thread-safe: one caller (the worker's engine actor) drives it.
public final class ModelRunner {
    /// Sizes of the runner's buffers and its thread count.
    public struct Configuration: Sendable {
        /// Threads a step splits its work over (default: the active processor count; fewer leave cores to others).
        public var threadCount: Int
        /// Most rows (tokens over all sequences) in one step (default 512, the prompt chunk `ballast bench`
        /// measures; scratch memory grows linearly with it).
        public var maximumBatchTokens: Int
        /// Most sequences in one step (default 64), which bounds the logits buffer (sequences × vocabulary floats).
        public var maximumBatchSequences: Int
        /// Pages in the KV pool (default 16). Each page holds ``pageSize`` tokens of every layer's keys and values.
        public var pageCount: Int
        /// Tokens per KV page (default 256, document 000).
        public var pageSize: Int
        /// Longest sequence, in tokens (default: the model's context length).
        public var maximumSequenceLength: Int?
        /// Instruction set of the kernels (default: the best this CPU runs).
        public var kernels: Kernels

        /// A configuration with the defaults above, changed by the arguments given.
        public init(
            threadCount: Int? = nil, maximumBatchTokens: Int = 512, maximumBatchSequences: Int = 64,
            pageCount: Int = 16, pageSize: Int = KVPageTable.defaultPageSize, maximumSequenceLength: Int? = nil,
            kernels: Kernels = .best
        ) {
            self.threadCount = threadCount ?? Self.activeProcessorCount
            self.maximumBatchTokens = maximumBatchTokens
            self.maximumBatchSequences = maximumBatchSequences
            self.pageCount = pageCount
            self.pageSize = pageSize
            self.maximumSequenceLength = maximumSequenceLength
            self.kernels = kernels
        }

        /// Processors online now, at least 1.
        public static var activeProcessorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
    }

    /// One sequence's part of a step: the tokens to append (one when decoding, a prompt chunk when prefilling).
    public struct BatchEntry: Sendable, Equatable {
        /// The sequence, made by ``createSequence()``.
        public var sequence: SequenceID
        /// Token ids to append, in order; at least one.
        public var tokens: [Int]

        /// An entry appending `tokens` to `sequence`.
        public init(sequence: SequenceID, tokens: [Int]) {
            self.sequence = sequence
            self.tokens = tokens
        }
    }

    /// The model run.
    public let model: Model
    /// The sizes this runner was made with.
    public let configuration: Configuration
    /// Which KV pages each sequence owns and how long it is.
    public private(set) var pageTable: KVPageTable
    /// The longest sequence, in tokens.
    public let maximumSequenceLength: Int

    let cache: KVCacheStorage
    let scratch: ForwardScratch
    /// The threads a step's sections are split over.
    let threads: KernelThreads
    private var lastBatchCount = 0

    /// Makes a runner for `model` and allocates its KV pool and scratch buffers.
    ///
    /// - Throws: ``ModelError`` when a size is not positive.
    public init(model: Model, configuration: Configuration = Configuration()) throws(ModelError) {
        let c = model.configuration
        guard configuration.threadCount > 0, configuration.maximumBatchTokens > 0,
            configuration.maximumBatchSequences > 0, configuration.pageCount > 0, configuration.pageSize > 0,
            (configuration.maximumSequenceLength ?? 1) > 0
        else {
            throw ModelError(
                "ModelRunner.Configuration: threadCount (\(configuration.threadCount)), maximumBatchTokens "
                    + "(\(configuration.maximumBatchTokens)), maximumBatchSequences "
                    + "(\(configuration.maximumBatchSequences)), pageCount (\(configuration.pageCount)), pageSize "
                    + "(\(configuration.pageSize)) and maximumSequenceLength must all be positive.")
        }
        self.model = model
        self.configuration = configuration
        maximumSequenceLength = configuration.maximumSequenceLength ?? c.contextLength
        pageTable = KVPageTable(pageCount: configuration.pageCount, pageSize: configuration.pageSize)
        cache = KVCacheStorage(
            layerCount: c.layerCount, pageCount: configuration.pageCount, pageSize: configuration.pageSize,
            keyValueLength: c.keyValueLength)
        scratch = ForwardScratch(
            configuration: c, rows: configuration.maximumBatchTokens,
            sequences: configuration.maximumBatchSequences, threads: configuration.threadCount,
            maximumSequenceLength: maximumSequenceLength,
            pagesPerSequence: (maximumSequenceLength + configuration.pageSize - 1) / configuration.pageSize)
        threads = KernelThreads(count: configuration.threadCount)
    }

    /// Bytes of the KV pool.
    public var cacheByteCount: Int { cache.byteCount }

    /// Bytes one KV page of `pageSize` tokens takes over all layers of a model shaped as `configuration`.
    public static func cacheBytesPerPage(_ configuration: ModelConfiguration, pageSize: Int) -> Int {
        KVCacheStorage.bytesPerPage(
            layerCount: configuration.layerCount, pageSize: pageSize, keyValueLength: configuration.keyValueLength)
    }

    /// Starts an empty sequence.
    public func createSequence() -> SequenceID {
        pageTable.createSequence()
    }

    /// Ends `sequence` and returns its KV pages to the pool.
    public func free(_ sequence: SequenceID) {
        pageTable.free(sequence)
    }

    /// Tokens cached for `sequence`, or `nil` when it is unknown.
    public func length(of sequence: SequenceID) -> Int? {
        pageTable.length(of: sequence)
    }

    /// Fills the empty sequence `target` with the first `count` cached tokens of `source`: their keys and values
    /// are copied, not computed. A token's keys and values depend only on the tokens up to it, so two prompts
    /// that begin alike (a chat template, a system prompt) share that beginning's cache, and the copy is exactly
    /// what prefilling those tokens would store, at a memory copy's cost.
    ///
    /// - Throws: ``ModelError`` when a sequence is unknown, `target` is not empty, `source` holds fewer than
    ///   `count` tokens, or the pool is short of pages; then nothing changes.
    public func copyPrefix(of source: SequenceID, count: Int, to target: SequenceID) throws(ModelError) {
        guard let sourceLength = pageTable.length(of: source), let targetLength = pageTable.length(of: target) else {
            throw ModelError(
                "copyPrefix: \(source) or \(target) is unknown or was freed; make one with createSequence().")
        }
        guard source != target, targetLength == 0, count > 0, count <= sourceLength else {
            throw ModelError(
                "copyPrefix: copying \(count) tokens of \(source) (\(sourceLength) cached) into \(target) "
                    + "(\(targetLength) cached) needs an empty, different target and 1 to \(sourceLength) tokens.")
        }
        let needed = pageTable.pagesNeeded(target, toAppend: count)
        guard needed <= pageTable.freePageCount else {
            throw ModelError(
                "copyPrefix: \(count) tokens need \(needed) pages and \(pageTable.freePageCount) are free; finish or "
                    + "free a sequence, or raise pageCount.")
        }
        _ = pageTable.append(count, to: target)
        guard let from = pageTable.pages(of: source), let to = pageTable.pages(of: target) else { return }
        // Both sequences start at position 0, so page i of one holds the same positions as page i of the other.
        let tokenBytes = MemoryLayout<UInt16>.stride * cache.keyValueLength
        for layer in 0..<model.configuration.layerCount {
            guard let base = cache.layer(layer).baseAddress else { continue }
            for (page, start) in stride(from: 0, to: count, by: cache.pageSize).enumerated() {
                let tokens = min(cache.pageSize, count - start)
                let source = base + Int(from[page]) * cache.pageStride
                let target = base + Int(to[page]) * cache.pageStride
                memcpy(target, source, tokens * tokenBytes)
                memcpy(target + cache.valueOffset, source + cache.valueOffset, tokens * tokenBytes)
            }
        }
    }

    /// Drops the cached tokens of `sequence` past the first `length` (to rewind after a rejected step).
    public func truncate(_ sequence: SequenceID, to length: Int) {
        pageTable.truncate(sequence, to: length)
    }

    /// The logits (vocabulary floats) after the last token of entry `index` of the latest ``forward(_:)`` step.
    ///
    /// The view is valid until the next step; copy it (``logits(ofEntry:)``) to keep it.
    public func withLogits<R>(ofEntry index: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let vocabulary = model.configuration.vocabularySize
        guard (0..<lastBatchCount).contains(index) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(
            UnsafeBufferPointer(rebasing: scratch.logits[(index * vocabulary)..<((index + 1) * vocabulary)]))
    }

    /// A copy of the logits after the last token of entry `index` of the latest step (empty when there is none).
    public func logits(ofEntry index: Int) -> [Float] {
        withLogits(ofEntry: index) { Array($0) }
    }

    /// Appends each entry's tokens to its sequence and computes the logits after each entry's last token.
    ///
    /// Entries name distinct sequences. All KV pages the step needs are reserved first: when the pool is short,
    /// the step throws and no sequence changes.
    ///
    /// - Throws: ``ModelError`` naming the entry when a token is out of range, a sequence is unknown or repeated,
    ///   a sequence would exceed ``maximumSequenceLength``, the step exceeds the batch limits or the pool is out of
    ///   pages.
    public func forward(_ batch: [BatchEntry]) throws(ModelError) {
        try validate(batch)
        let c = model.configuration
        let pagesPerSequence = scratch.pagesPerSequence
        var row = 0
        for (e, entry) in batch.enumerated() {
            let start = pageTable.length(of: entry.sequence) ?? 0
            _ = pageTable.append(entry.tokens.count, to: entry.sequence)
            let pages = pageTable.pages(of: entry.sequence) ?? []
            for (i, page) in pages.enumerated() { scratch.pageTables[e * pagesPerSequence + i] = page }
            for (j, token) in entry.tokens.enumerated() {
                scratch.positions[row] = start + j
                scratch.rowEntries[row] = e
                model.tokenEmbedding.dequantizeRow(
                    token, into: UnsafeMutableBufferPointer(rebasing: scratch.x[(row * c.embeddingLength)...]))
                row += 1
            }
            scratch.lastRows[e] = row - 1
        }
        for layer in 0..<c.layerCount {
            runLayer(layer, rows: row, residualPending: layer > 0, rowsAreSequences: row == batch.count)
        }
        computeLogits(entries: batch.count)
        lastBatchCount = batch.count
    }

    private func validate(_ batch: [BatchEntry]) throws(ModelError) {
        guard !batch.isEmpty, batch.count <= configuration.maximumBatchSequences else {
            throw ModelError(
                "A step needs 1 to \(configuration.maximumBatchSequences) entries (maximumBatchSequences); got "
                    + "\(batch.count).")
        }
        let rows = batch.reduce(0) { $0 + $1.tokens.count }
        guard rows <= configuration.maximumBatchTokens else {
            throw ModelError(
                "The step holds \(rows) tokens, above maximumBatchTokens (\(configuration.maximumBatchTokens)); split "
                    + "the prompt into smaller chunks.")
        }
        var pagesNeeded = 0
        for (e, entry) in batch.enumerated() {
            guard let length = pageTable.length(of: entry.sequence) else {
                throw ModelError(
                    "Batch entry \(e): \(entry.sequence) is unknown or was freed; make one with createSequence().")
            }
            guard !batch[..<e].contains(where: { $0.sequence == entry.sequence }) else {
                throw ModelError(
                    "Batch entry \(e): \(entry.sequence) appears twice in one step; give all its tokens in one entry.")
            }
            guard !entry.tokens.isEmpty else {
                throw ModelError("Batch entry \(e) for \(entry.sequence) has no tokens; give at least one.")
            }
            if let bad = entry.tokens.firstIndex(where: { !(0..<model.configuration.vocabularySize).contains($0) }) {
                throw ModelError(
                    "Batch entry \(e), token \(bad): id \(entry.tokens[bad]) is outside the vocabulary "
                        + "(0..<\(model.configuration.vocabularySize)).")
            }
            guard length + entry.tokens.count <= maximumSequenceLength else {
                throw ModelError(
                    "Batch entry \(e): \(entry.sequence) would grow to \(length + entry.tokens.count) tokens, past the "
                        + "maximum sequence length \(maximumSequenceLength); stop generating or shorten the prompt.")
            }
            pagesNeeded += pageTable.pagesNeeded(entry.sequence, toAppend: entry.tokens.count)
        }
        guard pagesNeeded <= pageTable.freePageCount else {
            throw ModelError(
                "The KV cache is out of pages: this step needs \(pagesNeeded) more pages of \(pageTable.pageSize) "
                    + "tokens and \(pageTable.freePageCount) of \(pageTable.pageCount) are free; finish or free a "
                    + "sequence, or raise pageCount.")
        }
    }
}
