import AsyncHTTPClient
import BallastCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import Controller

/// Events a runtime emitted, collected for assertions.
actor EventLog {
    private(set) var events: [RuntimeEvent] = []

    func append(_ event: RuntimeEvent) { events.append(event) }

    func count(_ kind: RuntimeEvent.Kind) -> Int { events.filter { $0.kind == kind }.count }

    func messages(_ kind: RuntimeEvent.Kind) -> [String] { events.filter { $0.kind == kind }.map(\.message) }

    /// Waits until at least `count` events of `kind` arrived, then checks there are exactly `count`.
    nonisolated func expect(
        _ kind: RuntimeEvent.Kind, _ count: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await RuntimeTestSupport.waitUntil("\(count) \(kind) events", sourceLocation: sourceLocation) {
            await self.count(kind) >= count
        }
        #expect(await self.count(kind) == count, "\(kind) events", sourceLocation: sourceLocation)
    }
}

/// Runs a ``LocalRuntime`` over real `ballast worker` processes for one test, and stops every worker after it.
enum LocalHarness {
    static let deployment = DeploymentKey(policy: "smol", model: "smollm2", version: "v-test")

    static func configuration(_ folder: TemporaryFolder, command: [String]? = nil) throws -> LocalRuntime.Configuration
    {
        LocalRuntime.Configuration(
            workerCommand: try command ?? [RuntimeTestSupport.ballast, "worker"],
            models: ["smol": RuntimeTestSupport.smolLM2], workerArguments: RuntimeTestSupport.workerArguments,
            readyTimeout: .seconds(120), drainGrace: .seconds(30),
            restartBackoff: RestartBackoff(initial: .milliseconds(100), maximum: .seconds(1)),
            pollInterval: .milliseconds(100), readyStaleness: .seconds(10), probeTimeout: .seconds(5),
            logDirectory: folder.file("logs"))
    }

    static func runtime(_ folder: TemporaryFolder, command: [String]? = nil) throws -> LocalRuntime {
        LocalRuntime(
            configuration: try configuration(folder, command: command), persistence: .file(folder.file("state.json")))
    }

    /// Runs `runtime`'s supervision loop and an event collector around `body`; drains every worker afterwards,
    /// unless `body` shut the runtime down itself.
    static func with(
        _ runtime: LocalRuntime, _ body: (LocalRuntime, EventLog) async throws -> Void
    ) async throws {
        let log = EventLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await runtime.run() }
            group.addTask { for await event in runtime.events { await log.append(event) } }
            do {
                try await body(runtime, log)
            } catch {
                await runtime.shutdown(drain: true)
                group.cancelAll()
                throw error
            }
            await runtime.shutdown(drain: true)
            group.cancelAll()
        }
    }

    /// Waits until `count` workers of the test deployment are ready.
    static func waitForReady(_ runtime: LocalRuntime, _ count: Int, timeout: Duration = .seconds(120)) async throws {
        try await RuntimeTestSupport.waitUntil("\(count) workers ready", timeout: timeout) {
            let fleet = await runtime.fleet(of: deployment, now: LocalRuntime.systemTime())
            let running = await runtime.workerProcesses(of: deployment).count
            return fleet.readyReplicas == count && fleet.startingSince.isEmpty && running == count
        }
    }

    static func now() -> Timestamp { LocalRuntime.systemTime() }
}

/// A streaming completion: the chunks as they arrive.
struct Stream {
    let status: Int
    let headers: [(String, String)]
    var iterator: HTTPClientResponse.Body.AsyncIterator

    /// Starts a streaming completion of `maxTokens` tokens at `url`.
    static func completion(_ url: String, model: String = "smollm2", maxTokens: Int = 120) async throws -> Stream {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body =
            #"{"model":"\#(model)","prompt":"1, 2, 3, 4, 5, 6, 7, 8, 9, 10,","max_tokens":\#(maxTokens),"#
            + #""temperature":0,"stream":true}"#
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        return Stream(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            iterator: response.body.makeAsyncIterator())
    }

    /// The next chunk as text; `nil` at the end.
    mutating func next() async throws -> String? {
        try await iterator.next().map { String(buffer: $0) }
    }

    /// Everything left.
    mutating func rest() async throws -> String {
        var text = ""
        while let chunk = try await next() { text += chunk }
        return text
    }
}

/// A port nothing listens on: bound, read and closed again.
func closedPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
