/// Iteration-level continuous batching as a pure state machine: requests are submitted, each ``plan(now:)``
/// returns the next step (which requests append which tokens), and the engine reports what it generated.
///
/// - New requests join the running batch between steps, up to ``SchedulerConfiguration/maximumBatchSize``.
/// - An idle engine holds a partial batch until ``SchedulerConfiguration/minimumBatchSize`` requests wait or the
///   oldest has waited ``SchedulerConfiguration/maximumWait`` (document 002's batcher lacked that flush).
/// - Prompts are prefilled in chunks within a per-step token budget, so a long prompt does not stall decoding.
/// - KV pages are accounted exactly as the engine's ``KVPageTable`` does (a request of `n` cached tokens owns
///   ⌈n / pageSize⌉ pages). When decoding needs pages that are not free, the most recently started requests are
///   preempted: their caches are dropped and they are recomputed later. No step ever needs more pages than are
///   free, so one request can never overwrite another's cache.
/// - A joining request whose first tokens a running request has cached (a shared chat template or system prompt,
///   at least ``SchedulerConfiguration/minimumPrefixReuse`` of them) starts from a copy of that cache and
///   prefills only the rest.
/// - A request that can never fit the pool is refused at submission; the queue is bounded.
///
/// Time is a parameter; nothing here blocks or does I/O.
public struct BatchScheduler: Sendable {
    /// The limits planned within.
    public let configuration: SchedulerConfiguration
    /// Whether new submissions are refused (set by ``startDraining()``).
    public private(set) var isDraining = false

    private var waiting: [Request] = []
    private var running: [Request] = []
    /// Mean seconds of a step, smoothed, for retry-after estimates.
    private var stepSeconds: Double = 0.05

    struct Request: Sendable {
        let id: RequestID
        let submitted: ContinuousClock.Instant
        /// Prompt then generated tokens.
        var tokens: [Int]
        let promptCount: Int
        let maximumNewTokens: Int
        /// Tokens in the KV cache.
        var cached = 0
        var hasStarted = false

        var generated: Int { tokens.count - promptCount }
    }

    /// A scheduler with nothing queued.
    public init(configuration: SchedulerConfiguration = SchedulerConfiguration()) {
        self.configuration = configuration
    }

    /// Requests waiting for a place in the batch (including preempted ones).
    public var queueDepth: Int { waiting.count }
    /// Requests in the running batch.
    public var runningCount: Int { running.count }
    /// Whether nothing is queued or running.
    public var isEmpty: Bool { waiting.isEmpty && running.isEmpty }
    /// KV pages owned by running requests.
    public var usedPages: Int { running.reduce(0) { $0 + pages(for: $1.cached) } }
    /// Tokens cached by running requests (to measure how full their pages are).
    public var cachedTokens: Int { running.reduce(0) { $0 + $1.cached } }

    private func pages(for tokens: Int) -> Int { (tokens + configuration.pageSize - 1) / configuration.pageSize }

    /// Queues a request of `promptTokens` (at least one) that may generate up to `maximumNewTokens` more.
    public mutating func submit(
        _ id: RequestID, promptTokens: [Int], maximumNewTokens: Int, now: ContinuousClock.Instant
    ) -> Admission {
        if isDraining { return .draining }
        let needed = pages(for: promptTokens.count + max(0, maximumNewTokens))
        guard needed <= configuration.pageCount else {
            return .tooLarge(pagesNeeded: needed, pageCount: configuration.pageCount)
        }
        guard waiting.count < configuration.maximumQueueLength else {
            return .queueFull(retryAfter: retryAfterEstimate())
        }
        waiting.append(
            Request(
                id: id, submitted: now, tokens: promptTokens, promptCount: promptTokens.count,
                maximumNewTokens: max(0, maximumNewTokens)))
        return .queued(position: waiting.count - 1)
    }

    /// About how long until a queue place frees: the steps until the closest running request reaches its token
    /// limit times the mean step time, and at least one second (`Retry-After` counts whole seconds).
    public func retryAfterEstimate() -> Duration {
        let steps = running.map { max(1, $0.maximumNewTokens - $0.generated) }.min() ?? 1
        let rounds = Double(waiting.count / max(1, configuration.maximumBatchSize) + 1)
        return .seconds(max(1, (Double(steps) * stepSeconds * rounds).rounded(.up)))
    }

    /// Refuses new submissions from now on; queued and running requests go on.
    public mutating func startDraining() {
        isDraining = true
    }

    /// Removes a finished or cancelled request. Returns whether it was running (then the engine frees its
    /// sequence), waiting, or unknown.
    @discardableResult
    public mutating func remove(_ id: RequestID) -> Removal {
        if let i = running.firstIndex(where: { $0.id == id }) {
            running.remove(at: i)
            return .running
        }
        if let i = waiting.firstIndex(where: { $0.id == id }) {
            let hadCache = waiting[i].cached > 0
            waiting.remove(at: i)
            return hadCache ? .running : .waiting
        }
        return .unknown
    }

    /// Where a removed request was.
    public enum Removal: Sendable, Equatable {
        /// In the batch: its KV sequence must be freed.
        case running
        /// Still queued: it owned no pages.
        case waiting
        /// Not known (already finished).
        case unknown
    }

