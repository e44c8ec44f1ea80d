import AsyncHTTPClient
import BallastCore
import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The one address clients call for local workers: proxies `/v1/*` to the least-loaded ready worker of the
/// deployment the request's `model` names (or of the only deployment), streaming the answer through as it comes.
///
/// A worker that refuses the connection is retried once on another worker (the request body is held, and
/// nothing was sent yet); with no ready worker the answer is 503 with `Retry-After` and an OpenAI-shaped error.
/// `/health` always answers 200; `/ready` answers 200 while at least one worker is ready.
public final class FrontDoor: Service, Sendable {
    /// Where the front door listens and its limits.
    public struct Configuration: Sendable, Hashable {
        /// Address to listen on. Default `127.0.0.1`.
        public var host: String
        /// Port to listen on; 0 picks a free one (see ``FrontDoor/port``). Default 8000.
        public var port: Int
        /// Largest request body accepted, in bytes; larger ones get 413. Default 8 MiB.
        public var maximumRequestBytes: Int
        /// Longest one proxied request may take, streaming included. Default 600 s, a long generation.
        public var requestTimeout: Duration
        /// `Retry-After` seconds on a 503 when no worker is ready. Default 1.
        public var retryAfterSeconds: Int
        /// Longest a connection to a worker may take to open before the request goes to another worker.
        /// Default 2 s; on loopback a worker accepts at once or refuses at once.
        public var connectTimeout: Duration
        /// Most connections open to one worker at once, so many streams can run side by side. Default 1024.
        public var connectionsPerWorker: Int

        /// Creates a configuration with the defaults above.
        public init(
            host: String = "127.0.0.1", port: Int = 8000, maximumRequestBytes: Int = 8 << 20,
            requestTimeout: Duration = .seconds(600), retryAfterSeconds: Int = 1,
            connectTimeout: Duration = .seconds(2),
            connectionsPerWorker: Int = 1024
        ) {
            self.host = host
            self.port = port
            self.maximumRequestBytes = maximumRequestBytes
            self.requestTimeout = requestTimeout
            self.retryAfterSeconds = retryAfterSeconds
            self.connectTimeout = connectTimeout
            self.connectionsPerWorker = connectionsPerWorker
        }
    }

    /// The settings.
    public let configuration: Configuration
    private let directory: any BackendDirectory
    private let logger: Logger
    private let counter = InFlightCounter()
    private let boundPort = Mutex<Int?>(nil)

    /// A front door over the workers `directory` lists.
    public init(
        configuration: Configuration = Configuration(), directory: any BackendDirectory,
        logger: Logger = Logger(label: "ballast.frontdoor")
    ) {
        self.configuration = configuration
        self.directory = directory
        self.logger = logger
    }

    /// The port the server listens on, once it does.
    public var port: Int? { boundPort.withLock { $0 } }

    /// Requests in flight through the front door on worker `instance` (`host:port`).
    public func inFlight(of instance: String) -> Int { counter.count(instance) }

