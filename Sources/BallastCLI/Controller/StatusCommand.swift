import ArgumentParser
import BallastCore
import Controller
import Foundation

/// `ballast status`: what the fleet looks like now and why.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show replicas, signals, rules and recent decisions of a running controller."
    )

    @Option(help: "The controller's address.")
    var controller: String = ControllerClient.defaultURL

    @Flag(help: "Print the status as one JSON object.")
    var json = false

    func run() async throws {
        let status = try await ControllerClient(base: controller).get("/api/v1/status", as: ControllerStatus.self)
        if json {
            print(try JSONOutput.line(status))
        } else {
            print(Self.text(status), terminator: "")
        }
    }

    /// The status for people.
    static func text(_ status: ControllerStatus) -> String {
        var out = "Controller status at \(ExplainCommand.clock(status.time)) after \(status.ticks) ticks\n"
        for d in status.deployments {
            out += "\n\(d.deployment.policy) (model \(d.deployment.model)\(d.deployment.version.map { " \($0)" } ?? ""))"
            out += d.paused ? " [paused]\n" : "\n"
            out += "  replicas: \(d.desiredReplicas) desired, \(d.readyReplicas) ready, \(d.startingReplicas) starting;"
            out += " \(d.shards) shard\(d.shards == 1 ? "" : "s") each\n"
            if let endpoint = d.endpoint { out += "  endpoint: \(endpoint)\n" }
            if !d.signals.isEmpty {
                out += "  signals:\n"
                for signal in d.signals {
                    out += "    \(signal.name) = \(ExplainCommand.reading(signal.reading))\n"
                }
            }
            if !d.rules.isEmpty {
                out += "  rules:\n"
                for rule in d.rules {
                    out += "    \(rule.rule) (\(rule.action)): \(rule.status.name) — \(rule.condition)\n"
                }
            }
            if !d.recentDecisions.isEmpty {
                out += "  recent decisions (ballast explain ID shows one whole):\n"
                for decision in d.recentDecisions {
                    out += "    #\(decision.id ?? 0) \(ExplainCommand.clock(decision.time)) \(decision.summary)\n"
                }
            }
        }
        if !status.targets.isEmpty {
            out += "\ntargets:\n"
            for t in status.targets {
                let state = t.up ? "up" : "DOWN"
                var line = "  \(t.target.instance) \(state)"
                if let seconds = t.lastDurationSeconds { line += String(format: " %.3f s", seconds) }
                if t.up { line += ", \(t.samples) samples" }
                if let error = t.lastError { line += ": \(error)" }
                out += line + "\n"
            }
        }
        return out
    }
}
