/// Names one sequence (one request's tokens) in a ``KVPageTable``.
public struct SequenceID: Hashable, Sendable, CustomStringConvertible {
    /// The number the table gave out; never reused within one table.
    public let rawValue: Int

    /// Wraps a raw number (tests and callers that persist ids).
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// `sequence N`.
    public var description: String { "sequence \(rawValue)" }
}

/// The bookkeeping of a paged KV cache: which pages of one shared pool each sequence owns and how many tokens it
/// holds. Pure: no memory of keys or values, so it is tested on its own.
///
/// Every sequence owns a list of pages of ``pageSize`` tokens; token `t` of a sequence lies in its page `t / pageSize`
/// at slot `t % pageSize`. Sequences of different lengths share one pool without fragmentation, and a request
/// that does not fit gets ``KVPageTable/Reservation/outOfPages(needed:free:)`` while every other sequence stays as
/// it was.
public struct KVPageTable: Sendable, Equatable {
    /// Tokens per page: 256 by default (document 000, `page_size 256`), large enough that a page's keys are one
    /// long contiguous read and small enough that a short request wastes little.
    public static let defaultPageSize = 256

    /// Tokens per page.
    public let pageSize: Int
    /// Pages in the pool.
    public let pageCount: Int
    private var freePages: [Int32]
    private var sequences: [Int: SequenceState] = [:]
    private var nextID = 0

    private struct SequenceState: Sendable, Equatable {
        var pages: [Int32] = []
        var length = 0
    }

    /// The outcome of asking for room for more tokens.
    public enum Reservation: Sendable, Equatable {
        /// The sequence now has room; its pages were extended as needed.
        case reserved
        /// Not enough free pages: `needed` more were required and only `free` are left. Nothing changed.
        case outOfPages(needed: Int, free: Int)
        /// The sequence is not in the table (never created, or already freed). Nothing changed.
        case unknownSequence
    }

    /// An empty table over a pool of `pageCount` pages of `pageSize` tokens (both at least 1).
    public init(pageCount: Int, pageSize: Int = KVPageTable.defaultPageSize) {
        self.pageSize = max(1, pageSize)
        self.pageCount = max(0, pageCount)
        // Popped from the end, so page 0 is handed out first.
        freePages = (0..<Int32(clamping: self.pageCount)).reversed()
    }

    /// Pages not owned by any sequence.
    public var freePageCount: Int { freePages.count }

    /// Sequences currently in the table, in no particular order.
    public var sequenceIDs: [SequenceID] { sequences.keys.map(SequenceID.init(rawValue:)) }

    /// Starts an empty sequence (no pages yet).
    public mutating func createSequence() -> SequenceID {
        defer { nextID += 1 }
        sequences[nextID] = SequenceState()
        return SequenceID(rawValue: nextID)
    }

    /// Tokens stored for `sequence`, or `nil` when it is not in the table.
    public func length(of sequence: SequenceID) -> Int? {
        sequences[sequence.rawValue]?.length
    }

    /// The pages of `sequence` in token order, or `nil` when it is not in the table.
    public func pages(of sequence: SequenceID) -> [Int32]? {
        sequences[sequence.rawValue]?.pages
    }

    /// Pages `sequence` would have to take from the pool to grow by `tokens` tokens (0 when it is unknown).
    public func pagesNeeded(_ sequence: SequenceID, toAppend tokens: Int) -> Int {
        guard let state = sequences[sequence.rawValue] else { return 0 }
        let total = (state.length + max(0, tokens) + pageSize - 1) / pageSize
        return max(0, total - state.pages.count)
    }

    /// Grows `sequence` by `tokens` tokens, taking pages from the pool as needed; all or nothing.
    ///
    /// - Returns: ``Reservation/reserved``, or why not (and then nothing changed).
    public mutating func append(_ tokens: Int, to sequence: SequenceID) -> Reservation {
        guard sequences[sequence.rawValue] != nil else { return .unknownSequence }
        let needed = pagesNeeded(sequence, toAppend: tokens)
        guard needed <= freePages.count else { return .outOfPages(needed: needed, free: freePages.count) }
        for _ in 0..<needed {
            if let page = freePages.popLast() { sequences[sequence.rawValue]?.pages.append(page) }
        }
        sequences[sequence.rawValue]?.length += max(0, tokens)
        return .reserved
    }

    /// Shortens `sequence` to its first `length` tokens and returns the pages no longer needed to the pool (to
    /// undo a step or drop tokens after a stop sequence). Lengths at or above the current one change nothing.
    public mutating func truncate(_ sequence: SequenceID, to length: Int) {
        guard var state = sequences[sequence.rawValue], length < state.length else { return }
        state.length = max(0, length)
        let keep = (state.length + pageSize - 1) / pageSize
        while state.pages.count > keep, let page = state.pages.popLast() { freePages.append(page) }
        sequences[sequence.rawValue] = state
    }

    /// Removes `sequence` and returns all its pages to the pool; freeing an unknown sequence does nothing.
    public mutating func free(_ sequence: SequenceID) {
        guard let state = sequences.removeValue(forKey: sequence.rawValue) else { return }
        freePages.append(contentsOf: state.pages.reversed())
    }
}