    /// Serves until graceful shutdown, with an HTTP client of its own that it shuts down on the way out: one
    /// that neither retries a refused connection (another worker is tried instead) nor follows redirects.
    public func run() async throws {
        var settings = HTTPClient.Configuration(redirectConfiguration: .disallow)
        settings.timeout.connect = .milliseconds(configuration.connectTimeout.wholeMilliseconds)
        settings.connectionPool.retryConnectionEstablishment = false
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, configuration.connectionsPerWorker)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        do {
            try await serve(with: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private func serve(with client: HTTPClient) async throws {
        let router = Router(context: BasicRequestContext.self)
        router.get("/health") { _, _ in Self.json(#"{"status":"ok"}"#, status: .ok) }
        router.get("/ready") { [directory] _, _ in
            await directory.readyBackends().isEmpty
                ? Self.json(#"{"status":"no worker is ready"}"#, status: .serviceUnavailable)
                : Self.json(#"{"status":"ready"}"#, status: .ok)
        }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/v1/**", method: method) { [self] request, _ in await self.proxy(request, client: client) }
        }
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "ballast-frontdoor"),
            onServerRunning: { [self] channel in self.boundPort.withLock { $0 = channel.localAddress?.port } },
            logger: logger)
        try await application.runService()
    }

    // MARK: Proxy

    private func proxy(_ incoming: Request, client: HTTPClient) async -> Response {
        var request = incoming
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maximumRequestBytes)
        } catch {
            return Self.error(
                status: .contentTooLarge,
                "The request body is larger than \(configuration.maximumRequestBytes) bytes; send a smaller one.",
                type: "invalid_request_error")
        }
        let model = Self.model(in: body)
        let ready = await directory.readyBackends()
        let backends = BackendChoice.candidates(ready, model: model)
        let served = Set(ready.map(\.deployment.model)).sorted()
        if backends.isEmpty, served.count > 1 {
            // Several models are served and the request names none of them: waiting will not help.
            let named = model.map { "names model \($0), which no worker serves" } ?? "names no model"
            return Self.error(
                status: model == nil ? .badRequest : .notFound,
                "The request \(named); set model to one of \(served.joined(separator: ", ")).",
                type: "invalid_request_error")
        }
        guard !backends.isEmpty else {
            let which = model.map { "for model \($0) " } ?? ""
            var response = Self.error(
                status: .serviceUnavailable,
                "No worker \(which)is ready; retry after \(configuration.retryAfterSeconds) s.",
                type: "service_unavailable")
            response.headers[.retryAfter] = String(configuration.retryAfterSeconds)
            return response
        }
        let instances = backends.map(\.instance)
        var excluded: Set<Int> = []
        var lastError = ""
        for attempt in 0..<2 {
            guard let index = counter.reserve(among: instances, excluding: excluded) else { break }
            let backend = backends[index]
            do {
                let upstream = try await client.execute(
                    Self.upstreamRequest(request, body: body, to: backend),
                    timeout: .milliseconds(configuration.requestTimeout.wholeMilliseconds))
                return Self.response(relaying: upstream, release: { [counter] in counter.release(backend.instance) })
            } catch {
                counter.release(backend.instance)
                lastError = "\(backend.instance): \(error)"
                // Only a refused or failed connection is safe to retry: the worker saw nothing of the request.
                guard attempt == 0, Self.isConnectFailure(error) else { break }
                excluded.insert(index)
                logger.info("retrying on another worker", metadata: ["failed": .string(backend.instance)])
            }
        }
        var response = Self.error(
            status: .badGateway, "The worker could not be reached (\(lastError)); retry the request.",
            type: "service_unavailable")
        response.headers[.retryAfter] = String(configuration.retryAfterSeconds)
        return response
    }

    private static func upstreamRequest(_ request: Request, body: ByteBuffer, to backend: FrontDoorBackend)
        -> HTTPClientRequest
    {
        var upstream = HTTPClientRequest(url: backend.baseURL + (request.uri.path.isEmpty ? "/" : request.uri.string))
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !hopByHop.contains(field.name.canonicalName) {
            upstream.headers.add(name: field.name.rawName, value: field.value)
        }
        if body.readableBytes > 0 || request.method == .post {
            upstream.body = .bytes(body)
        }
        return upstream
    }

    /// Status, headers (less hop-by-hop ones) and body of the worker's answer, the body written chunk by chunk
    /// as it arrives, so server-sent events reach the client one by one.
    private static func response(relaying upstream: HTTPClientResponse, release: @escaping @Sendable () -> Void)
        -> Response
    {
        var headers = HTTPFields()
        var length: Int?
        for header in upstream.headers {
            let name = header.name.lowercased()
            if name == "content-length" {
                length = Int(header.value)
                continue
            }
            guard !hopByHop.contains(name), let field = HTTPField.Name(header.name) else { continue }
            headers.append(HTTPField(name: field, value: header.value))
        }
        let body = upstream.body
        return Response(
            status: HTTPResponse.Status(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase),
            headers: headers,
            body: ResponseBody(contentLength: length) { writer in
                defer { release() }
                for try await chunk in body { try await writer.write(chunk) }
                try await writer.finish(nil)
            })
    }

    private static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
        "content-length",
    ]

    /// Whether `error` means no connection was made, so the request never reached the worker.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return true }
        return false
    }

    /// The `model` field of a JSON body, if any.
    static func model(in body: ByteBuffer) -> String? {
        guard body.readableBytes > 0,
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { return nil }
        return object["model"] as? String
    }

    private static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An OpenAI-shaped error: `{"error": {"message", "type", "param", "code"}}`.
    private static func error(status: HTTPResponse.Status, _ message: String, type: String) -> Response {
        let object: [String: Any] = [
            "error": ["message": message, "type": type, "param": NSNull(), "code": NSNull()] as [String: Any]
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
