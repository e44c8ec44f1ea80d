import Testing

@testable import Worker

struct BatchSchedulerTests {
    let t0 = ContinuousClock.now

    func scheduler(
        minimum: Int = 4, maximum: Int = 32, wait: Duration = .milliseconds(200), queue: Int = 8, stepTokens: Int = 64,
        chunk: Int = 16, pages: Int = 16, pageSize: Int = 4, prefixReuse: Int = 0
    ) -> BatchScheduler {
        BatchScheduler(
            configuration: SchedulerConfiguration(
                minimumBatchSize: minimum, maximumBatchSize: maximum, maximumWait: wait, maximumQueueLength: queue,
                maximumStepTokens: stepTokens, prefillChunkTokens: chunk, pageCount: pages, pageSize: pageSize,
                minimumPrefixReuse: prefixReuse))
    }

    func plan(_ s: inout BatchScheduler, at offset: Duration) -> StepPlan? {
        guard case .run(let plan) = s.plan(now: t0 + offset) else { return nil }
        return plan
    }

    /// Runs `plan` and feeds back token 7 for every sampling entry.
    func finish(_ s: inout BatchScheduler, _ plan: StepPlan) {
        s.complete(plan, durationSeconds: 0.01)
        for entry in plan.entries where entry.samples { s.append(7, to: entry.request) }
    }

    @Test func emptySchedulerIsIdle() {
        var s = scheduler()
        #expect(s.plan(now: t0) == .idle)
    }

    @Test(arguments: [
        // (requests submitted at t0, look at ms, expect a run)
        (1, 0, false), (3, 199, false), (1, 200, true), (3, 250, true), (4, 0, true), (6, 0, true),
    ])
    func partialBatchIsHeldUntilMinimumOrMaximumWait(requests: Int, at milliseconds: Int, runs: Bool) {
        var s = scheduler()
        for i in 0..<requests {
            _ = s.submit(RequestID(UInt64(i)), promptTokens: [1, 2], maximumNewTokens: 4, now: t0)
        }
        let decision = s.plan(now: t0 + .milliseconds(milliseconds))
        if runs {
            guard case .run(let plan) = decision else {
                Issue.record("expected a step, got \(decision)")
                return
            }
            #expect(plan.entries.count == requests)
            #expect(plan.started.map(\.waited) == Array(repeating: .milliseconds(milliseconds), count: requests))
        } else {
            #expect(decision == .wait(until: t0 + .milliseconds(200)))
        }
    }

