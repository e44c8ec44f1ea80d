/// One request's part of a step: the tokens to append to its KV cache.
public struct StepEntry: Sendable, Equatable {
    /// The request.
    public var request: RequestID
    /// Tokens to append: a prompt chunk while prefilling, the last generated token while decoding.
    public var tokens: [Int]
    /// Whether the request's cache is empty before this step (the engine starts a fresh sequence).
    public var startsSequence: Bool
    /// Leading tokens the fresh sequence copies from another running request's cache before `tokens` are
    /// appended (``BatchScheduler`` checked that the source holds them); `nil` to prefill from the start.
    public var prefix: PrefixCopy?
    /// Whether the chunk reaches the end of the request's known tokens, so the logits after it choose the next
    /// token; `false` for a prompt chunk that more chunks follow.
    public var samples: Bool

    /// Makes an entry.
    public init(request: RequestID, tokens: [Int], startsSequence: Bool, samples: Bool, prefix: PrefixCopy? = nil) {
        self.request = request
        self.tokens = tokens
        self.startsSequence = startsSequence
        self.samples = samples
        self.prefix = prefix
    }
}

/// The leading tokens a new request's cache copies from a running request whose tokens begin the same way.
public struct PrefixCopy: Sendable, Equatable {
    /// The request whose cache is copied.
    public var source: RequestID
    /// Tokens copied, from position 0.
    public var count: Int

    /// Makes a copy instruction.
    public init(source: RequestID, count: Int) {
        self.source = source
        self.count = count
    }
}

/// What one step does: requests whose caches were dropped to make room, then the entries to run.
public struct StepPlan: Sendable, Equatable {
    /// Requests pushed back to the front of the queue; the engine frees their KV sequences and they are
    /// recomputed (prompt and generated tokens prefilled again) when pages free up. Their streams go on.
    public var preempted: [RequestID]
    /// Requests scheduled for the first time in this step, with how long each waited since it was submitted.
    public var started: [(request: RequestID, waited: Duration)]
    /// The entries, at most one per request.
    public var entries: [StepEntry]

    /// Makes a plan.
    public init(
        preempted: [RequestID] = [], started: [(request: RequestID, waited: Duration)] = [], entries: [StepEntry] = []
    ) {
        self.preempted = preempted
        self.started = started
        self.entries = entries
    }

    /// Tokens in the step.
    public var tokenCount: Int { entries.reduce(0) { $0 + $1.tokens.count } }

    /// Plans are equal when they preempt, start and run the same.
    public static func == (lhs: StepPlan, rhs: StepPlan) -> Bool {
        lhs.preempted == rhs.preempted && lhs.entries == rhs.entries
            && lhs.started.map(\.request) == rhs.started.map(\.request)
            && lhs.started.map(\.waited) == rhs.started.map(\.waited)
    }
}

/// What the engine should do next.
public enum SchedulerDecision: Sendable, Equatable {
    /// Run this step now.
    case run(StepPlan)
    /// A partial batch is waiting for more requests: look again at this instant, or sooner when one arrives.
    case wait(until: ContinuousClock.Instant)
    /// Nothing to do until a request arrives.
    case idle
}

/// The answer to a submission.
public enum Admission: Sendable, Equatable {
    /// Queued; `position` requests were waiting ahead of it.
    case queued(position: Int)
    /// The queue is full; try again after about `retryAfter`.
    case queueFull(retryAfter: Duration)
    /// The prompt plus `max_tokens` needs `pagesNeeded` KV pages but the whole pool has `pageCount`; it could
    /// never run.
    case tooLarge(pagesNeeded: Int, pageCount: Int)
    /// The worker is draining and takes no new requests.
    case draining
}
