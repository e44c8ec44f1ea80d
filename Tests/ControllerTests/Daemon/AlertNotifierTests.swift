import AsyncHTTPClient
import BallastCore
import Controller
import Foundation
import Hummingbird
import Logging
import NIOCore
import Testing

/// Alerts posted to a real webhook on loopback, and what happens when the webhook is down or refuses.
struct AlertNotifierTests {
    /// Collects the bodies a webhook received.
    actor Inbox {
        var bodies: [String] = []
        func add(_ body: String) { bodies.append(body) }
    }

    static let alert = AlertNotifier.Alert(
        deployment: DeploymentKey(policy: "chat", model: "chat", version: "v2"), rule: "memory-alert",
        severity: "critical", summary: "Accelerator memory above 90 %", condition: "memory_ratio (0.93) > 0.9",
        time: Timestamp(secondsSinceEpoch: 1_800_000_000))

    static func withWebhook(status: HTTPResponse.Status, _ body: (String, Inbox) async throws -> Void) async throws {
        let inbox = Inbox()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            await inbox.add(String(buffer: bytes))
            return Response(status: status)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "test.webhook", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            var port = 0
            for await bound in ports { port = bound }
            try await body("http://127.0.0.1:\(port)/hook", inbox)
            group.cancelAll()
        }
    }

    @Test func postsAnAlertmanagerShapedBody() async throws {
        try await Self.withWebhook(status: .ok) { url, inbox in
            let notifier = AlertNotifier(client: HTTPClient.shared)
            let delivery = await notifier.raise(Self.alert, webhook: url)
            #expect(delivery.delivered)
            let body = try #require(await inbox.bodies.first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let alerts = try #require(json["alerts"] as? [[String: Any]])
            let labels = try #require(alerts.first?["labels"] as? [String: String])
            #expect(labels == ["alertname": "memory-alert", "severity": "critical", "policy": "chat", "model": "chat", "version": "v2"])
            let annotations = try #require(alerts.first?["annotations"] as? [String: String])
            #expect(annotations["condition"] == "memory_ratio (0.93) > 0.9")
            #expect(alerts.first?["startsAt"] as? String == "2027-01-15T08:00:00Z")
        }
    }

    @Test func aRefusingWebhookIsReportedNotThrown() async throws {
        try await Self.withWebhook(status: .internalServerError) { url, _ in
            let delivery = await AlertNotifier(client: HTTPClient.shared).raise(Self.alert, webhook: url)
            #expect(!delivery.delivered)
            #expect(delivery.detail.contains("answered HTTP 500"))
        }
    }

    @Test func anUnreachableWebhookIsReportedNotThrown() async throws {
        let notifier = AlertNotifier(client: HTTPClient.shared, timeout: .seconds(2))
        let delivery = await notifier.raise(Self.alert, webhook: "http://127.0.0.1:1/hook")
        #expect(!delivery.delivered)
        #expect(delivery.detail.contains("posting to http://127.0.0.1:1/hook failed"))
    }

    @Test func withoutAWebhookTheAlertIsLogged() async {
        let delivery = await AlertNotifier(client: nil).raise(Self.alert, webhook: nil)
        #expect(delivery.delivered)
        #expect(delivery.detail == "logged")
    }
}
