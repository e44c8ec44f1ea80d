import BallastTestSupport
import BallastCore
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Controller

/// A stand-in worker on a loopback port: answers 429 with `Retry-After`, and streams two SSE events with a
/// gate between them that the test opens, so a test can see the first event arrive before the second is sent.
final class FakeBackend: Sendable {
    private let boundPort = Mutex<Int?>(nil)
    let gate: AsyncStream<Void>
    private let opener: AsyncStream<Void>.Continuation
    let requests = Mutex<[String]>([])

    init() {
        (gate, opener) = AsyncStream.makeStream()
    }

    var port: Int? { boundPort.withLock { $0 } }

    /// Lets the streaming answer send its second event.
    func open() { opener.yield() }

    func run() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/chat/completions") { [self] request, _ in
            self.requests.withLock { $0.append(request.uri.string) }
            return Response(
                status: .tooManyRequests, headers: [.retryAfter: "7", .contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":{"message":"queue full"}}"#)))
        }
        router.post("/v1/completions") { [self, gate] request, _ in
            self.requests.withLock { $0.append(request.uri.string) }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "data: {\"n\":1}\n\n"))
                    // A proxy that buffers would wait here forever; after 30 s the second event goes anyway, and
                    // the test sees both arrive together and fails.
                    _ = await withDeadline(.seconds(30)) { for await _ in gate { break } }
                    try await writer.write(ByteBuffer(string: "data: {\"n\":2}\n\ndata: [DONE]\n\n"))
                    try await writer.finish(nil)
                })
        }
        var logger = Logger(label: "fake-backend")
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [self] channel in self.boundPort.withLock { $0 = channel.localAddress?.port } },
            logger: logger)
        try await application.runService()
    }
}

/// A fixed list of backends.
struct FixedDirectory: BackendDirectory {
    var backends: [FrontDoorBackend]

    func readyBackends() async -> [FrontDoorBackend] { backends }
}

/// Runs `door` (and `others`) for `body`, then stops them.
func withServers(
    _ door: FrontDoor, _ others: [@Sendable () async throws -> Void] = [], _ body: () async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await door.run() }
        for other in others { group.addTask { try await other() } }
        defer { group.cancelAll() }
        try await RuntimeTestSupport.waitUntil("the front door listens") { door.port != nil }
        try await body()
    }
}

func quietLogger() -> Logger {
    var logger = Logger(label: "frontdoor-test")
    logger.logLevel = .warning
    return logger
}