    @Test func newRequestsJoinTheRunningBatchBetweenSteps() throws {
        var s = scheduler(minimum: 1)
        _ = s.submit(RequestID(0), promptTokens: [1, 2, 3], maximumNewTokens: 10, now: t0)
        let first = try #require(plan(&s, at: .zero))
        #expect(
            first.entries == [StepEntry(request: RequestID(0), tokens: [1, 2, 3], startsSequence: true, samples: true)])
        finish(&s, first)
        _ = s.submit(RequestID(1), promptTokens: [4, 5], maximumNewTokens: 10, now: t0 + .milliseconds(5))
        let second = try #require(plan(&s, at: .milliseconds(6)))
        #expect(
            second.entries == [
                StepEntry(request: RequestID(0), tokens: [7], startsSequence: false, samples: true),
                StepEntry(request: RequestID(1), tokens: [4, 5], startsSequence: true, samples: true),
            ])
        #expect(second.started.map(\.request) == [RequestID(1)])
        #expect(s.runningCount == 2)
    }

    @Test func longPromptIsPrefilledInChunksWhileOthersDecode() throws {
        var s = scheduler(minimum: 1, chunk: 4)
        _ = s.submit(RequestID(0), promptTokens: [1], maximumNewTokens: 20, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))
        _ = s.submit(RequestID(1), promptTokens: Array(10..<20), maximumNewTokens: 2, now: t0)
        var chunks: [[Int]] = []
        var decodeSteps = 0
        for step in 1...3 {
            let p = try #require(plan(&s, at: .milliseconds(step)))
            #expect(p.entries.first?.request == RequestID(0))
            decodeSteps += 1
            chunks.append(p.entries.first { $0.request == RequestID(1) }?.tokens ?? [])
            #expect(p.entries.last?.samples == (step == 3))
            finish(&s, p)
        }
        #expect(chunks == [[10, 11, 12, 13], [14, 15, 16, 17], [18, 19]])
        #expect(decodeSteps == 3)
    }

    @Test func batchNeverExceedsTheMaximum() throws {
        var s = scheduler(minimum: 1, maximum: 3, stepTokens: 64)
        for i in 0..<5 { _ = s.submit(RequestID(UInt64(i)), promptTokens: [1], maximumNewTokens: 3, now: t0) }
        let p = try #require(plan(&s, at: .zero))
        #expect(p.entries.map(\.request) == [RequestID(0), RequestID(1), RequestID(2)])
        #expect(s.queueDepth == 2)
    }

    @Test func fullQueueRejectsWithRetryAfter() {
        var s = scheduler(queue: 2)
        #expect(s.submit(RequestID(0), promptTokens: [1], maximumNewTokens: 3, now: t0) == .queued(position: 0))
        #expect(s.submit(RequestID(1), promptTokens: [1], maximumNewTokens: 3, now: t0) == .queued(position: 1))
        guard case .queueFull(let retryAfter) = s.submit(RequestID(2), promptTokens: [1], maximumNewTokens: 3, now: t0)
        else {
            Issue.record("a third request should be refused")
            return
        }
        #expect(retryAfter >= .seconds(1))
        #expect(s.queueDepth == 2)
    }

    @Test(arguments: [(16, 48, true), (16, 49, false), (14, 50, true), (60, 5, false)])
    func requestThatCanNeverFitIsRefused(prompt: Int, newTokens: Int, fits: Bool) {
        var s = scheduler(pages: 16, pageSize: 4)
        let admission = s.submit(
            RequestID(0), promptTokens: Array(repeating: 1, count: prompt), maximumNewTokens: newTokens, now: t0)
        if fits {
            #expect(admission == .queued(position: 0))
        } else {
            #expect(admission == .tooLarge(pagesNeeded: (prompt + newTokens + 3) / 4, pageCount: 16))
        }
    }

    @Test func drainingRefusesNewRequestsAndFlushesThePartialBatch() throws {
        var s = scheduler()
        _ = s.submit(RequestID(0), promptTokens: [1], maximumNewTokens: 3, now: t0)
        s.startDraining()
        #expect(s.submit(RequestID(1), promptTokens: [1], maximumNewTokens: 3, now: t0) == .draining)
        let p = try #require(plan(&s, at: .zero))
        #expect(p.entries.map(\.request) == [RequestID(0)])
    }

    @Test func cancelledRequestsLeaveAtTheNextStep() throws {
        var s = scheduler(minimum: 1)
        _ = s.submit(RequestID(0), promptTokens: [1], maximumNewTokens: 9, now: t0)
        _ = s.submit(RequestID(1), promptTokens: [2], maximumNewTokens: 9, now: t0)
        _ = s.submit(RequestID(2), promptTokens: [3], maximumNewTokens: 9, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))
        #expect(s.remove(RequestID(1)) == .running)
        #expect(s.remove(RequestID(1)) == .unknown)
        let p = try #require(plan(&s, at: .milliseconds(1)))
        #expect(p.entries.map(\.request) == [RequestID(0), RequestID(2)])
        #expect(s.usedPages == 2)
    }

    @Test func requestWaitsForPagesInsteadOfTakingAnothersPages() throws {
        // 4 pages of 4 tokens: request 0 takes 3 pages with its prompt; request 1's 8-token prompt needs 2.
        var s = scheduler(minimum: 1, pages: 4, pageSize: 4)
        _ = s.submit(RequestID(0), promptTokens: Array(0..<12), maximumNewTokens: 2, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))
        _ = s.submit(RequestID(1), promptTokens: Array(0..<8), maximumNewTokens: 4, now: t0)
        // Request 0 needs its 4th page for its 13th token; request 1 may only take what is left: nothing.
        let p = try #require(plan(&s, at: .milliseconds(1)))
        #expect(p.entries.map(\.request) == [RequestID(0)])
        #expect(p.preempted.isEmpty)
        finish(&s, p)
        #expect(s.usedPages == 4)
        s.remove(RequestID(0))
        let q = try #require(plan(&s, at: .milliseconds(2)))
        #expect(
            q.entries == [StepEntry(request: RequestID(1), tokens: Array(0..<8), startsSequence: true, samples: true)])
    }

    @Test func decodingThatRunsOutOfPagesPreemptsTheYoungestAndRecomputesIt() throws {
        // 3 pages of 4 tokens. Two requests of 4-token prompts take a page each; when both need a second page
        // only one is free, so the younger is pushed back and later prefilled again with what it generated.
        var s = scheduler(minimum: 1, pages: 3, pageSize: 4)
        _ = s.submit(RequestID(0), promptTokens: [1, 2, 3], maximumNewTokens: 8, now: t0)
        _ = s.submit(RequestID(1), promptTokens: [4, 5, 6], maximumNewTokens: 8, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))  // both cache 3 tokens, sample one each
        finish(&s, try #require(plan(&s, at: .milliseconds(1))))  // both cache 4 tokens (1 page each)
        #expect(s.usedPages == 2)
        let p = try #require(plan(&s, at: .milliseconds(2)))
        #expect(p.preempted == [RequestID(1)])
        #expect(p.entries.map(\.request) == [RequestID(0)])
        #expect(s.queueDepth == 1)
        finish(&s, p)
        s.remove(RequestID(0))
        let q = try #require(plan(&s, at: .milliseconds(3)))
        #expect(
            q.entries == [
                StepEntry(request: RequestID(1), tokens: [4, 5, 6, 7, 7], startsSequence: true, samples: true)
            ])
        #expect(q.started.isEmpty)
    }

    /// (newcomer's prompt, minimum reuse, expected copy): request 0 has cached [1 … 10] and request 1
    /// [1, 2, 3, 4, 5, 20, 21, 22]; both decode.
    @Test(
        arguments: [
            ([1, 2, 3, 4, 5, 6, 99, 100], 4, PrefixCopy(source: RequestID(0), count: 6)),
            ([1, 2, 3, 4, 5, 20, 21, 99], 4, PrefixCopy(source: RequestID(1), count: 7)),  // the longer shared run
            ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, PrefixCopy(source: RequestID(0), count: 9)),  // all but the last token
            ([1, 2, 3, 4, 5, 6, 7, 8, 99], 8, PrefixCopy(source: RequestID(0), count: 8)),
            ([1, 2, 3, 99, 100], 4, nil),  // three shared tokens are below the minimum
            ([1, 2, 3, 4, 5, 6, 7, 8, 99], 0, nil),  // reuse turned off
            ([1, 2, 3, 4, 5, 6, 7, 8, 99], 9, nil),
            ([1, 2, 3, 4], 4, nil),  // copying all but the last token would be fewer than the minimum
            ([2, 1, 3, 4, 5, 6, 7, 8, 9], 1, nil),
        ] as [([Int], Int, PrefixCopy?)])
    func newcomerCopiesTheLongestCachedPrefixOfARunningRequest(prompt: [Int], minimum: Int, expected: PrefixCopy?)
        throws
    {
        let (entry, pages) = try joinAfterTwoRunning(prompt, minimum: minimum)
        #expect(entry.prefix == expected)
        #expect(entry.startsSequence)
        #expect(entry.samples)
        #expect(entry.tokens == Array(prompt[(expected?.count ?? 0)...]))
        // Copied tokens own pages as computed ones do: the accounting is the same as without reuse.
        #expect(pages == (try joinAfterTwoRunning(prompt, minimum: 0)).pages)
    }

    /// Runs requests 0 ([1 … 10]) and 1 ([1, 2, 3, 4, 5, 20, 21, 22]) into decoding, then submits `prompt`:
    /// its entry in the next step and the pages in use after that step.
    private func joinAfterTwoRunning(_ prompt: [Int], minimum: Int) throws -> (entry: StepEntry, pages: Int) {
        var s = scheduler(minimum: 1, chunk: 64, prefixReuse: minimum)
        _ = s.submit(RequestID(0), promptTokens: Array(1...10), maximumNewTokens: 4, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))
        _ = s.submit(RequestID(1), promptTokens: [1, 2, 3, 4, 5, 20, 21, 22], maximumNewTokens: 4, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))
        _ = s.submit(RequestID(2), promptTokens: prompt, maximumNewTokens: 4, now: t0)
        let step = try #require(plan(&s, at: .zero))
        let entry = try #require(step.entries.first { $0.request == RequestID(2) })
        finish(&s, step)
        return (entry, s.usedPages)
    }

    /// A preempted request that joins again copies what a running request shares with its tokens, generated ones
    /// included, as any newcomer does.
    @Test func requeuedRequestReusesAPrefixToo() throws {
        var s = scheduler(minimum: 1, chunk: 64, prefixReuse: 4)
        _ = s.submit(RequestID(0), promptTokens: Array(1...8), maximumNewTokens: 4, now: t0)
        finish(&s, try #require(plan(&s, at: .zero)))
        _ = s.submit(RequestID(1), promptTokens: Array(1...8), maximumNewTokens: 4, now: t0)
        let step = try #require(plan(&s, at: .zero))
        #expect(step.entries.last?.prefix == PrefixCopy(source: RequestID(0), count: 7))
        #expect(step.entries.last?.tokens == [8])
    }

    @Test func stepTokenBudgetIsRespected() throws {
        var s = scheduler(minimum: 1, stepTokens: 8, chunk: 8, pages: 64)
        for i in 0..<3 {
            _ = s.submit(
                RequestID(UInt64(i)), promptTokens: Array(repeating: 1, count: 5), maximumNewTokens: 2, now: t0)
        }
        let p = try #require(plan(&s, at: .zero))
        #expect(p.tokenCount == 8)
        #expect(p.entries.map(\.tokens.count) == [5, 3])
    }

    @Test(arguments: [
        SchedulerConfiguration(minimumBatchSize: 0),
        SchedulerConfiguration(minimumBatchSize: 5, maximumBatchSize: 4),
        SchedulerConfiguration(maximumWait: .milliseconds(-1)),
        SchedulerConfiguration(maximumBatchSize: 64, maximumStepTokens: 32),
        SchedulerConfiguration(pageCount: 0),
    ])
    func badConfigurationsAreRefused(configuration: SchedulerConfiguration) {
        #expect(throws: WorkerConfigurationError.self) { try configuration.validate() }
    }
}