    /// The next step at `now`.
    public mutating func plan(now: ContinuousClock.Instant) -> SchedulerDecision {
        if running.isEmpty {
            guard let oldest = waiting.first else { return .idle }
            let deadline = oldest.submitted.advanced(by: configuration.maximumWait)
            if waiting.count < configuration.minimumBatchSize && now < deadline && !isDraining {
                return .wait(until: deadline)
            }
        }
        var plan = StepPlan()
        var free = configuration.pageCount - usedPages

        // Decoding requests need room for one more token; preempt the youngest until they all have it.
        while true {
            let needed = running.filter { $0.cached == $0.tokens.count - 1 }.reduce(0) {
                $0 + pages(for: $1.cached + 1) - pages(for: $1.cached)
            }
            if needed <= free || running.count <= 1 { break }
            guard let victim = running.popLast() else { break }
            free += pages(for: victim.cached)
            var requeued = victim
            requeued.cached = 0
            waiting.insert(requeued, at: 0)
            plan.preempted.append(victim.id)
        }

        // Admit queued requests while the batch has room and their first chunk fits.
        var budget = configuration.maximumStepTokens
        var prefillBudget = configuration.prefillChunkTokens
        let decoding = running.filter { $0.cached == $0.tokens.count - 1 }.count
        budget -= decoding
        var reserved = running.filter { $0.cached == $0.tokens.count - 1 }.reduce(0) {
            $0 + pages(for: $1.cached + 1) - pages(for: $1.cached)
        }
        for i in running.indices {
            let r = running[i]
            if r.cached == r.tokens.count - 1 {
                plan.entries.append(
                    StepEntry(request: r.id, tokens: [r.tokens[r.cached]], startsSequence: false, samples: true))
                continue
            }
            // Still prefilling: the next chunk within the budgets and free pages.
            let chunk = chunkLength(of: r, budget: min(budget, prefillBudget), freePages: free - reserved)
            guard chunk > 0 else { continue }
            plan.entries.append(entry(for: r, chunk: chunk))
            budget -= chunk
            prefillBudget -= chunk
            reserved += pages(for: r.cached + chunk) - pages(for: r.cached)
        }
        // A request joins only when the pages for its whole prompt and first token are free (so a half-prefilled
        // newcomer never holds pages the batch needs), and never in the step that preempted it.
        while running.count < configuration.maximumBatchSize, let next = waiting.first, budget > 0, prefillBudget > 0,
            !plan.preempted.contains(next.id), pages(for: next.tokens.count + 1) <= free - reserved
        {
            var r = next
            let prefix = prefixSource(for: r)
            r.cached = prefix?.count ?? 0
            let chunk = chunkLength(of: r, budget: min(budget, prefillBudget), freePages: free - reserved)
            guard chunk > 0 else { break }
            waiting.removeFirst()
            if !r.hasStarted {
                r.hasStarted = true
                plan.started.append((r.id, r.submitted.duration(to: now)))
            }
            plan.entries.append(entry(for: r, chunk: chunk, prefix: prefix))
            budget -= chunk
            prefillBudget -= chunk
            reserved += pages(for: r.cached + chunk)
            running.append(r)
        }
        if plan.entries.isEmpty && running.count > 1, let victim = running.popLast() {
            // Prefilling requests hold every page and none can move: push the youngest back and plan again.
            var requeued = victim
            requeued.cached = 0
            waiting.insert(requeued, at: 0)
            guard case .run(var next) = self.plan(now: now) else {
                return .run(StepPlan(preempted: plan.preempted + [victim.id]))
            }
            next.preempted = plan.preempted + [victim.id] + next.preempted
            next.started = plan.started + next.started
            return .run(next)
        }
        return .run(plan)
    }

    private func entry(for r: Request, chunk: Int, prefix: PrefixCopy? = nil) -> StepEntry {
        let end = r.cached + chunk
        return StepEntry(
            request: r.id, tokens: Array(r.tokens[r.cached..<end]), startsSequence: r.cached == 0 || prefix != nil,
            samples: end == r.tokens.count, prefix: prefix)
    }

    /// The running request that has cached the longest run of `r`'s first tokens, when that run is at least
    /// ``SchedulerConfiguration/minimumPrefixReuse`` long. At least one token is left to prefill, so the step
    /// that finishes the prompt computes its logits. A source that joined in this step has cached only what it
    /// copied itself, and the engine copies in entry order, so its copy is there first.
    private func prefixSource(for r: Request) -> PrefixCopy? {
        let minimum = configuration.minimumPrefixReuse
        guard minimum > 0, r.tokens.count > minimum else { return nil }
        var best: PrefixCopy?
        for s in running {
            let limit = min(s.cached, r.tokens.count - 1)
            guard limit >= minimum, limit > (best?.count ?? 0) else { continue }
            var n = 0
            while n < limit && s.tokens[n] == r.tokens[n] { n += 1 }
            if n >= minimum && n > (best?.count ?? 0) { best = PrefixCopy(source: s.id, count: n) }
        }
        return best
    }

    /// The longest chunk of `r`'s uncached tokens within `budget` tokens whose new pages fit in `freePages`.
    private func chunkLength(of r: Request, budget: Int, freePages: Int) -> Int {
        var chunk = min(budget, r.tokens.count - r.cached)
        guard chunk > 0 else { return 0 }
        let room = (pages(for: r.cached) + max(0, freePages)) * configuration.pageSize - r.cached
        chunk = min(chunk, room)
        return max(0, chunk)
    }

    /// Records that `plan` ran: every entry's tokens are now cached. `durationSeconds` feeds the retry-after
    /// estimate.
    public mutating func complete(_ plan: StepPlan, durationSeconds: Double) {
        for entry in plan.entries {
            if let i = running.firstIndex(where: { $0.id == entry.request }) {
                running[i].cached += entry.tokens.count
            }
        }
        if durationSeconds.isFinite && durationSeconds >= 0 {
            stepSeconds = 0.8 * stepSeconds + 0.2 * durationSeconds
        }
    }

    /// Appends a generated token to a running request (it is fed back in the next step).
    public mutating func append(_ token: Int, to id: RequestID) {
        if let i = running.firstIndex(where: { $0.id == id }) { running[i].tokens.append(token) }
    }
}
