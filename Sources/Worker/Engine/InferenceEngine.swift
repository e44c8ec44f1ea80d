import Dispatch
public import Engine
import Foundation

/// Owns a model and its runner, and runs the ``BatchScheduler``'s steps on one dedicated thread (the forward
/// pass is CPU-bound and must not block Swift's cooperative pool), streaming each request's tokens through an
/// `AsyncStream`.
///
/// Submissions, cancellations and drain requests take a short lock; the forward pass runs outside it.
public final class InferenceEngine: @unchecked Sendable {
    // Unchecked: `runner`, `contexts` and `loopRunning` are touched only by the engine thread; everything else
    // only under `condition`'s lock.

    /// Sizes of the engine.
    public struct Configuration: Sendable {
        /// Batching limits and the KV pool's size.
        public var scheduler: SchedulerConfiguration
        /// Threads of one forward pass (default: all active processors).
        public var threadCount: Int
        /// Longest sequence, prompt plus generated, in tokens (default: the model's context length, at most 8192).
        public var maximumSequenceLength: Int?

        /// Makes a configuration.
        public init(
            scheduler: SchedulerConfiguration = SchedulerConfiguration(), threadCount: Int? = nil,
            maximumSequenceLength: Int? = nil
        ) {
            self.scheduler = scheduler
            self.threadCount = threadCount ?? ModelRunner.Configuration.activeProcessorCount
            self.maximumSequenceLength = maximumSequenceLength
        }
    }

    /// The model served.
    public let model: Model
    /// Its tokenizer.
    public let tokenizer: Tokenizer
    /// Tokens that end generation (end of text, ChatML's `<|im_end|>`).
    public let endTokens: Set<Int>
    /// Longest sequence, in tokens.
    public let maximumSequenceLength: Int
    /// Bytes of one KV page.
    public let bytesPerPage: Int
    /// Bytes of the weights.
    public let weightBytes: Int
    /// The metrics updated as requests move.
    public let metrics: WorkerMetrics
    /// The engine's sizes.
    public let configuration: Configuration

    private let runner: ModelRunner
    private let condition = NSCondition()
    // Under the lock:
    private var scheduler: BatchScheduler
    private var inbox: [(RequestID, RequestState)] = []
    private var cancelled: [RequestID] = []
    private var nextID: UInt64 = 0
    private var stopRequested = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    private var threadStarted = false
    private var threadExited = false
    // Engine thread only:
    private var contexts: [RequestID: RequestState] = [:]
    private var sequences: [RequestID: SequenceID] = [:]
    /// Logits with the end tokens masked, for requests that ignore end of text; reused so sampling them does not
    /// allocate.
    private var maskedLogits: [Float] = []

