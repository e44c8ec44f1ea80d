import Foundation
import Testing

@testable import Worker

struct WorkerAPITests {
    @Test func completionRunsToMaxTokensAndReportsUsage() async throws {
        try await WorkerHarness.with { worker in
            let answer = try await worker.post(
                "/v1/completions", ["model": "tiny", "prompt": "Hello", "max_tokens": 12, "temperature": 0])
            #expect(answer.status == 200)
            let json = answer.json
            #expect(json["object"] as? String == "text_completion")
            #expect(json["model"] as? String == "tiny")
            let choice = try #require((json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "length")
            let usage = try #require(json["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == 5)
            #expect(usage["completion_tokens"] == 12)
            #expect(usage["total_tokens"] == 17)
        }
    }

    @Test(arguments: [0.0, 0.9])
    func sameSeedGivesSameText(temperature: Double) async throws {
        try await WorkerHarness.with { worker in
            let body: [String: Any] = ["prompt": "abc", "max_tokens": 20, "temperature": temperature, "seed": 11]
            let first = try await worker.post("/v1/completions", body)
            let second = try await worker.post("/v1/completions", body)
            let text = { (a: WorkerHarness.Answer) in ((a.json["choices"] as? [[String: Any]])?.first?["text"] as? String) }
            #expect(first.status == 200)
            #expect(text(first) != nil)
            #expect(text(first) == text(second))
        }
    }

