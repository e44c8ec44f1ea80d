import AsyncHTTPClient
import BallastCore
import BallastTesting
import BallastTestSupport
import Controller
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// The controller's HTTP API on a real loopback socket: reads, paging, bad parameters, the token on
/// mutating endpoints, and a `/metrics` page that `promtool` accepts.
struct ControllerAPITests {
    /// Runs the API over a daemon that has ticked twice (one scale decision), and gives `body` its base URL.
    static func withAPI(token: String?, _ body: (String, DaemonFixture) async throws -> Void) async throws {
        let fixture = DaemonFixture(store: InMemoryStateStore())
        try await fixture.daemon.start(now: DaemonFixture.at(0))
        await fixture.runtime.markReady("chat")
        await fixture.source.set(values: ["queue_p95": 1.0, "memory_ratio": 0.5])
        await fixture.source.setHealth([
            TargetHealth(target: ScrapeTarget(instance: "127.0.0.1:9"), up: false, lastError: "connection refused")
        ])
        await fixture.daemon.tick(now: DaemonFixture.at(0))
        await fixture.daemon.tick(now: DaemonFixture.at(30))
        let api = ControllerAPI(daemon: fixture.daemon, store: fixture.store, token: token)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: api.router(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "test.api", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            var port = 0
            for await bound in ports { port = bound }
            try await body("http://127.0.0.1:\(port)", fixture)
            group.cancelAll()
        }
    }

    static func send(_ url: String, method: HTTPMethod = .GET, authorization: String? = nil) async throws
        -> (status: Int, body: String)
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func statusDecisionsAndOneDecisionRead() async throws {
        try await Self.withAPI(token: nil) { base, _ in
            let status = try await Self.send(base + "/api/v1/status")
            #expect(status.status == 200)
            let decoded = try JSONDecoder().decode(ControllerStatus.self, from: Data(status.body.utf8))
            #expect(decoded.deployments.first?.desiredReplicas == 2)
            #expect(decoded.targets.first?.lastError == "connection refused")

            let list = try await Self.send(base + "/api/v1/decisions?limit=10&policy=chat")
            let decisions = try JSONDecoder().decode([DecisionRecord].self, from: Data(list.body.utf8))
            let scale = try #require(decisions.first { $0.kind == "scale" })
            let one = try await Self.send(base + "/api/v1/decisions/\(try #require(scale.id))")
            #expect(try JSONDecoder().decode(DecisionRecord.self, from: Data(one.body.utf8)) == scale)
            let older = try await Self.send(base + "/api/v1/decisions?before=\(try #require(scale.id))")
            let olderDecisions = try JSONDecoder().decode([DecisionRecord].self, from: Data(older.body.utf8))
            #expect(olderDecisions.allSatisfy { ($0.id ?? 0) < (scale.id ?? 0) })
        }
    }

    @Test(arguments: [
        ("/api/v1/decisions?limit=0", 400, "limit must be"),
        ("/api/v1/decisions?limit=many", 400, "limit must be"),
        ("/api/v1/decisions?before=yesterday", 400, "before must be a decision id"),
        ("/api/v1/decisions/abc", 400, "must be a number"),
        ("/api/v1/decisions/99999", 404, "No decision has id 99999"),
        ("/api/v1/events?limit=5000", 400, "limit must be"),
    ])
    func badRequestsSayWhatToSend(path: String, status: Int, message: String) async throws {
        try await Self.withAPI(token: nil) { base, _ in
            let answer = try await Self.send(base + path)
            #expect(answer.status == status)
            #expect(answer.body.contains(message), "\(answer.body)")
        }
    }

    @Test func pauseNeedsTheToken() async throws {
        try await Self.withAPI(token: "s3cret") { base, fixture in
            let url = base + "/api/v1/deployments/chat/pause"
            let bare = try await Self.send(url, method: .POST)
            let wrong = try await Self.send(url, method: .POST, authorization: "Bearer wrong")
            #expect(bare.status == 401)
            #expect(wrong.status == 401)
            let unknown = try await Self.send(
                base + "/api/v1/deployments/nope/pause", method: .POST, authorization: "Bearer s3cret")
            #expect(unknown.status == 404)
            let paused = try await Self.send(url, method: .POST, authorization: "Bearer s3cret")
            #expect(paused.status == 200)
            let status = await fixture.daemon.status(now: DaemonFixture.at(31))
            #expect(status.deployments.first?.paused == true)
            let resumed = try await Self.send(
                base + "/api/v1/deployments/chat/resume", method: .POST, authorization: "Bearer s3cret")
            #expect(resumed.status == 200)
            #expect(await fixture.daemon.status(now: DaemonFixture.at(32)).deployments.first?.paused == false)
        }
    }

    @Test func withoutATokenChangesAreDisabled() async throws {
        try await Self.withAPI(token: nil) { base, _ in
            let answer = try await Self.send(base + "/api/v1/deployments/chat/pause", method: .POST, authorization: "Bearer x")
            #expect(answer.status == 403)
            #expect(answer.body.contains("--token-file"))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")))
    func metricsPagePassesPromtool() async throws {
        try await Self.withAPI(token: nil) { base, _ in
            let page = try await Self.send(base + "/metrics")
            #expect(page.status == 200)
            #expect(page.body.contains("ballast_controller_desired_replicas{model=\"chat\",policy=\"chat\"} 2"))
            #expect(page.body.contains("ballast_controller_decisions_total{kind=\"scale\",policy=\"chat\",rule=\"queue-time\"} 1"))
            #expect(page.body.contains("ballast_controller_target_up{instance=\"127.0.0.1:9\"} 0"))
            let promtool = try await ProcessRun.run(
                URL(fileURLWithPath: "/usr/bin/promtool"), ["check", "metrics"], input: Data(page.body.utf8))
            #expect(promtool.status == 0, "\(String(decoding: promtool.stdout + promtool.stderr, as: UTF8.self))")
        }
    }
}
