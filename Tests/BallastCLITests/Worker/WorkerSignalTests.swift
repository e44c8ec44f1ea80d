import BallastTestSupport
import Foundation
import Testing

/// SIGTERM to a real `ballast worker` process with streams in flight: it stops being ready, refuses new work in
/// OpenAI's error shape, finishes every stream it accepted to the last token, and exits 0.
@Suite(.enabled(if: TestModelFile.required))
struct WorkerSignalTests {
    /// Streams open when the signal arrives.
    static let streams = 3
    /// Tokens each stream asks for; end of text is ignored, so each runs to exactly this many.
    static let maxTokens = 200

    /// Text pieces each stream has received so far.
    actor Progress {
        private var pieces: [Int: Int] = [:]
        private var ended: Set<Int> = []

        func record(stream: Int, pieces count: Int) { pieces[stream] = count }
        func end(stream: Int) { ended.insert(stream) }
        /// Streams that have received at least one piece.
        var started: Int { pieces.values.filter { $0 > 0 }.count }
        /// Streams whose response has ended.
        var endedCount: Int { ended.count }
    }

    @Test func sigtermDrainsStreamsInFlightAndExitsZero() async throws {
        let worker = try await RunningWorker.start(["--max-batch", "8"])
        defer { worker.stop() }
        let url = worker.base + "/v1/completions"
        let progress = Progress()
        let results = try await withThrowingTaskGroup(of: (Int, EventStreamClient.Received).self) { group in
            for stream in 0..<Self.streams {
                group.addTask {
                    let received = await EventStreamClient.stream(
                        url: url,
                        body: [
                            "model": RunningWorker.modelName,
                            "prompt": "Tell me a long story about lighthouse \(stream).",
                            "max_tokens": Self.maxTokens, "temperature": 0, "ignore_eos": true,
                            "stream_options": ["include_usage": true],
                        ],
                        onPiece: { await progress.record(stream: stream, pieces: $0) })
                    await progress.end(stream: stream)
                    return (stream, received)
                }
            }
            // Every stream is decoding before the signal, so every one of them was accepted.
            try await waitUntil("a first token on every stream", timeout: .seconds(120)) {
                await progress.started == Self.streams
            }
            #expect(kill(worker.pid, SIGTERM) == 0)

            try await waitUntil("GET /ready to answer 503 after SIGTERM", timeout: .seconds(30)) {
                await worker.get("/ready")?.status == 503
            }
            let endedWhenUnready = await progress.endedCount
            #expect(endedWhenUnready < Self.streams, "the streams must still be open while the worker drains")
            #expect(await worker.get("/health")?.status == 200, "a draining worker is still alive")

            // A new request during the drain is refused with 503 in OpenAI's error shape.
            let refused = try #require(
                await worker.post(
                    "/v1/completions", ["model": RunningWorker.modelName, "prompt": "Hello", "max_tokens": 4]),
                "the draining worker must still answer")
            #expect(refused.status == 503)
            let error = try #require(refused.json["error"] as? [String: Any], "body: \(refused.body)")
            #expect(error["type"] as? String == "server_error")
            #expect(error["code"] as? String == "draining")
            #expect((error["message"] as? String)?.contains("shutting down") == true, "\(error)")
            #expect(error.keys.contains("param"))
            #expect(await progress.endedCount < Self.streams, "the refusal came while accepted streams were still open")

            var results: [Int: EventStreamClient.Received] = [:]
            for try await (stream, received) in group { results[stream] = received }
            return results
        }

        // Every accepted stream ran to the end: all its tokens, its finish reason, usage and [DONE].
        #expect(results.count == Self.streams)
        for (stream, received) in results.sorted(by: { $0.key < $1.key }) {
            #expect(received.failure == nil, "stream \(stream): \(received.failure ?? "")")
            #expect(received.status == 200, "stream \(stream)")
            #expect(received.events.last == "[DONE]", "stream \(stream) ended with \(received.events.suffix(2))")
            #expect(received.finishReason == "length", "stream \(stream)")
            #expect(received.completionTokens == Self.maxTokens, "stream \(stream)")
            #expect(received.pieces.count > Self.maxTokens / 2, "stream \(stream): \(received.pieces.count) pieces")
            #expect(received.pieces.count <= Self.maxTokens, "stream \(stream)")
        }

        // Then the process exits by itself with status 0 (`timeout` passes the worker's status on).
        try await waitUntil("the worker process to exit after draining", timeout: .seconds(60)) {
            !worker.wrapper.isRunning
        }
        #expect(worker.wrapper.terminationReason == .exit)
        #expect(worker.wrapper.terminationStatus == 0, "worker log:\n\(worker.log.suffix(3000))")
        #expect(worker.log.contains("drained and stopped"), "worker log:\n\(worker.log.suffix(3000))")
    }
}
