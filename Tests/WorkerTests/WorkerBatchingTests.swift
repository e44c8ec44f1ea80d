import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

@testable import Worker

/// Continuous batching, backpressure, disconnects and drain, seen from HTTP clients on loopback.
struct WorkerBatchingTests {
    /// Streams a completion and reports each chunk to `onChunk`; returns the number of chunks.
    static func stream(
        _ worker: WorkerHarness, prompt: String = "go", maxTokens: Int, onChunk: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Int {
        var request = HTTPClientRequest(url: worker.base + "/v1/completions")
        request.method = .POST
        let body: [String: Any] = ["prompt": prompt, "temperature": 0, "stream": true, "max_tokens": maxTokens]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await worker.client.execute(request, timeout: .seconds(120))
        var count = 0
        for try await _ in response.body {
            count += 1
            onChunk(count)
        }
        return count
    }

    @Test func requestJoinsARunningBatch() async throws {
        try await WorkerHarness.with { worker in
            let (started, startedContinuation) = AsyncStream<Void>.makeStream()
            let order = Mutex<[String]>([])
            async let long: Int = Self.stream(worker, maxTokens: 1000) { chunk in
                if chunk == 1 { startedContinuation.yield() }
            }
            var iterator = started.makeAsyncIterator()
            await iterator.next()
            let short = try await worker.post("/v1/completions", ["prompt": "b", "max_tokens": 3, "temperature": 0])
            order.withLock { $0.append("short done") }
            #expect(short.status == 200)
            let chunks = try await long
            order.withLock { $0.append("long done") }
            #expect(chunks > 1)
            // The short request was admitted and finished while the long one was still decoding.
            #expect(order.withLock { $0 } == ["short done", "long done"])
            #expect(try await worker.metric("ballast_requests_total", ["status": "ok"]) == 2)
        }
    }

    /// A request that joins while another with the same opening runs copies that opening's cache instead of
    /// prefilling it, and answers exactly what it answers alone.
    @Test func joiningRequestReusesTheSharedPromptStart() async throws {
        let opening = "The same long opening that every request of this test begins with, word for word,"
        let ask: [String: Any] = [
            "prompt": opening + " then asks its own question?", "max_tokens": 8, "temperature": 0,
        ]
        try await WorkerHarness.with({ $0.scheduler.minimumPrefixReuse = 8 }) { worker in
            let alone = try await worker.post("/v1/completions", ask)
            #expect(alone.status == 200)
            #expect(try await worker.metric("ballast_prompt_tokens_reused_total") == 0)

            let text = { (answer: WorkerHarness.Answer) throws -> String? in
                let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                return ((object?["choices"] as? [[String: Any]])?.first?["text"]) as? String
            }
            // The long request must still run when the other joins; on a machine slow enough for it to finish
            // first, try again (at most five times).
            var reused = 0.0
            for _ in 0..<5 where reused == 0 {
                let (started, startedContinuation) = AsyncStream<Void>.makeStream()
                async let long: Int = Self.stream(worker, prompt: opening + " and goes on and on", maxTokens: 850) {
                    chunk in
                    if chunk == 1 { startedContinuation.yield() }
                }
                var iterator = started.makeAsyncIterator()
                await iterator.next()
                let joined = try await worker.post("/v1/completions", ask)
                #expect(joined.status == 200)
                #expect(try text(joined) == (try text(alone)))
                #expect(try await long > 1)
                reused = try #require(try await worker.metric("ballast_prompt_tokens_reused_total"))
            }
            #expect(reused >= 8, "the joining request copied \(reused) tokens")
        }
    }

    @Test func partialBatchIsFlushedAfterMaximumWait() async throws {
        try await WorkerHarness.with({
            $0.scheduler.minimumBatchSize = 4
            $0.scheduler.maximumWait = .milliseconds(300)
        }) { worker in
            let answer = try await worker.post("/v1/completions", ["prompt": "a", "max_tokens": 2])
            #expect(answer.status == 200)
            let waited = try #require(try await worker.metric("ballast_queue_wait_seconds_sum"))
            #expect(waited >= 0.3)
            #expect(try await worker.metric("ballast_queue_wait_seconds_count") == 1)
        }
    }

    @Test func fullQueueAnswers429AndDrainFinishesEveryAcceptedRequest() async throws {
        // A batch of 4 is awaited for a minute, so two requests sit in the queue (its limit) while a third comes.
        let accepted = Mutex<[Int]>([])
        try await WorkerHarness.with({
            $0.scheduler.minimumBatchSize = 4
            $0.scheduler.maximumWait = .seconds(60)
            $0.scheduler.maximumQueueLength = 2
        }) { worker in
            async let first = worker.post("/v1/completions", ["prompt": "a", "max_tokens": 4])
            async let second = worker.post("/v1/completions", ["prompt": "b", "max_tokens": 4])
            try await eventually("two requests are queued") {
                try await worker.metric("ballast_queue_depth") == 2
            }
            let refused = try await worker.post("/v1/completions", ["prompt": "c", "max_tokens": 4])
            #expect(refused.status == 429)
            #expect(Int(refused.header("retry-after") ?? "") ?? 0 >= 1)
            #expect((refused.json["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
            #expect(try await worker.metric("ballast_requests_rejected_total", ["reason": "queue_full"]) == 1)
            // Graceful shutdown (what SIGTERM triggers): not ready, no admissions, the queued two still finish.
            await worker.group.triggerGracefulShutdown()
            // The drain can finish (and the server close) within milliseconds, so readiness is read from the engine
            // here; drainRefusesNewRequests checks `/ready` over HTTP.
            try await eventually("the worker reports it is draining") { worker.server.engine.isDraining }
            for answer in try await [first, second] {
                #expect(answer.status == 200)
                accepted.withLock { $0.append((answer.json["usage"] as? [String: Int])?["completion_tokens"] ?? 0) }
            }
        }
        #expect(accepted.withLock { $0 } == [4, 4])
    }

    @Test func disconnectedClientFreesItsSlot() async throws {
        try await WorkerHarness.with({
            $0.scheduler.maximumBatchSize = 1; $0.scheduler.maximumStepTokens = 64
        }) { worker in
            // On a loaded machine the engine thread may finish all 1000 tokens before the disconnect reaches it;
            // such an attempt proves nothing, so it is repeated (at most five times) until one is cut short.
            var cancelled = 0.0
            for attempt in 1...5 {
                let (started, startedContinuation) = AsyncStream<Void>.makeStream()
                let task = Task {
                    try await Self.stream(worker, maxTokens: 1000) { chunk in
                        if chunk == 1 { startedContinuation.yield() }
                    }
                }
                var iterator = started.makeAsyncIterator()
                await iterator.next()
                task.cancel()
                try await eventually(within: 120, "attempt \(attempt) leaves the batch") {
                    let ok = try await worker.metric("ballast_requests_total", ["status": "ok"]) ?? 0
                    let gone = try await worker.metric("ballast_requests_total", ["status": "cancelled"]) ?? 0
                    cancelled = gone
                    return ok + gone >= Double(attempt)
                }
                if cancelled >= 1 { break }
            }
            #expect(cancelled == 1, "no attempt was cut short by its client's disconnect")
            // The only slot is free again: a new request runs to completion.
            let answer = try await worker.post("/v1/completions", ["prompt": "z", "max_tokens": 3])
            #expect(answer.status == 200)
            try await eventually("the batch is empty again") {
                try await worker.metric("ballast_running_requests") == 0
            }
        }
    }

    @Test func drainRefusesNewRequests() async throws {
        try await WorkerHarness.with { worker in
            worker.server.engine.beginDraining()
            let answer = try await worker.post("/v1/completions", ["prompt": "a", "max_tokens": 2])
            #expect(answer.status == 503)
            #expect((answer.json["error"] as? [String: Any])?["code"] as? String == "draining")
            #expect(try await worker.get("/ready").status == 503)
        }
    }
}
