/// The limits a ``BatchScheduler`` plans within.
public struct SchedulerConfiguration: Sendable, Equatable {
    /// Requests an idle engine waits for before it starts a batch (default 4, document 001's B_min): a lone
    /// request still starts after ``maximumWait``.
    public var minimumBatchSize: Int
    /// Most requests decoding together (default 32, documents 001, 002 and 003's B_max / max_batch_size).
    public var maximumBatchSize: Int
    /// Longest an idle engine holds a partial batch for more requests (default 100 ms, documents 002 and 003;
    /// document 001 uses 200 ms). Lower it for latency, raise it for throughput at low load.
    public var maximumWait: Duration
    /// Most requests waiting for a place in the batch (default 256); beyond it requests are rejected with a
    /// retry-after estimate, so memory stays bounded under any overload.
    public var maximumQueueLength: Int
    /// Most tokens in one step over all requests (default 512, the runner's `maximumBatchTokens`).
    public var maximumStepTokens: Int
    /// Most prompt tokens prefilled in one step while other requests decode (default 256): a long prompt is
    /// split into chunks of at most this many tokens so running streams keep stepping.
    public var prefillChunkTokens: Int
    /// KV pages in the engine's pool (default 16).
    public var pageCount: Int
    /// Tokens per KV page (default 256, document 000).
    public var pageSize: Int
    /// Fewest leading prompt tokens worth copying from a running request's cache instead of prefilling them
    /// (default 16; 0 turns the reuse off). Chat requests share their template's opening, so a newcomer usually
    /// starts from a copy of that part.
    public var minimumPrefixReuse: Int

    /// A configuration with the defaults above, changed by the arguments given.
    public init(
        minimumBatchSize: Int = 4, maximumBatchSize: Int = 32, maximumWait: Duration = .milliseconds(100),
        maximumQueueLength: Int = 256, maximumStepTokens: Int = 512, prefillChunkTokens: Int = 256,
        pageCount: Int = 16, pageSize: Int = 256, minimumPrefixReuse: Int = 16
    ) {
        self.minimumBatchSize = minimumBatchSize
        self.maximumBatchSize = maximumBatchSize
        self.maximumWait = maximumWait
        self.maximumQueueLength = maximumQueueLength
        self.maximumStepTokens = maximumStepTokens
        self.prefillChunkTokens = prefillChunkTokens
        self.pageCount = pageCount
        self.pageSize = pageSize
        self.minimumPrefixReuse = minimumPrefixReuse
    }

    /// Checks that every size is positive and the batch bounds are ordered.
    ///
    /// - Throws: ``WorkerConfigurationError`` naming the setting and a value that works.
    public func validate() throws(WorkerConfigurationError) {
        guard maximumBatchSize >= 1 else {
            throw WorkerConfigurationError("The maximum batch size (\(maximumBatchSize)) must be at least 1; try 32.")
        }
        guard (1...maximumBatchSize).contains(minimumBatchSize) else {
            throw WorkerConfigurationError(
                "The minimum batch size (\(minimumBatchSize)) must be between 1 and the maximum batch size "
                    + "(\(maximumBatchSize)); try 4.")
        }
        guard maximumWait >= .zero else {
            throw WorkerConfigurationError("The maximum batch wait (\(maximumWait)) must not be negative; try 100ms.")
        }
        guard maximumQueueLength >= 0 else {
            throw WorkerConfigurationError(
                "The queue length (\(maximumQueueLength)) must not be negative; try 256.")
        }
        guard maximumStepTokens >= maximumBatchSize else {
            throw WorkerConfigurationError(
                "The step token budget (\(maximumStepTokens)) must be at least the maximum batch size "
                    + "(\(maximumBatchSize)) so every decoding request gets its token; try 512.")
        }
        guard prefillChunkTokens >= 1 else {
            throw WorkerConfigurationError(
                "The prefill chunk (\(prefillChunkTokens) tokens) must be at least 1; try 256.")
        }
        guard pageCount >= 1, pageSize >= 1 else {
            throw WorkerConfigurationError(
                "The KV pool needs at least one page of at least one token; got \(pageCount) pages of \(pageSize).")
        }
        guard minimumPrefixReuse >= 0 else {
            throw WorkerConfigurationError(
                "The minimum prefix reuse (\(minimumPrefixReuse) tokens) must not be negative; try 16, or 0 to turn "
                    + "reuse off.")
        }
    }
}

/// A worker setting out of range; the description names the setting and a value that works.
public struct WorkerConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A full sentence naming the setting and what to write instead.
    public let description: String

    /// Makes an error from a full sentence.
    public init(_ description: String) {
        self.description = description
    }
}