    /// Makes an engine for `model`, allocating its KV pool and scratch buffers; ``start()`` runs it.
    ///
    /// - Throws: ``WorkerConfigurationError`` when a size is out of range or the model has no tokenizer.
    public init(model: Model, metrics: WorkerMetrics, configuration: Configuration) throws(WorkerConfigurationError) {
        try configuration.scheduler.validate()
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(gguf: model.file.header)
        } catch {
            throw WorkerConfigurationError("\(model.file.file.path): \(error.description)")
        }
        let c = model.configuration
        let length = configuration.maximumSequenceLength ?? min(c.contextLength, 8192)
        do {
            runner = try ModelRunner(
                model: model,
                configuration: ModelRunner.Configuration(
                    threadCount: configuration.threadCount,
                    maximumBatchTokens: configuration.scheduler.maximumStepTokens,
                    maximumBatchSequences: configuration.scheduler.maximumBatchSize,
                    pageCount: configuration.scheduler.pageCount, pageSize: configuration.scheduler.pageSize,
                    maximumSequenceLength: length))
        } catch {
            throw WorkerConfigurationError(error.description)
        }
        self.model = model
        self.tokenizer = tokenizer
        self.metrics = metrics
        self.configuration = configuration
        maximumSequenceLength = length
        bytesPerPage = runner.cacheByteCount / configuration.scheduler.pageCount
        // Every tensor was range-checked when the model loaded, so the byte counts are the data sizes.
        weightBytes = model.file.header.tensors.reduce(0) { $0 + $1.byteCount }
        var ends = Set<Int>()
        if let eos = tokenizer.eosToken { ends.insert(eos) }
        for text in ["<|im_end|>", "<|endoftext|>"] { if let id = tokenizer.id(of: text) { ends.insert(id) } }
        endTokens = ends
        scheduler = BatchScheduler(configuration: configuration.scheduler)
        publishGauges(batchSize: 0)
    }

    /// Starts the engine thread (once).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !threadStarted else { return }
        threadStarted = true
        let thread = Thread { [self] in loop() }
        thread.name = "ballast-engine"
        thread.start()
    }

    /// Queues `request` and returns its id and event stream.
    ///
    /// - Throws: ``AdmissionError`` when the queue is full, the worker is draining, the request can never fit, or
    ///   a parameter is out of range.
    public func submit(_ request: GenerationRequest) throws(AdmissionError) -> (RequestID, AsyncStream<GenerationEvent>)
    {
        guard !request.promptTokens.isEmpty else {
            throw .invalidParameters("The prompt is empty; give at least one token.")
        }
        guard request.maximumTokens >= 1 else {
            throw .invalidParameters("max_tokens (\(request.maximumTokens)) must be at least 1.")
        }
        let total = request.promptTokens.count + request.maximumTokens
        guard total <= maximumSequenceLength else {
            throw .tooLarge(
                "The prompt (\(request.promptTokens.count) tokens) plus max_tokens (\(request.maximumTokens)) is "
                    + "\(total) tokens, above this worker's context of \(maximumSequenceLength); shorten the prompt or "
                    + "lower max_tokens.")
        }
        let sampler: Sampler
        do {
            sampler = try Sampler(request.sampling)
        } catch {
            throw .invalidParameters(error.description)
        }
        let (stream, continuation) = AsyncStream<GenerationEvent>.makeStream(bufferingPolicy: .unbounded)
        let now = ContinuousClock.now
        condition.lock()
        let id = RequestID(nextID)
        nextID += 1
        let admission = scheduler.submit(
            id, promptTokens: request.promptTokens, maximumNewTokens: request.maximumTokens, now: now)
        switch admission {
        case .queued:
            inbox.append(
                (id, RequestState(request: request, sampler: sampler, continuation: continuation, submitted: now)))
            condition.signal()
            condition.unlock()
        case .queueFull(let retryAfter):
            condition.unlock()
            throw .queueFull(retryAfter: retryAfter)
        case .draining:
            condition.unlock()
            throw .draining
        case .tooLarge(let needed, let pageCount):
            condition.unlock()
            throw .tooLarge(
                "The prompt plus max_tokens needs \(needed) KV pages but the pool has \(pageCount); lower max_tokens "
                    + "or raise the memory budget.")
        }
        continuation.onTermination = { [weak self] reason in
            if case .cancelled = reason { self?.cancel(id) }
        }
        metrics.countPromptTokens(request.promptTokens.count)
        return (id, stream)
    }

    /// Drops a request at the next step (a client went away); its KV pages return to the pool.
    public func cancel(_ id: RequestID) {
        condition.lock()
        cancelled.append(id)
        condition.signal()
        condition.unlock()
    }

    /// Refuses new requests from now on (`/ready` turns false); queued and running requests go on.
    public func beginDraining() {
        condition.lock()
        scheduler.startDraining()
        condition.signal()
        condition.unlock()
    }

    /// Refuses new requests from now on and returns when every queued and running request has finished.
    public func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            scheduler.startDraining()
            if scheduler.isEmpty && inbox.isEmpty {
                condition.unlock()
                continuation.resume()
                return
            }
            drainWaiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }

    /// Whether the engine refuses new requests.
    public var isDraining: Bool {
        condition.lock()
        defer { condition.unlock() }
        return scheduler.isDraining
    }

    /// Stops the engine thread after its current step and returns when it has exited; requests still queued are
    /// failed.
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if !threadStarted || threadExited {
                condition.unlock()
                continuation.resume()
                return
            }
            stopRequested = true
            stopWaiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }

    // MARK: Engine thread

    private func loop() {
        while true {
            condition.lock()
            for (id, context) in inbox { contexts[id] = context }
            inbox.removeAll()
            for id in cancelled {
                if let context = contexts.removeValue(forKey: id) {
                    scheduler.remove(id)
                    release(id)
                    metrics.observeRequest(seconds: context.submitted.duration(to: .now).seconds, status: "cancelled")
                    context.continuation.finish()
                }
            }
            cancelled.removeAll()
            if scheduler.isEmpty && !drainWaiters.isEmpty {
                for waiter in drainWaiters { waiter.resume() }
                drainWaiters.removeAll()
            }
            if stopRequested {
                for (_, context) in contexts {
                    context.continuation.yield(.failed("The worker stopped.")); context.continuation.finish()
                }
                contexts.removeAll()
                threadExited = true
                let waiters = stopWaiters
                stopWaiters.removeAll()
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            let decision = scheduler.plan(now: .now)
            publishGauges(batchSize: 0, locked: true)
            switch decision {
            case .idle:
                condition.wait()
                condition.unlock()
                continue
            case .wait(let until):
                let seconds = ContinuousClock.now.duration(to: until).seconds
                if seconds > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
                condition.unlock()
                continue
            case .run(let plan):
                condition.unlock()
                run(plan)
            }
        }
    }

    private func release(_ id: RequestID) {
        if let sequence = sequences.removeValue(forKey: id) { runner.free(sequence) }
    }

    private func run(_ plan: StepPlan) {
        let started = ContinuousClock.now
        for id in plan.preempted { release(id) }
        for (_, waited) in plan.started { metrics.observeQueueWait(waited.seconds) }
        var batch: [ModelRunner.BatchEntry] = []
        batch.reserveCapacity(plan.entries.count)
        var failure: String?
        for entry in plan.entries {
            if entry.startsSequence { release(entry.request) }
            let sequence = sequences[entry.request] ?? runner.createSequence()
            sequences[entry.request] = sequence
            batch.append(ModelRunner.BatchEntry(sequence: sequence, tokens: entry.tokens))
            // The source is earlier in this loop or already running, so its cache holds the copied tokens.
            if let prefix = entry.prefix, failure == nil {
                guard let source = sequences[prefix.source] else {
                    failure = "the prefix source \(prefix.source) has no cache"
                    continue
                }
                do {
                    try runner.copyPrefix(of: source, count: prefix.count, to: sequence)
                    metrics.countReusedPromptTokens(prefix.count)
                } catch {
                    failure = error.description
                }
            }
        }
        if !batch.isEmpty && failure == nil {
            do {
                try runner.forward(batch)
            } catch {
                failure = error.description
            }
        }
        let now = ContinuousClock.now
        var sampled: [(RequestID, Int)] = []
        var finished: [RequestID] = []
        if let failure {
            // A step the scheduler planned should always fit; if it does not, fail its requests rather than guess.
            finished = plan.entries.map(\.request)
            for id in finished {
                guard let context = contexts[id] else { continue }
                metrics.observeRequest(seconds: context.submitted.duration(to: now).seconds, status: "error")
                context.continuation.yield(.failed("The engine failed a step: \(failure)"))
            }
        } else {
            for (index, entry) in plan.entries.enumerated() where entry.samples {
                guard var context = contexts[entry.request] else { continue }
                let choice = runner.withLogits(ofEntry: index) { logits in
                    guard context.request.ignoresEndOfText else { return sample(logits, for: &context) }
                    // As llama.cpp's ignore_eos: end tokens get no probability, so the text runs on to max_tokens.
                    maskedLogits.removeAll(keepingCapacity: true)
                    maskedLogits.append(contentsOf: logits)
                    for token in endTokens where maskedLogits.indices.contains(token) {
                        maskedLogits[token] = -.infinity
                    }
                    return maskedLogits.withUnsafeBufferPointer { sample($0, for: &context) }
                }
                let done = emit(choice, for: &context, now: now)
                contexts[entry.request] = context
                if done { finished.append(entry.request) } else { sampled.append((entry.request, choice.token)) }
            }
        }
        condition.lock()
        scheduler.complete(plan, durationSeconds: started.duration(to: now).seconds)
        for (id, token) in sampled { scheduler.append(token, to: id) }
        for id in finished {
            scheduler.remove(id)
            release(id)
            contexts.removeValue(forKey: id)?.continuation.finish()
        }
        publishGauges(batchSize: plan.entries.count, locked: true)
        condition.unlock()
    }

    /// The next token of `context`'s request, with log-probabilities only when the request reports them: they
    /// cost a pass of `exp` over the vocabulary, paid once per sequence of every step on this one thread.
    private func sample(_ logits: UnsafeBufferPointer<Float>, for context: inout RequestState) -> Choice {
        guard context.request.reportsLogprobs else {
            return Choice(token: context.sampler.nextToken(logits), logprobs: nil)
        }
        let sampled = context.sampler.sample(logits)
        return Choice(token: sampled.token, logprobs: sampled)
    }

    /// Sends the sampled token's text; returns whether the request is done.
    private func emit(_ choice: Choice, for context: inout RequestState, now: ContinuousClock.Instant) -> Bool {
        if let last = context.lastToken {
            metrics.observeInterTokenLatency(last.duration(to: now).seconds)
        } else {
            metrics.observeTimeToFirstToken(context.submitted.duration(to: now).seconds)
        }
        context.lastToken = now
        let promptCount = context.request.promptTokens.count
        let submitted = context.submitted
        // Counted before the last event goes out, so a client that saw its answer also sees it counted.
        let usage = { [metrics] (generated: Int) in
            metrics.observeRequest(seconds: submitted.duration(to: now).seconds, status: "ok")
            return Usage(promptTokens: promptCount, completionTokens: generated)
        }
        if endTokens.contains(choice.token) {
            let rest = context.matcher.finish()
            if !rest.isEmpty { context.continuation.yield(.delta(text: rest, tokens: [])) }
            context.continuation.yield(.finished(.stop, usage: usage(context.generated)))
            return true
        }
        context.generated += 1
        metrics.countGeneratedTokens(1)
        let bytes = tokenizer.decodeBytes([choice.token])
        var tokens: [GeneratedToken] = []
        if let logprobs = choice.logprobs {
            tokens.append(
                GeneratedToken(
                    text: String(decoding: bytes, as: UTF8.self), bytes: bytes, logprob: logprobs.chosen.logprob,
                    topLogprobs: logprobs.topLogprobs.map {
                        let b = tokenizer.decodeBytes([$0.token])
                        return (String(decoding: b, as: UTF8.self), b, $0.logprob)
                    }))
        }
        switch context.matcher.append(bytes) {
        case .stopped(let text):
            context.continuation.yield(.delta(text: text, tokens: tokens))
            context.continuation.yield(.finished(.stop, usage: usage(context.generated)))
            return true
        case .text(let text):
            let limit =
                context.generated >= context.request.maximumTokens
                || context.request.promptTokens.count + context.generated >= maximumSequenceLength
            if limit {
                context.continuation.yield(.delta(text: text + context.matcher.finish(), tokens: tokens))
                context.continuation.yield(.finished(.length, usage: usage(context.generated)))
                return true
            }
            if !text.isEmpty || !tokens.isEmpty { context.continuation.yield(.delta(text: text, tokens: tokens)) }
            return false
        }
    }

    private func publishGauges(batchSize: Int, locked: Bool = false) {
        let pages = scheduler.usedPages
        let pageCount = configuration.scheduler.pageCount
        var gauges = locked ? metrics.gauges : WorkerMetrics.EngineGauges()
        gauges.queueDepth = scheduler.queueDepth
        gauges.running = scheduler.runningCount
        if batchSize > 0 || !locked || scheduler.runningCount == 0 { gauges.batchSize = batchSize }
        gauges.kvCacheUsage = Double(pages) / Double(pageCount)
        let slots = pages * configuration.scheduler.pageSize
        gauges.kvCacheFragmentation = slots == 0 ? 0 : 1 - Double(scheduler.cachedTokens) / Double(slots)
        gauges.memoryUsedBytes = Double(weightBytes + pages * bytesPerPage)
        metrics.setGauges(gauges)
    }
}

/// A sampled token, with its log-probabilities when the request reports them.
struct Choice {
    var token: Int
    var logprobs: SampledToken?
}

/// The engine thread's state of one request.
struct RequestState {
    let request: GenerationRequest
    var sampler: Sampler
    let continuation: AsyncStream<GenerationEvent>.Continuation
    let submitted: ContinuousClock.Instant
    var matcher: StopSequenceMatcher
    var lastToken: ContinuousClock.Instant?
    var generated = 0

    init(
        request: GenerationRequest, sampler: Sampler, continuation: AsyncStream<GenerationEvent>.Continuation,
        submitted: ContinuousClock.Instant
    ) {
        self.request = request
        self.sampler = sampler
        self.continuation = continuation
        self.submitted = submitted
        matcher = StopSequenceMatcher(stopSequences: request.sampling.stopSequences)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