    @Test func streamedCompletionEndsWithDone() async throws {
        try await WorkerHarness.with { worker in
            let answer = try await worker.post(
                "/v1/completions",
                ["prompt": "Hi", "max_tokens": 8, "temperature": 0, "stream": true, "stream_options": ["include_usage": true]])
            #expect(answer.status == 200)
            #expect(answer.header("content-type") == "text/event-stream")
            let events = WorkerHarness.events(answer.body)
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            #expect(chunks.count == events.count - 1)
            let finishes = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
            #expect(finishes == ["length"])
            #expect((chunks.last?["usage"] as? [String: Int])?["completion_tokens"] == 8)
            // The streamed text equals the text of the same request answered at once.
            let streamed = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }.joined()
            let whole = try await worker.post("/v1/completions", ["prompt": "Hi", "max_tokens": 8, "temperature": 0])
            #expect(streamed == (whole.json["choices"] as? [[String: Any]])?.first?["text"] as? String)
        }
    }

    @Test(arguments: [false, true])
    func chatCompletion(stream: Bool) async throws {
        try await WorkerHarness.with { worker in
            let answer = try await worker.post(
                "/v1/chat/completions",
                [
                    "model": "tiny", "messages": [["role": "user", "content": "Say hi"]], "max_tokens": 6,
                    "temperature": 0, "stream": stream,
                ])
            #expect(answer.status == 200)
            if stream {
                let events = WorkerHarness.events(answer.body)
                #expect(events.last == "[DONE]")
                let first = (try? JSONSerialization.jsonObject(with: Data((events.first ?? "").utf8))) as? [String: Any]
                #expect(first?["object"] as? String == "chat.completion.chunk")
                let delta = (first?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
                #expect(delta?["role"] as? String == "assistant")
            } else {
                let json = answer.json
                #expect(json["object"] as? String == "chat.completion")
                let message = (json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
                #expect(message?["role"] as? String == "assistant")
                #expect((json["usage"] as? [String: Int])?["completion_tokens"] == 6)
            }
        }
    }

    @Test func logprobsCoverEveryToken() async throws {
        try await WorkerHarness.with { worker in
            let completion = try await worker.post(
                "/v1/completions", ["prompt": "x", "max_tokens": 5, "temperature": 0, "logprobs": 2])
            let logprobs = try #require((completion.json["choices"] as? [[String: Any]])?.first?["logprobs"] as? [String: Any])
            let values = try #require(logprobs["token_logprobs"] as? [Double])
            #expect(values.count == 5)
            #expect(values.allSatisfy { $0 <= 0 })
            // Keyed by token text, so two alternatives that decode alike (split UTF-8) share one key.
            let alternatives = try #require(logprobs["top_logprobs"] as? [[String: Double]])
            #expect(alternatives.count == 5)
            #expect(alternatives.allSatisfy { (1...2).contains($0.count) })
            let chat = try await worker.post(
                "/v1/chat/completions",
                ["messages": [["role": "user", "content": "x"]], "max_tokens": 4, "logprobs": true, "top_logprobs": 3])
            let content = (chat.json["choices"] as? [[String: Any]])?.first?["logprobs"] as? [String: Any]
            let entries = try #require(content?["content"] as? [[String: Any]])
            #expect(entries.count == 4)
            #expect(entries.allSatisfy { ($0["top_logprobs"] as? [Any])?.count == 3 })
        }
    }

    @Test(arguments: [
        (#"{"prompt": "a", "max_tokens": 0}"#, 400, "max_tokens (0) must be between 1 and 4096"),
        (#"{"prompt": "a", "max_tokens": 5000}"#, 400, "max_tokens (5000) must be between 1 and 4096"),
        (#"{"prompt": "a", "temperature": -1}"#, 400, "temperature (-1.0) must be 0"),
        (#"{"prompt": "a", "top_p": 0}"#, 400, "top_p (0.0) must be above 0"),
        (#"{"prompt": "a", "n": 2}"#, 400, "n (2) must be 1"),
        (#"{"prompt": "", "max_tokens": 3}"#, 400, "The prompt is empty"),
        (#"{"max_tokens": 3}"#, 400, "The field `prompt` is missing from the body"),
        (#"{"prompt": "a", "max_tokens": "ten"}"#, 400, "`max_tokens` has the wrong type; expected an integer"),
        (#"{"prompt": [999999]}"#, 400, "outside the vocabulary"),
        (#"{"prompt": "a", "stop": ["1","2","3","4","5"]}"#, 400, "give at most 4"),
        (#"{"prompt": "a", "max_tokens": 1024}"#, 400, "above this worker's context of 1024 tokens"),
        (#"{"prompt": "a", "model": "other"}"#, 404, "does not exist here"),
        (#"not json"#, 400, "not valid JSON"),
    ])
    func badRequestsGetOpenAIErrors(body: String, status: Int, message: String) async throws {
        try await WorkerHarness.with { worker in
            let answer = try await worker.post("/v1/completions", json: body)
            #expect(answer.status == status)
            let error = try #require(answer.json["error"] as? [String: Any])
            let text = try #require(error["message"] as? String)
            #expect(text.contains(message), "\(text)")
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error.keys.sorted() == ["code", "message", "param", "type"])
        }
    }

    @Test func oversizedBodyAndPromptAreRefused() async throws {
        try await WorkerHarness.with({ $0.limits = WorkerLimits(maximumBodyBytes: 2_000, maximumPromptTokens: 50) }) {
            worker in
            let huge = try await worker.post("/v1/completions", ["prompt": String(repeating: "a", count: 5_000)])
            #expect(huge.status == 400)
            #expect((huge.json["error"] as? [String: Any])?["message"] as? String
                == "The request body is larger than 2000 bytes; send a shorter prompt.")
            let long = try await worker.post("/v1/completions", ["prompt": String(repeating: "b", count: 60)])
            #expect(long.status == 400)
            #expect(((long.json["error"] as? [String: Any])?["message"] as? String)?.contains("60 tokens, above this worker's limit of 50") == true)
        }
    }

    @Test func modelsHealthAndReadiness() async throws {
        try await WorkerHarness.with { worker in
            let models = try await worker.get("/v1/models")
            #expect(((models.json["data"] as? [[String: Any]])?.first?["id"] as? String) == "tiny")
            #expect(try await worker.get("/health").status == 200)
            let ready = try await worker.get("/ready")
            #expect(ready.status == 200)
            #expect(ready.json["status"] as? String == "ready")
        }
    }

    @Test func injectedFaultsFailRequests() async throws {
        try await WorkerHarness.with({ $0.faultRate = 1 }) { worker in
            let answer = try await worker.post("/v1/completions", ["prompt": "a", "max_tokens": 2])
            #expect(answer.status == 500)
            #expect((answer.json["error"] as? [String: Any])?["code"] as? String == "injected_fault")
            #expect(try await worker.metric("ballast_requests_rejected_total", ["reason": "fault"]) == 1)
        }
    }
}
