import Hummingbird
import Logging
public import NIOCore

/// A loopback HTTP server that answers every path from a handler: stand-in metrics targets for `ballast bench
/// controller` and for tests of the scraper (many targets on one port, each a path).
///
/// It binds 127.0.0.1 on a port the kernel picks and stops when the body of ``withServer(handler:_:)`` returns.
public enum MetricsPageServer {
    /// One answer: status, content type and body.
    public struct Page: Sendable {
        /// HTTP status code. Default 200.
        public var status: Int
        /// `Content-Type`. Default Prometheus text 0.0.4.
        public var contentType: String
        /// The body.
        public var body: ByteBuffer

        /// Creates an answer.
        public init(
            status: Int = 200, contentType: String = "text/plain; version=0.0.4; charset=utf-8", body: ByteBuffer
        ) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }

        /// A 200 answer with `text` as the page.
        public init(text: String) {
            self.init(body: ByteBuffer(string: text))
        }
    }

    /// What a request asked for: its path and `User-Agent`.
    public struct Request: Sendable {
        /// Path without the query, such as `/t/17/metrics`.
        public var path: String
        /// The `User-Agent` header, or empty.
        public var userAgent: String
    }

    /// Runs a server answering with `handler` while `body` runs; `body` gets the bound port.
    public static func withServer<Result: Sendable>(
        handler: @escaping @Sendable (Request) async -> Page, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let router = Router()
        router.get("**") { request, _ -> Response in
            let page = await handler(
                Request(path: request.uri.path, userAgent: request.headers[.userAgent] ?? ""))
            return Response(
                status: HTTPResponse.Status(code: page.status), headers: [.contentType: page.contentType],
                body: ResponseBody(byteBuffer: page.body))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "ballast.metrics-page-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // A server that fails to bind ends the port stream, so the wait below does not hang.
                defer { continuation.finish() }
                try await application.runService(gracefulShutdownSignals: [])
            }
            var bound: Int?
            for await port in ports { bound = port }
            guard let port = bound, port > 0 else {
                group.cancelAll()
                throw ServerError("The metrics page server did not report a bound port on 127.0.0.1.")
            }
            do {
                let result = try await body(port)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
