import ServiceLifecycle

/// Runs the engine thread for the life of the service group and stops it after graceful shutdown, once the
/// HTTP server (shut down before it) has answered every request.
struct EngineService: Service {
    let engine: InferenceEngine

    func run() async throws {
        engine.start()
        // Either way (graceful shutdown or cancellation) the thread must stop; the error says only which.
        try? await gracefulShutdown()
        await engine.stop()
    }
}

/// On graceful shutdown (SIGTERM), turns `/ready` false, refuses new requests and returns once the requests
/// in flight have finished, before the HTTP server closes.
struct DrainService: Service {
    let engine: InferenceEngine
    let onDrained: @Sendable () -> Void

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        await engine.drain()
        onDrained()
    }
}
