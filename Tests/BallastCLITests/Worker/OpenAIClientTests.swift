import Foundation
import Testing

/// The official `openai` Python client, pointed at a real `ballast worker` process serving SmolLM2, sees an
/// OpenAI server: completions and chat, whole and streamed, the model list, and errors raised as the client's
/// own exception types. Greedy decoding makes the streamed and whole answers of one prompt the same text.
@Suite(.enabled(if: TestModelFile.required))
struct OpenAIClientTests {
    /// Runs every check with the client and prints one JSON object, keyed by check; a check that raises reports
    /// the exception instead of stopping the others.
    static let script = """
        import json, sys
        import openai
        from openai import OpenAI

        base, model = sys.argv[1], sys.argv[2]
        client = OpenAI(base_url=base + "/v1", api_key="unused", timeout=120, max_retries=0)
        prompt = "The three primary colours are"
        messages = [
            {"role": "system", "content": "You are a helpful assistant. Answer in one sentence."},
            {"role": "user", "content": "What is the capital of France?"},
        ]

        def usage(u):
            if u is None:
                return None
            return {"prompt": u.prompt_tokens, "completion": u.completion_tokens, "total": u.total_tokens}

        def completion():
            r = client.completions.create(model=model, prompt=prompt, max_tokens=24, temperature=0)
            c = r.choices[0]
            return {"id": r.id, "object": r.object, "model": r.model, "choices": len(r.choices), "text": c.text,
                    "finish_reason": c.finish_reason, "usage": usage(r.usage)}

        def completion_stream():
            deltas, finish, u, chunks = [], None, None, 0
            for chunk in client.completions.create(model=model, prompt=prompt, max_tokens=24, temperature=0,
                                                   stream=True, stream_options={"include_usage": True}):
                chunks += 1
                if chunk.usage is not None:
                    u = usage(chunk.usage)
                for c in chunk.choices:
                    if c.text:
                        deltas.append(c.text)
                    if c.finish_reason:
                        finish = c.finish_reason
            return {"deltas": deltas, "chunks": chunks, "finish_reason": finish, "usage": u}

        def chat():
            r = client.chat.completions.create(model=model, messages=messages, max_tokens=32, temperature=0)
            c = r.choices[0]
            return {"id": r.id, "object": r.object, "model": r.model, "role": c.message.role,
                    "content": c.message.content, "finish_reason": c.finish_reason, "usage": usage(r.usage)}

        def chat_stream():
            deltas, roles, finish, u = [], [], None, None
            for chunk in client.chat.completions.create(model=model, messages=messages, max_tokens=32, temperature=0,
                                                        stream=True, stream_options={"include_usage": True}):
                if chunk.usage is not None:
                    u = usage(chunk.usage)
                for c in chunk.choices:
                    if c.delta.role:
                        roles.append(c.delta.role)
                    if c.delta.content:
                        deltas.append(c.delta.content)
                    if c.finish_reason:
                        finish = c.finish_reason
            return {"deltas": deltas, "roles": roles, "finish_reason": finish, "usage": u}

        def models():
            return {"ids": [m.id for m in client.models.list()]}

        def failure(call):
            try:
                call()
            except openai.APIStatusError as e:
                return {"exception": type(e).__name__, "status": e.status_code, "body": e.body}
            return {"exception": None}

        def too_many_tokens():
            return failure(lambda: client.completions.create(model=model, prompt=prompt, max_tokens=5000))

        def unknown_model():
            return failure(lambda: client.chat.completions.create(model="gpt-nonexistent", messages=messages))

        out = {"openai_version": openai.__version__}
        for check in [completion, completion_stream, chat, chat_stream, models, too_many_tokens, unknown_model]:
            try:
                out[check.__name__] = check()
            except Exception as e:
                out[check.__name__] = {"raised": type(e).__name__, "message": str(e)}
        print(json.dumps(out))
        """

    /// A usage object as the script prints it.
    struct Usage: Equatable, CustomStringConvertible {
        var prompt: Int
        var completion: Int
        var total: Int

        init?(_ value: Any?) {
            guard let object = value as? [String: Any], let prompt = object["prompt"] as? Int,
                let completion = object["completion"] as? Int, let total = object["total"] as? Int
            else { return nil }
            self.prompt = prompt
            self.completion = completion
            self.total = total
        }

        var description: String { "prompt \(prompt) + completion \(completion) = total \(total)" }

        /// Checks the counts are positive, add up and agree with how generation ended.
        func expectConsistent(maxTokens: Int, finishReason: String?, _ what: String) {
            #expect(prompt > 0, "\(what): \(self)")
            #expect(completion > 0, "\(what): \(self)")
            #expect(total == prompt + completion, "\(what): \(self)")
            #expect(completion <= maxTokens, "\(what): \(self)")
            if finishReason == "length" { #expect(completion == maxTokens, "\(what): \(self)") }
        }
    }

