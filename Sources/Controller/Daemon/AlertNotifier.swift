public import AsyncHTTPClient
public import BallastCore
import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// Raises alerts: a log line at the alert's severity, and a JSON POST to the rule's webhook when it has one.
///
/// The payload follows Alertmanager's webhook shape (`alerts[].labels`, `annotations`, `startsAt`), so an
/// Alertmanager receiver, Slack bridge or PagerDuty adapter that accepts it takes ours unchanged.
public struct AlertNotifier: Sendable {
    /// One alert to raise.
    public struct Alert: Sendable {
        /// The deployment it concerns.
        public var deployment: DeploymentKey
        /// The rule that fired.
        public var rule: String
        /// `info`, `warning` or `critical`.
        public var severity: String
        /// The rule's summary.
        public var summary: String
        /// The condition with values: `memory_ratio (0.93) > 0.9`.
        public var condition: String
        /// When it fired.
        public var time: Timestamp

        /// Creates an alert.
        public init(
            deployment: DeploymentKey, rule: String, severity: String, summary: String, condition: String,
            time: Timestamp
        ) {
            self.deployment = deployment
            self.rule = rule
            self.severity = severity
            self.summary = summary
            self.condition = condition
            self.time = time
        }
    }

    /// Whether the alert reached everyone it should, and what happened.
    public struct Delivery: Sendable {
        /// False when the webhook could not be reached or refused the alert.
        public var delivered: Bool
        /// One sentence.
        public var detail: String
    }

    let client: HTTPClient?
    let logger: Logger
    /// Longest wait for a webhook. Default 5 s: an alert must not hold the tick up for long.
    let timeout: Duration

    /// Creates a notifier; `client` is needed only for webhooks.
    public init(client: HTTPClient?, logger: Logger = Logger(label: "ballast.alerts"), timeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.timeout = timeout
    }

    /// Logs the alert and posts it to `webhook` when given.
    public func raise(_ alert: Alert, webhook: String?) async -> Delivery {
        let level: Logger.Level = alert.severity == "critical" ? .critical : (alert.severity == "info" ? .info : .warning)
        logger.log(
            level: level, "ALERT \(alert.rule): \(alert.summary) (\(alert.condition))",
            metadata: ["policy": "\(alert.deployment.policy)", "severity": "\(alert.severity)"])
        guard let webhook else { return Delivery(delivered: true, detail: "logged") }
        guard let client else {
            return Delivery(delivered: false, detail: "logged; no HTTP client is configured to post to \(webhook)")
        }
        var request = HTTPClientRequest(url: webhook)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: Self.payload(alert)))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            guard (200..<300).contains(response.status.code) else {
                return Delivery(
                    delivered: false,
                    detail: "logged; the webhook \(webhook) answered HTTP \(response.status.code); check the receiver")
            }
            return Delivery(delivered: true, detail: "logged and posted to \(webhook)")
        } catch {
            return Delivery(
                delivered: false, detail: "logged; posting to \(webhook) failed: \(error); check the URL and receiver")
        }
    }

    /// The Alertmanager-style JSON body.
    static func payload(_ alert: Alert) -> [UInt8] {
        let startsAt = ISO8601DateFormatter().string(
            from: Date(timeIntervalSince1970: Double(alert.time.millisecondsSinceEpoch) / 1000))
        var labels = [
            "alertname": alert.rule, "severity": alert.severity, "policy": alert.deployment.policy,
            "model": alert.deployment.model,
        ]
        if let version = alert.deployment.version { labels["version"] = version }
        let body: [String: Any] = [
            "version": "4", "status": "firing", "receiver": "ballast",
            "alerts": [
                [
                    "status": "firing", "labels": labels,
                    "annotations": ["summary": alert.summary, "condition": alert.condition],
                    "startsAt": startsAt,
                ] as [String: Any]
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return [UInt8](data)
    }
}
