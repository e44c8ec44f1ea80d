import Engine
import Foundation
public import Hummingbird

/// The worker's HTTP API: OpenAI-compatible completions and chat, models, health, readiness and metrics.
public struct WorkerAPI: Sendable {
    /// The engine requests go to.
    public let engine: InferenceEngine
    /// The name clients give as `model` (and `/v1/models` lists).
    public let modelName: String
    /// Request limits.
    public let limits: WorkerLimits
    /// Injected failures and latency.
    public let faults: FaultInjection
    private let chatTemplate: ChatTemplate

    /// An API over `engine`.
    public init(engine: InferenceEngine, modelName: String, limits: WorkerLimits = WorkerLimits(), faults: FaultInjection = .none) {
        self.engine = engine
        self.modelName = modelName
        self.limits = limits
        self.faults = faults
        chatTemplate = ChatTemplate(gguf: engine.model.file.header) ?? .chatML
    }

    private var metrics: WorkerMetrics { engine.metrics }

    /// A router with every route and the HTTP metrics middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics))
        router.get("/health") { _, _ in jsonResponse(.object([("status", "ok")])) }
        router.get("/ready") { _, _ in
            engine.isDraining
                ? jsonResponse(.object([("status", "draining")]), status: .serviceUnavailable)
                : jsonResponse(.object([("status", "ready")]))
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16_384)
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/v1/models") { _, _ in
            jsonResponse(
                .object([
                    ("object", "list"),
                    (
                        "data",
                        .array([
                            .object([
                                ("id", .string(modelName)), ("object", "model"),
                                ("created", .int(Int(metrics.startTimeSeconds))), ("owned_by", "ballast"),
                            ])
                        ])
                    ),
                ]))
        }
        router.post("/v1/completions") { request, _ in await answer { try await completion(request) } }
        router.post("/v1/chat/completions") { request, _ in await answer { try await chat(request) } }
        return router
    }

    private func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as OpenAIError {
            return error.response
        } catch {
            return OpenAIError(
                status: .internalServerError, message: "The worker failed: \(error).", type: "server_error",
                parameter: nil, code: nil
            ).response
        }
    }

    // MARK: Handlers

    private func completion(_ request: Request) async throws -> Response {
        let body: CompletionBody = try await decode(request)
        try checkModel(body.model)
        guard body.echo != true else { throw OpenAIError.invalid("echo is not supported; leave it out.", parameter: "echo") }
        let prompt: [Int]
        switch body.prompt {
        case .text(let text): prompt = engine.tokenizer.encode(text)
        case .tokens(let tokens):
            if let bad = tokens.first(where: { !(0..<engine.tokenizer.vocabularySize).contains($0) }) {
                throw OpenAIError.invalid(
                    "The prompt token \(bad) is outside the vocabulary (0..<\(engine.tokenizer.vocabularySize)).",
                    parameter: "prompt")
            }
            prompt = tokens
        }
        let topLogprobs = body.logprobs ?? 0
        let call = try GenerationCall.make(
            kind: .completion, promptTokens: prompt, maxTokens: body.max_tokens, defaultMaxTokens: 16,
            temperature: body.temperature, topP: body.top_p, topK: body.top_k, stop: body.stop, seed: body.seed,
            logprobs: body.logprobs != nil, topLogprobs: topLogprobs, stream: body.stream,
            streamOptions: body.stream_options, n: body.n, ignoreEOS: body.ignore_eos, limits: limits,
            contextLength: engine.maximumSequenceLength)
        return try await run(call)
    }

    private func chat(_ request: Request) async throws -> Response {
        let body: ChatBody = try await decode(request)
        try checkModel(body.model)
        guard !body.messages.isEmpty else {
            throw OpenAIError.invalid("messages is empty; give at least one message.", parameter: "messages")
        }
        for (i, message) in body.messages.enumerated()
        where !["system", "user", "assistant", "developer", "tool"].contains(message.role) {
            throw OpenAIError.invalid(
                "messages[\(i)].role is \"\(message.role)\"; use system, user or assistant.", parameter: "messages")
        }
        let messages = body.messages.map { ChatMessage(role: $0.role == "developer" ? "system" : $0.role, content: $0.content) }
        let prompt = chatTemplate.encode(messages, with: engine.tokenizer)
        let call = try GenerationCall.make(
            kind: .chat, promptTokens: prompt, maxTokens: body.max_completion_tokens ?? body.max_tokens,
            defaultMaxTokens: limits.defaultChatTokens, temperature: body.temperature, topP: body.top_p,
            topK: body.top_k, stop: body.stop, seed: body.seed, logprobs: body.logprobs ?? false,
            topLogprobs: body.top_logprobs ?? 0, stream: body.stream, streamOptions: body.stream_options, n: body.n,
            ignoreEOS: body.ignore_eos, limits: limits, contextLength: engine.maximumSequenceLength)
        return try await run(call)
    }

    private func decode<T: Decodable>(_ request: Request) async throws -> T {
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= limits.maximumBodyBytes else {
                metrics.countRejected(reason: "invalid")
                throw OpenAIError.invalid(
                    "The request body is larger than \(limits.maximumBodyBytes) bytes; send a shorter prompt.")
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            metrics.countRejected(reason: "invalid")
            throw OpenAIError.invalid(error.sentence)
        }
    }

    private func checkModel(_ model: String?) throws(OpenAIError) {
        guard let model, model != modelName else { return }
        metrics.countRejected(reason: "invalid")
        throw OpenAIError(
            status: .notFound, message: "The model `\(model)` does not exist here; this worker serves `\(modelName)`.",
            type: "invalid_request_error", parameter: "model", code: "model_not_found")
    }

    private func run(_ call: GenerationCall) async throws -> Response {
        if faults.latency > .zero { try await Task.sleep(for: faults.latency) }
        if faults.drawFailure() {
            metrics.countRejected(reason: "fault")
            throw OpenAIError(
                status: .internalServerError, message: "An injected fault failed this request (--fault-rate).",
                type: "server_error", parameter: nil, code: "injected_fault")
        }
        let id: RequestID
        let events: AsyncStream<GenerationEvent>
        do {
            (id, events) = try engine.submit(call.request)
        } catch {
            throw mapAdmission(error)
        }
        let responseID = (call.kind == .chat ? "chatcmpl-" : "cmpl-") + String(id.rawValue, radix: 16)
        let created = Int(Date().timeIntervalSince1970)
        if call.stream {
            return streamResponse(call, id: id, events: events, responseID: responseID, created: created)
        }
        defer { engine.cancel(id) }
        var text = ""
        var tokens: [GeneratedToken] = []
        for await event in events {
            switch event {
            case .delta(let piece, let generated):
                text += piece
                tokens += generated
            case .finished(let reason, let usage):
                let logprobs: JSONValue
                let choice: JSONValue
                switch call.kind {
                case .completion:
                    logprobs = call.request.reportsLogprobs ? ResponseShapes.completionLogprobs(tokens, offset: 0) : .null
                    choice = ResponseShapes.completionChoice(text: text, logprobs: logprobs, finish: reason)
                case .chat:
                    logprobs = call.request.reportsLogprobs ? ResponseShapes.chatLogprobs(tokens) : .null
                    choice = ResponseShapes.chatChoice(text: text, logprobs: logprobs, finish: reason)
                }
                return jsonResponse(
                    ResponseShapes.envelope(
                        id: responseID, object: call.kind == .chat ? "chat.completion" : "text_completion",
                        created: created, model: modelName, choices: [choice], usage: ResponseShapes.usage(usage)))
            case .failed(let message):
                throw OpenAIError(status: .internalServerError, message: message, type: "server_error", parameter: nil, code: nil)
            }
        }
        throw OpenAIError(
            status: .serviceUnavailable, message: "The request was cancelled before it finished.", type: "server_error",
            parameter: nil, code: nil)
    }

    private func mapAdmission(_ error: AdmissionError) -> OpenAIError {
        switch error {
        case .queueFull(let retryAfter):
            metrics.countRejected(reason: "queue_full")
            var e = OpenAIError(
                status: .tooManyRequests, message: error.description, type: "rate_limit_error", parameter: nil,
                code: "queue_full")
            e.retryAfterSeconds = max(1, retryAfter.components.seconds)
            return e
        case .draining:
            metrics.countRejected(reason: "draining")
            return OpenAIError(
                status: .serviceUnavailable, message: error.description, type: "server_error", parameter: nil,
                code: "draining")
        case .tooLarge(let message):
            metrics.countRejected(reason: "too_large")
            return .invalid(message, parameter: "max_tokens")
        case .invalidParameters(let message):
            metrics.countRejected(reason: "invalid")
            return .invalid(message)
        }
    }

    private func streamResponse(
        _ call: GenerationCall, id: RequestID, events: AsyncStream<GenerationEvent>, responseID: String, created: Int
    ) -> Response {
        let engine = engine
        let model = modelName
        let body = ResponseBody { writer in
            // Cancelling is harmless once the request finished; it frees the slot when the client went away.
            defer { engine.cancel(id) }
            let object = call.kind == .chat ? "chat.completion.chunk" : "text_completion"
            func send(_ choices: [JSONValue], usage: JSONValue? = nil) async throws {
                var bytes = Array("data: ".utf8)
                ResponseShapes.envelope(
                    id: responseID, object: object, created: created, model: model, choices: choices, usage: usage
                ).encode(into: &bytes)
                bytes.append(contentsOf: "\n\n".utf8)
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            if call.kind == .chat {
                try await send([ResponseShapes.chatDelta(role: true, text: "", logprobs: .null, finish: nil)])
            }
            var offset = 0
            loop: for await event in events {
                switch event {
                case .delta(let text, let tokens):
                    switch call.kind {
                    case .completion:
                        let logprobs = call.request.reportsLogprobs ? ResponseShapes.completionLogprobs(tokens, offset: offset) : .null
                        try await send([ResponseShapes.completionChoice(text: text, logprobs: logprobs, finish: nil)])
                    case .chat:
                        let logprobs = call.request.reportsLogprobs ? ResponseShapes.chatLogprobs(tokens) : .null
                        try await send([ResponseShapes.chatDelta(role: false, text: text, logprobs: logprobs, finish: nil)])
                    }
                    offset += text.count
                case .finished(let reason, let usage):
                    switch call.kind {
                    case .completion:
                        try await send([ResponseShapes.completionChoice(text: "", logprobs: .null, finish: reason)])
                    case .chat:
                        try await send([ResponseShapes.chatDelta(role: false, text: nil, logprobs: .null, finish: reason)])
                    }
                    if call.includeUsage { try await send([], usage: ResponseShapes.usage(usage)) }
                    break loop
                case .failed(let message):
                    var bytes = Array("data: ".utf8)
                    OpenAIError(status: .internalServerError, message: message, type: "server_error", parameter: nil, code: nil)
                        .json.encode(into: &bytes)
                    bytes.append(contentsOf: "\n\n".utf8)
                    try await writer.write(ByteBuffer(bytes: bytes))
                    break loop
                }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.bytes)))
}