    @Test func officialClientSeesAnOpenAIServer() async throws {
        let python = try #require(Tool.which("python3"), "python3 is not on PATH; run `bash .ci/setup`.")
        try #require(
            await ChildProcess.pythonCanImport("openai"),
            "python3 cannot import the `openai` client; run `bash .ci/setup`, which pip installs it.")
        let worker = try await RunningWorker.start()
        defer { worker.stop() }
        let run = try await ChildProcess.run(python, ["-c", Self.script, worker.base, RunningWorker.modelName])
        try #require(
            run.status == 0,
            "The openai client script failed: \(run.transcript)\nWorker log:\n\(worker.log.suffix(2000))")
        let out = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "The script printed no JSON object: \(run.transcript)")
        for (check, value) in out {
            if let object = value as? [String: Any], let raised = object["raised"] {
                Issue.record("\(check) raised \(raised): \(object["message"] ?? "")")
            }
        }

        // (a) A whole completion.
        let completion = try #require(out["completion"] as? [String: Any])
        let text = try #require(completion["text"] as? String)
        let finish = try #require(completion["finish_reason"] as? String)
        let usage = try #require(Usage(completion["usage"]))
        #expect(
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "completion text: \(text.debugDescription)")
        #expect(["length", "stop"].contains(finish))
        #expect(completion["object"] as? String == "text_completion")
        #expect(completion["model"] as? String == RunningWorker.modelName)
        #expect(completion["choices"] as? Int == 1)
        #expect((completion["id"] as? String)?.hasPrefix("cmpl-") == true)
        usage.expectConsistent(maxTokens: 24, finishReason: finish, "completion")

        // (b) The same prompt streamed: greedy, so the deltas add up to the same text, usage and ending.
        let streamed = try #require(out["completion_stream"] as? [String: Any])
        let deltas = try #require(streamed["deltas"] as? [String])
        #expect(deltas.count > 1, "a streamed answer comes in pieces: \(deltas)")
        #expect(deltas.joined() == text)
        #expect(streamed["finish_reason"] as? String == finish)
        let streamedUsage = try #require(Usage(streamed["usage"]), "include_usage must bring a usage chunk")
        #expect(streamedUsage == usage)
        #expect(deltas.count <= streamedUsage.completion, "no more text pieces than tokens")

        // (c) A whole chat answer to a system and a user message.
        let chat = try #require(out["chat"] as? [String: Any])
        let content = try #require(chat["content"] as? String)
        let chatFinish = try #require(chat["finish_reason"] as? String)
        let chatUsage = try #require(Usage(chat["usage"]))
        #expect(
            !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            "chat content: \(content.debugDescription)")
        #expect(
            content.contains("Paris"), "SmolLM2 knows the capital of France; the answer was \(content.debugDescription)"
        )
        #expect(chat["role"] as? String == "assistant")
        #expect(chat["object"] as? String == "chat.completion")
        #expect((chat["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(["length", "stop"].contains(chatFinish))
        chatUsage.expectConsistent(maxTokens: 32, finishReason: chatFinish, "chat")
        // The template wraps both messages, so the prompt is longer than the two texts' words.
        #expect(chatUsage.prompt > 20, "chat prompt tokens: \(chatUsage)")

        // (d) The same chat streamed: the role comes once, first, and the deltas add up to the whole answer.
        let chatStream = try #require(out["chat_stream"] as? [String: Any])
        let chatDeltas = try #require(chatStream["deltas"] as? [String])
        #expect(chatStream["roles"] as? [String] == ["assistant"])
        #expect(chatDeltas.joined() == content)
        #expect(chatStream["finish_reason"] as? String == chatFinish)
        #expect(Usage(chatStream["usage"]) == chatUsage)

        // (e) The model list names the served model.
        let models = try #require(out["models"] as? [String: Any])
        #expect((models["ids"] as? [String])?.contains(RunningWorker.modelName) == true, "models: \(models)")

        // (f) max_tokens above the limit raises BadRequestError (400) naming the field.
        let tooMany = try #require(out["too_many_tokens"] as? [String: Any])
        #expect(tooMany["exception"] as? String == "BadRequestError", "\(tooMany)")
        #expect(tooMany["status"] as? Int == 400)
        let body = try #require(tooMany["body"] as? [String: Any], "\(tooMany)")
        #expect(body["type"] as? String == "invalid_request_error")
        #expect(body["param"] as? String == "max_tokens")
        #expect(
            (body["message"] as? String)?.contains("max_tokens (5000) must be between 1 and 4096") == true, "\(body)")

        // An unknown model raises NotFoundError (404) with OpenAI's code.
        let unknown = try #require(out["unknown_model"] as? [String: Any])
        #expect(unknown["exception"] as? String == "NotFoundError", "\(unknown)")
        #expect(unknown["status"] as? Int == 404)
        #expect((unknown["body"] as? [String: Any])?["code"] as? String == "model_not_found", "\(unknown)")
    }
}
