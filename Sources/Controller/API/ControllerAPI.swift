public import BallastCore
import Foundation
public import Hummingbird
import NIOCore

/// The controller's HTTP surface: status, decisions, actions, events and its own metrics; pause and
/// resume behind a bearer token.
///
/// Read endpoints are open (the server binds 127.0.0.1 by default). Mutating endpoints answer 403 unless a
/// token is configured, and 401 unless the request carries `Authorization: Bearer <token>`.
public struct ControllerAPI: Sendable {
    let daemon: ControllerDaemon
    let store: any StateStore
    let token: String?

    /// Creates the API over `daemon` and `store`; `token` enables the mutating endpoints.
    public init(daemon: ControllerDaemon, store: any StateStore, token: String?) {
        self.daemon = daemon
        self.store = store
        self.token = token
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let daemon = self.daemon
        let store = self.store
        router.get("/health") { _, _ in Self.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: await daemon.metricsPage())))
        }
        router.get("/api/v1/status") { _, _ in
            Self.json(await daemon.status(now: ControllerClock.now()))
        }
        router.get("/api/v1/decisions") { request, _ in
            let query = request.uri.queryParameters
            let limit = Self.limit(query["limit"].map(String.init))
            guard let limit else { return Self.problem(.badRequest, "limit must be a whole number from 1 to 1000.") }
            let before = query["before"].flatMap { Int64(String($0)) }
            if query["before"] != nil && before == nil {
                return Self.problem(.badRequest, "before must be a decision id, such as 42.")
            }
            return await Self.answer {
                try await store.decisions(limit: limit, policy: query["policy"].map(String.init), beforeID: before)
            }
        }
        router.get("/api/v1/decisions/{id}") { _, context in
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                return Self.problem(.badRequest, "The decision id must be a number, such as /api/v1/decisions/42.")
            }
            return await Self.answer {
                guard let decision = try await store.decision(id: id) else {
                    throw APIProblem(.notFound, "No decision has id \(id); list them at /api/v1/decisions.")
                }
                return decision
            }
        }
        router.get("/api/v1/actions") { request, _ in
            guard let limit = Self.limit(request.uri.queryParameters["limit"].map(String.init)) else {
                return Self.problem(.badRequest, "limit must be a whole number from 1 to 1000.")
            }
            return await Self.answer { try await store.actions(limit: limit) }
        }
        router.get("/api/v1/events") { request, _ in
            guard let limit = Self.limit(request.uri.queryParameters["limit"].map(String.init)) else {
                return Self.problem(.badRequest, "limit must be a whole number from 1 to 1000.")
            }
            return await Self.answer { try await store.events(limit: limit) }
        }
        for (verb, paused) in [("pause", true), ("resume", false)] {
            router.post("/api/v1/deployments/{policy}/\(verb)") { request, context in
                if let refusal = authorize(request) { return refusal }
                let policy = context.parameters.get("policy") ?? ""
                guard await daemon.setPaused(paused, policy: policy, now: ControllerClock.now()) else {
                    return Self.problem(.notFound, "No deployment is managed under the policy name \(policy).")
                }
                return Self.json(["policy": policy, "paused": paused ? "true" : "false"])
            }
        }
        return router
    }

    /// `nil` when the request may mutate; otherwise the refusal to send.
    func authorize(_ request: Request) -> Response? {
        guard let token, !token.isEmpty else {
            return Self.problem(
                .forbidden, "Changes are disabled; start the controller with --token-file FILE to enable them.")
        }
        let header = request.headers[.authorization] ?? ""
        guard header == "Bearer \(token)" else {
            return Self.problem(.unauthorized, "Send the controller's token as the header Authorization: Bearer <token>.")
        }
        return nil
    }

    /// A limit query parameter: default 50, 1 to 1000; `nil` when malformed.
    static func limit(_ text: String?) -> Int? {
        guard let text else { return 50 }
        guard let value = Int(text), (1...1000).contains(value) else { return nil }
        return value
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            let data = try encoder.encode(value)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return problem(.internalServerError, "The answer could not be encoded: \(error).")
        }
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func answer(_ body: () async throws -> some Encodable) async -> Response {
        do {
            return json(try await body())
        } catch let problem as APIProblem {
            return Self.problem(problem.status, problem.message)
        } catch {
            return problem(.internalServerError, "The state file could not be read: \(error).")
        }
    }
}

/// An HTTP error with its message.
struct APIProblem: Error {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
}
