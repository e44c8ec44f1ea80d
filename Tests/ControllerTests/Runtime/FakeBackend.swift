import BallastTestSupport
import BallastCore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
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

/// Runs `door` (and `others`) for `body`, then stops them with a graceful shutdown, as the controller does.
/// Cancelling a Hummingbird server instead can trap in NIO when a connection was accepted but not yet served
/// (apple/swift-nio#3481).
func withServers(
    _ door: FrontDoor, _ others: [@Sendable () async throws -> Void] = [], _ body: () async throws -> Void
) async throws {
    let services = [ServiceGroupConfiguration.ServiceConfiguration(service: door)]
        + others.map { ServiceGroupConfiguration.ServiceConfiguration(service: ClosureService(body: $0)) }
    let servers = ServiceGroup(
        configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [], logger: quietLogger()))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await servers.run() }
        do {
            try await RuntimeTestSupport.waitUntil("the front door listens") { door.port != nil }
            try await body()
        } catch {
            await servers.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
        await servers.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}

/// A server started by a closure, as a service of a group.
struct ClosureService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws { try await body() }
}

func quietLogger() -> Logger {
    var logger = Logger(label: "frontdoor-test")
    logger.logLevel = .warning
    return logger
}
