import BallastTestSupport
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

@testable import Worker

/// A worker serving on a free loopback port for one test, reached over real HTTP.
struct WorkerHarness {
    let port: Int
    let server: WorkerServer
    let group: ServiceGroup
    var client: HTTPClient { HTTPClient.shared }

    /// Starts a worker with `configuration` (model and port filled in), runs `body`, then shuts it down
    /// gracefully and waits until it has stopped.
    static func with(
        _ configure: (inout WorkerConfiguration) -> Void = { _ in }, modelPath: String = TestModel.path,
        _ body: (WorkerHarness) async throws -> Void
    ) async throws {
        var configuration = WorkerConfiguration(
            modelPath: modelPath, modelName: "tiny", version: "v-test", port: 0, pageCount: 64,
            scheduler: SchedulerConfiguration(minimumBatchSize: 1, maximumWait: .milliseconds(10), pageSize: 16),
            threadCount: 1)
        configure(&configuration)
        let server = try WorkerServer(configuration: configuration)
        var logger = Logger(label: "worker-test")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: server.services(logger: logger, onListening: { portContinuation.yield($0) }), logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                Issue.record("The worker never started listening.")
                return
            }
            let harness = WorkerHarness(port: port, server: server, group: group)
            do {
                try await body(harness)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    var base: String { "http://127.0.0.1:\(port)" }

    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    func get(_ path: String) async throws -> Answer {
        try await send(HTTPClientRequest(url: base + path))
    }

    func post(_ path: String, json: String) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        return try await send(request)
    }

    func post(_ path: String, _ object: [String: Any]) async throws -> Answer {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await post(path, json: String(decoding: data, as: UTF8.self))
    }

    private func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: body))
    }

    /// The `data:` payloads of a server-sent event stream, in order.
    static func events(_ body: String) -> [String] {
        body.components(separatedBy: "\n\n").compactMap { block in
            block.hasPrefix("data: ") ? String(block.dropFirst(6)) : nil
        }
    }

    /// The value of the sample `name` with `labels` on `/metrics` now.
    func metric(_ name: String, _ labels: [String: String] = [:]) async throws -> Double? {
        let text = try await get("/metrics").body
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let seriesName = series.prefix { $0 != "{" }
            guard seriesName == name else { continue }
            if labels.allSatisfy({ series.contains("\($0.key)=\"\($0.value)\"") }) {
                return Double(line[line.index(after: space)...])
            }
        }
        return nil
    }
}

/// Waits (bounded) until `condition` holds, checking every 10 ms for at most `seconds`; records an issue when it
/// never does.
func eventually(
    within seconds: Double = 30, _ what: String, _ condition: () async throws -> Bool
) async throws {
    do {
        try await waitUntil(what, timeout: .milliseconds(Int64(seconds * 1000)), poll: .milliseconds(10), condition)
    } catch let timedOut as WaitTimeout {
        Issue.record("\(timedOut)")
    }
}
